"""Whether the POS page is a secure context, and the shell's "sin HTTPS" banner in the till's language.

The banner itself is in index.html and shell.mjs shows it before Python starts (a page opened over plain http on a
LAN address gets no service worker, so it cannot open offline); here it only gets translated, at boot and when
the language changes, and `is_secure()` feeds the X-Caja-Secure-Context header Terminales shows.
Must not show, hide or block anything itself: the shell decides that from `window.isSecureContext`.
"""
from __future__ import annotations

from caja_pos.platform import by_id, is_secure
from caja_pos.text.labels import L

__all__ = ["is_secure", "translate_banner"]


def translate_banner() -> None:
    if is_secure():
        return
    for key in ("title", "why", "fix", "continue"):
        node = by_id(f"insecure-{key}")
        if node is not None:
            node.textContent = L(f"insecure_{key}")
