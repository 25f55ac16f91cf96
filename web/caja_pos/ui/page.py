"""What the page around the screens offers them: the document (for page-wide keys), the <html> flags tests wait
on, its language, printing, file downloads and this boot's figures.

Why a module of its own: screens reach the browser only through the ui layer, which reaches it only through
platform.py; these are the few page-wide calls a screen needs beyond building and listening to its own DOM.
Must not hold state or text for the cashier.
"""
from __future__ import annotations

from caja_pos.platform import (
    boot_info,
    document,
    download_text,
    live_proxies,
    print_page,
    set_lang_attr,
    set_root_flag,
)

__all__ = ["boot_info", "document", "download_text", "live_proxies", "print_page", "set_lang_attr", "set_root_flag"]
