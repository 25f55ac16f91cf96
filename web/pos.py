"""The POS's entry point, run by index.html's <script type="py"> (or boot.mjs's `?boot=plain`): build the app and
start it, and show a boot failure on the progress screen.

The boot order itself (pairing → stored catalog → selling → feeds) is App.main's (web/caja_pos/app.py).
Must not hold anything else: no screens, no services, no browser calls of its own.
"""
from __future__ import annotations

from caja_pos.app import App, show_boot_error


async def main() -> None:
    app = App()
    try:
        await app.main()
    except Exception as exc:
        show_boot_error(exc)
        raise
