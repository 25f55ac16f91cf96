"""The toast (#toast in index.html): a short message at the bottom of the screen that goes by itself, for what the
cashier should know but need not answer (a background task that failed).

Must not ask anything (a dialog does) nor hold the message's wording (the caller passes the text).
"""
from __future__ import annotations

import asyncio
from typing import Any

from caja_pos.ui.dom import by_id

SHOW_S = 6.0
_hide: list[Any] = []  # the pending hide of the message shown now


def show(text: str) -> None:
    node = by_id("toast")
    if node is None:
        return
    node.textContent = text
    node.hidden = False
    for handle in _hide:
        handle.cancel()
    _hide[:] = [asyncio.get_event_loop().call_later(SHOW_S, _clear)]


def _clear() -> None:
    _hide.clear()
    node = by_id("toast")
    if node is not None:
        node.hidden = True
        node.textContent = ""
