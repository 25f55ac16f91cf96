"""The dialog stack: the one owner of #overlay. A dialog opens on top of the others (the ticket preview over the
Ventas window, a confirmation over a detail); closing the top one destroys it and shows the one below again.
Escape and the overlay's keys reach only the top dialog.

Why one owner: each screen used to fill and empty the overlay itself, and one page-wide Escape handler pressed
whatever `[data-escape]` it found; a dialog opened from another then closed both, and a missing element (JS null,
which is not None in Python) looked present. Now the stack knows which dialog is on top.

Must not hold text or decide what a dialog does: a dialog is a View with a `box` element and, optionally,
`on_escape()`; the stack only shows, hides and routes Escape.
"""
from __future__ import annotations

import asyncio
from typing import Any, Protocol

from caja_pos.platform import by_id, document, listen
from caja_pos.ui.dom import replace
from caja_pos.ui.view import View


class Dialog(Protocol):
    box: Any

    def destroy(self) -> None: ...


class DialogStack:
    def __init__(self) -> None:
        self._stack: list[Dialog] = []
        self._remove_key: Any = None

    @property
    def top(self) -> Dialog | None:
        return self._stack[-1] if self._stack else None

    def __len__(self) -> int:
        return len(self._stack)

    def start(self) -> None:
        """Route Escape to the top dialog, for the page's life (one listener)."""
        if self._remove_key is None:
            self._remove_key = listen(document(), "keydown", self._on_key)

    def open(self, dialog: Dialog) -> None:
        """Show `dialog` on top (the one below stays alive, hidden, until it is closed in turn)."""
        self._stack.append(dialog)
        self._show()

    def close(self, dialog: Dialog | None = None) -> None:
        """Close `dialog` (the top one by default) and every dialog opened above it, destroying each."""
        target = dialog if dialog is not None else self.top
        if target is None or target not in self._stack:
            return
        while self._stack:
            top = self._stack.pop()
            top.destroy()
            if top is target:
                break
        self._show()

    def close_all(self) -> None:
        while self._stack:
            self._stack.pop().destroy()
        self._show()

    def replace_top(self, dialog: Dialog) -> None:
        """Close the top dialog and open `dialog` in its place (a menu panel leading to another)."""
        if self._stack:
            self._stack.pop().destroy()
        self.open(dialog)

    def _show(self) -> None:
        overlay = by_id("overlay")
        if overlay is None:
            return
        top = self.top
        if top is None:
            overlay.hidden = True
            replace(overlay)
        else:
            replace(overlay, top.box)
            overlay.hidden = False

    def _on_key(self, event: Any) -> None:
        """Esc goes to the top dialog only: its own handler, else its marked way back (`data-escape`: a
        confirmation's "No, volver", the ticket preview's Volver, a window's Cerrar), else it closes."""
        top = self.top
        if top is None or event.key != "Escape":
            return
        event.preventDefault()
        handler = getattr(top, "on_escape", None)
        if handler is not None:
            handler()
            return
        marked = top.box.querySelectorAll("[data-escape]")
        if marked.length:
            marked.item(marked.length - 1).click()
        else:
            self.close(top)


dialogs = DialogStack()  # the page's one overlay


class DialogView(View):
    """A View shown through the dialog stack: `open()` puts `self.box` on top, `close()` destroys it."""

    box: Any

    def open(self) -> None:
        dialogs.open(self)

    def close(self) -> None:
        dialogs.close(self)

    @property
    def on_top(self) -> bool:
        return dialogs.top is self


class AnswerDialog(DialogView):
    """A dialog that answers a question (a PIN, an amount): `await self.result` gives what `answer(value)` set, or
    None when it was closed any other way (went back, Escape, closed from below)."""

    def __init__(self) -> None:
        super().__init__()
        self.result: asyncio.Future = asyncio.get_event_loop().create_future()

    def answer(self, value: Any) -> None:
        if not self.result.done():
            self.result.set_result(value)
        self.close()

    def destroy(self) -> None:
        if not self.result.done():
            self.result.set_result(None)
        super().destroy()

    async def ask(self) -> Any:
        self.open()
        return await self.result
