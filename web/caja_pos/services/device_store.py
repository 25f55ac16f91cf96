"""What screens may ask of this device's store, as small Protocols that `storage.Storage` satisfies.

A screen is handed the store typed as one of these (never `Storage` itself, which belongs to the services' layer),
so its constructor says which records it reads and writes, and a test can pass a fake with just those methods.

Must not hold code: the store is storage.py; the sending is services/outbox.py.
"""
from __future__ import annotations

from typing import Any, Protocol


class Settings(Protocol):
    """The device's key/value settings (language, ticket width, days synced sales are kept)."""

    async def get(self, key: str, default: Any = None) -> Any: ...

    async def put(self, key: str, value: Any) -> None: ...


class SalesRecords(Settings, Protocol):
    """The sales stored on this device (Ventas) and the stock they took."""

    async def sales(self) -> list[dict]: ...

    async def sales_page(self, limit: int, states: list[str] | None = None,
                         uuids: list[str] | None = None) -> list[dict]: ...

    async def sale(self, uuid: str) -> dict | None: ...

    async def stock_deltas(self) -> list[dict]: ...

    async def returns(self) -> list[dict]: ...


class CustomerStore(Protocol):
    """Customers created offline, kept until the ERP knows them."""

    async def add_local_customer(self, customer: dict) -> None: ...


class DeviceInfo(Settings, Protocol):
    """What Acerca de and "Datos sincronizados" show of the device's storage (the returns: those the ERP
    rejected stay listed there with the reason)."""

    async def request_persist(self) -> bool: ...

    async def returns(self) -> list[dict]: ...

    async def estimate(self) -> dict: ...
