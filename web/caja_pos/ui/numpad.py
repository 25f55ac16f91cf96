"""The numeric pad: a dialog with big keys for typing a number on a touch screen (a quantity, a weight in kg, a
discount, the cash received), with optional quick buttons (the quick-cash amounts) that answer at once.

Use::

    NumPad(title, value, on_done, decimals=3, quick=[(label, value), ...])

`value` is shown first and the first key typed replaces it (as a calculator's display); "Aceptar" (or Enter) calls
`on_done(text)` with the typed text, a quick button calls it with its own value, Cancelar (or Escape) calls
nothing. Either way the pad closes itself and the dialog stack gives the focus back to where it was. `decimals`
bounds the digits after the point (0: no point key). A physical keyboard types into the pad too.

Must not parse, validate or apply the number: the caller hands the text to poscore (the cart, the payment), which
says whether it is valid, exactly as for the same text typed into the field.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from caja_pos.text.labels import L
from caja_pos.ui.dialogs import DialogView
from caja_pos.ui.dom import action_of, el

MAX_CHARS = 12  # a till's amounts: up to 99,999,999.999 and still readable on a phone
_ROWS = (("7", "8", "9"), ("4", "5", "6"), ("1", "2", "3"))


def press(text: str, key: str, decimals: int) -> str:
    """`text` after pressing `key` (a digit, "." or "back"/"clear"), with at most `decimals` digits after the
    point. A key that would make the number malformed leaves it unchanged."""
    if key == "clear":
        return ""
    if key == "back":
        return text[:-1]
    if len(text) >= MAX_CHARS:
        return text
    if key == ".":
        if decimals == 0 or "." in text:
            return text
        return (text or "0") + "."
    if not key.isdigit() or len(key) != 1:
        return text
    if "." in text and len(text.split(".", 1)[1]) >= decimals:
        return text
    return key if text == "0" else text + key


def is_touch(event: Any) -> bool:
    """A click made by a finger (the click is a PointerEvent that says which pointer made it)."""
    return str(getattr(event, "pointerType", "") or "") == "touch"


class NumPad(DialogView):
    def __init__(self, title: str, value: str, on_done: Callable[[str], None], *, decimals: int = 2,
                 quick: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__()
        self.text = value
        self.fresh = True  # the shown value goes at the first key, as on a calculator
        self.decimals = decimals
        self.on_done = on_done
        self.display = el("output", "numpad-value", value, id="numpad-value", aria_live="polite")
        keys = [el("button", "key", k, type="button", data_action="key", data_key=k) for row in _ROWS for k in row]
        keys += [el("button", "key", ".", type="button", data_action="key", data_key=".",
                    aria_label=L("pad_point"), disabled=decimals == 0),
                 el("button", "key", "0", type="button", data_action="key", data_key="0"),
                 el("button", "key", "⌫", type="button", data_action="key", data_key="back",
                    aria_label=L("pad_back"))]
        quick_row = el("div", "numpad-quick", id="numpad-quick", children=[
            el("button", "secondary", label, type="button", data_action="quick", data_value=amount)
            for label, amount in quick]) if quick else None
        title_id = "numpad-title"
        self.box = el("div", "card dialog numpad", id="numpad", role="dialog", aria_modal="true",
                      aria_labelledby=title_id, children=[
                          el("h2", None, title, id=title_id), self.display, quick_row,
                          el("div", "numpad-keys", children=keys),
                          el("div", "actions", children=[
                              el("button", "secondary", L("pad_clear"), type="button", data_action="key",
                                 data_key="clear"),
                              el("button", "secondary", L("cancel"), id="numpad-cancel", type="button",
                                 data_action="cancel", data_escape=True),
                              el("button", "primary big", L("pad_ok"), id="numpad-ok", type="button",
                                 data_action="ok")])])
        self.open()
        self.on(self.box, "click", self._on_click)
        self.on(self.box, "keydown", self._on_key)
        self.box.querySelector("#numpad-ok").focus()

    def key(self, key: str) -> None:
        """Press a key of the pad (what a tap on it does)."""
        start = "" if self.fresh and key not in ("back",) else self.text
        self.fresh = False
        self.text = press(start, key, self.decimals)
        self.display.textContent = self.text

    def accept(self, text: str | None = None) -> None:
        value = self.text if text is None else text
        self.close()
        self.on_done(value)

    def _on_click(self, event: Any) -> None:
        action, node = action_of(event)
        if action == "key":
            self.key(str(node.dataset.key))
        elif action == "quick":
            self.accept(str(node.dataset.value))
        elif action == "ok":
            self.accept()
        elif action == "cancel":
            self.close()

    def _on_key(self, event: Any) -> None:
        key = str(event.key)
        if key == "Enter":
            event.preventDefault()
            self.accept()
        elif key == "Backspace":
            event.preventDefault()
            self.key("back")
        elif key in (".", ","):  # a Mexican keyboard may have either on its keypad
            event.preventDefault()
            self.key(".")
        elif len(key) == 1 and key.isdigit():
            event.preventDefault()
            self.key(key)
