"""``ReturnsEntry``: what the Ventas window uses of returns (screens/returns.ReturnsDoor is one), so the window
does not import the returns screen.

Must not hold behaviour: it only names the methods.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol


class ReturnsEntry(Protocol):
    """What Ventas uses of returns (screens/returns.ReturnsDoor is one): the return dialog, a sale's returns, their
    tickets, the marks in the list, and finding a sale by folio or ticket code."""

    def open(self, record: dict, on_back: Callable[[], object]) -> object: ...

    async def section(self, sale_uuid: str) -> Any: ...

    async def ticket_of(self, uuid: str, on_back: Callable[[], object]) -> None: ...

    async def marks(self) -> dict[str, str]: ...

    def find(self, records: list[dict], text: str) -> dict | None: ...

    def search_box(self) -> Any: ...
