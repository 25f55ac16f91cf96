"""The view lifecycle under every screen and dialog: a view listens through `self.on(...)`, and `destroy()` removes
those listeners and destroys their proxies.

Why: a listener is a JS proxy of a Python function, and the function closes over the screen and its DOM; a proxy
nobody destroys keeps both alive for the page's life. A till that sells all day opened one payment dialog per
sale and built a new selling screen per language switch, and each left its listeners behind.

Must not build DOM or hold text: screens do; this only owns what a screen listens to.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from caja_pos import platform


class View:
    def __init__(self) -> None:
        self._removers: list[Callable[[], None]] = []
        self.destroyed = False

    def on(self, node: Any, event: str, handler: Callable[[Any], Any], capture: bool = False) -> None:
        """Listen until this view is destroyed; `capture`: before the target's own listeners."""
        self._removers.append(platform.listen(node, event, handler, capture))

    def destroy(self) -> None:
        """Remove every listener of this view and destroy its proxy; safe to call twice."""
        removers, self._removers = self._removers, []
        for remove in reversed(removers):
            remove()
        self.destroyed = True
