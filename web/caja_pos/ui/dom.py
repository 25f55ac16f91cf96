"""Tiny DOM helpers for the POS screens: build elements with text (never HTML strings), find them, listen.

Why: every text shown comes through `textContent`, so a product or customer name can never inject markup
(the CSP is the second wall). Screens listen through their View (ui/view.py), one delegated listener per
container; `on` here is for the page's own, lifelong listeners.

Must not hold business rules or talk to IndexedDB/the network, nor import `js` itself (platform.py does).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from caja_pos import platform
from caja_pos.platform import by_id

__all__ = ["action_of", "by_id", "el", "on", "replace", "show"]


def el(tag: str, cls: str | None = None, text: str | None = None, children: list[Any] | None = None,
       **attrs: str | int | bool | None) -> Any:
    """A new element; attrs with `_` map to `-` (data_action → data-action); False/None are skipped."""
    node = platform.document().createElement(tag)
    if cls:
        node.className = cls
    if text is not None:
        node.textContent = text
    for key, value in attrs.items():
        if value is None or value is False:
            continue
        name = key.rstrip("_").replace("_", "-")
        node.setAttribute(name, "" if value is True else str(value))
    for child in children or ():
        if child is not None:
            node.append(child)
    return node


def replace(node: Any, *children: Any) -> None:
    node.replaceChildren(*[c for c in children if c is not None])


def on(node: Any, event: str, handler: Callable[[Any], Any], capture: bool = False) -> None:
    """Listen for the page's life: only for what lives as long as the page (the header's buttons). A screen or a
    dialog listens with `View.on`, which it removes when it goes (ui/view.py)."""
    platform.listen(node, event, handler, capture)


def action_of(event: Any) -> tuple[str | None, Any]:
    """The `data-action` of the clicked element or its closest ancestor, and that element."""
    target = event.target
    if not hasattr(target, "closest"):
        return None, None
    node = target.closest("[data-action]")
    # No match is JS null, which Pyodide passes as JsNull (not None): test for an element instead.
    if not hasattr(node, "dataset"):
        return None, None
    return node.dataset.action, node


def show(node: Any, visible: bool = True) -> None:
    node.hidden = not visible
