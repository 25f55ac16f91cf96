"""The dialog stack: the one owner of #overlay. A dialog opens on top of the others (the ticket preview over the
Ventas window, a confirmation over a detail); closing the top one destroys it and shows the one below again.
Escape and the overlay's keys reach only the top dialog. While a dialog is open, Tab and Shift+Tab go round its
own controls only (the page behind is inert for a keyboard or a screen reader), and when it closes the focus goes
back to the control that had it before it opened (the button that opened it), as WAI-ARIA's dialog pattern asks.

Why one owner: each screen used to fill and empty the overlay itself, and one page-wide Escape handler pressed
whatever `[data-escape]` it found; a dialog opened from another then closed both, and a missing element (JS null,
which is not None in Python) looked present. Now the stack knows which dialog is on top.

Must not hold text or decide what a dialog does: a dialog is a View with a `box` element and, optionally,
`on_escape()`; the stack only shows, hides and routes Escape.
"""
from __future__ import annotations

import asyncio
from typing import Any, Protocol

from caja_pos.platform import by_id, document, listen, present
from caja_pos.ui.dom import replace
from caja_pos.ui.view import View

# What Tab may land on inside a dialog (WAI-ARIA's dialog pattern: the focus stays inside while it is open).
FOCUSABLE = ("button:not([disabled]), [href], input:not([disabled]):not([type=hidden]), select:not([disabled]), "
             "textarea:not([disabled]), [tabindex]:not([tabindex='-1'])")


class Dialog(Protocol):
    box: Any

    def destroy(self) -> None: ...


class DialogStack:
    def __init__(self) -> None:
        self._stack: list[Dialog] = []
        self._openers: dict[int, Any] = {}  # id(dialog) → the element that had the focus when it opened
        self._remove_key: Any = None

    @property
    def top(self) -> Dialog | None:
        return self._stack[-1] if self._stack else None

    def start(self) -> None:
        """Route Escape to the top dialog, for the page's life (one listener)."""
        if self._remove_key is None:
            self._remove_key = listen(document(), "keydown", self._on_key)

    def open(self, dialog: Dialog) -> None:
        """Show `dialog` on top (the one below stays alive, hidden, until it is closed in turn)."""
        self._openers[id(dialog)] = present(document().activeElement)
        self._stack.append(dialog)
        box = dialog.box
        if present(box.getAttribute("role")) is None:
            box.setAttribute("role", "dialog")
        box.setAttribute("aria-modal", "true")
        _name_by_heading(box)
        box.setAttribute("tabindex", "-1")
        self._show()
        box.focus()  # inside the dialog at once; the dialog may then focus its own first field

    def close(self, dialog: Dialog | None = None) -> None:
        """Close `dialog` (the top one by default) and every dialog opened above it, destroying each."""
        target = dialog if dialog is not None else self.top
        if target is None or target not in self._stack:
            return
        opener = None
        while self._stack:
            top = self._stack.pop()
            opener = self._openers.pop(id(top), None)
            top.destroy()
            if top is target:
                break
        self._show()
        self._return_focus(opener)

    def close_all(self) -> None:
        """Every dialog, top first (a test's clean slate; a screen closes only its own)."""
        opener = None
        while self._stack:
            top = self._stack.pop()
            opener = self._openers.pop(id(top), None)
            top.destroy()
        self._show()
        self._return_focus(opener)

    def replace_top(self, dialog: Dialog) -> None:
        """Close the top dialog and open `dialog` in its place (a menu panel leading to another)."""
        opener = None
        if self._stack:
            top = self._stack.pop()
            opener = self._openers.pop(id(top), None)
            top.destroy()
        self.open(dialog)
        if opener is not None:  # the new panel closes back to what opened the first one (the menu button)
            self._openers[id(dialog)] = opener

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

    def _return_focus(self, opener: Any) -> None:
        top = self.top
        if opener is not None and opener.isConnected:
            opener.focus()
        elif top is not None:
            top.box.focus()

    def _trap_tab(self, top: Dialog, event: Any) -> None:
        """Tab from the last control goes to the first, Shift+Tab from the first to the last, and a focus that
        left the dialog comes back into it."""
        nodes = top.box.querySelectorAll(FOCUSABLE)
        shown = [nodes.item(i) for i in range(nodes.length)]
        shown = [n for n in shown if present(getattr(n, "offsetParent", n)) is not None]
        if not shown:
            event.preventDefault()
            top.box.focus()
            return
        active = present(document().activeElement)
        inside = active is not None and top.box.contains(active)
        if event.shiftKey and (not inside or active == shown[0] or active == top.box):
            event.preventDefault()
            shown[-1].focus()
        elif not event.shiftKey and (not inside or active == shown[-1]):
            event.preventDefault()
            shown[0].focus()

    def _on_key(self, event: Any) -> None:
        """Esc goes to the top dialog only: its own handler, else its marked way back (`data-escape`: a
        confirmation's "No, volver", the ticket preview's Volver, a window's Cerrar), else it closes."""
        top = self.top
        if top is not None and event.key == "Tab":
            self._trap_tab(top, event)
            return
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


def _name_by_heading(box: Any) -> None:
    """A dialog is named by its heading (a screen reader says it on opening): `aria-labelledby` its first <h2>,
    whose id is `<box id>-title`. A dialog that draws another step in the same box (Ventas → a sale) gives that
    step's heading the same id (`title_id`)."""
    if present(box.getAttribute("aria-labelledby")) is not None or present(box.getAttribute("aria-label")):
        return
    heading = present(box.querySelector("h2"))
    if heading is None:
        return
    hid = present(heading.getAttribute("id")) or title_id(box)
    heading.setAttribute("id", hid)
    box.setAttribute("aria-labelledby", hid)


def title_id(box: Any) -> str:
    """The id a dialog's heading carries (see `_name_by_heading`)."""
    return f"{present(box.getAttribute('id')) or 'dialog'}-title"


dialogs = DialogStack()  # the page's one overlay


class DialogView(View):
    """A View shown through the dialog stack: `open()` puts `self.box` on top, `close()` destroys it."""

    box: Any

    def open(self) -> None:
        dialogs.open(self)

    def close(self) -> None:
        dialogs.close(self)


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
