"""Tour helpers for the header: the wifi icon and the sync icon with its pending badge."""
from __future__ import annotations

from typing import Any


def wait_wifi(page: Any, state: str, timeout: int = 20_000) -> None:
    """Wait until the wifi icon shows `online` (green) or `offline` (red)."""
    page.wait_for_function("s => document.getElementById('wifi-icon').dataset.state === s", arg=state,
                           timeout=timeout)


def wait_pending(page: Any, count: int, timeout: int = 20_000) -> None:
    """Wait until the sync icon's badge says `count` (0 = green, nothing pending)."""
    page.wait_for_function("n => document.getElementById('sync-icon').dataset.count === String(n)", arg=count,
                           timeout=timeout)


def wait_service_worker(page: Any) -> None:
    """The POS page is controlled by its service worker (needed before cutting the network)."""
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null",
                           timeout=60_000)


def boot_marks(page: Any) -> dict:
    return page.evaluate("() => JSON.parse(JSON.stringify(globalThis.cajaBoot ? cajaBoot.marks : {}))")

