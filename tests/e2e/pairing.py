"""Tour helpers for the first open: pairing and the catalog/customers load with its progress bars."""
from __future__ import annotations

from typing import Any

from tests.e2e.harness import BOOT_TIMEOUT_MS


def open_pos(page: Any, origin: str, path: str = "/pos/") -> Any:
    """Open /pos/ (or `path`, e.g. the shop's address `/`) until its first screen shows; returns the page.

    (A Chromium renderer crash here fails the test and reruns it once: tests/conftest.py.)
    """
    page.goto(f"{origin}{path}")
    page.wait_for_selector("#pair-code, #search", timeout=BOOT_TIMEOUT_MS)
    return page


def help_text(page: Any) -> str:
    """What the pairing screen tells the cashier."""
    return page.inner_text("#pairing")


def pair(page: Any, code: str) -> None:
    page.fill("#pair-code", code)
    page.click("button[data-action=pair]")


def wait_catalog_loaded(page: Any) -> tuple[str, str]:
    """Wait for the selling screen after the first load; returns the final % of products and customers."""
    page.wait_for_selector("#search", timeout=BOOT_TIMEOUT_MS)
    return (page.get_attribute("#load-catalog", "data-pct"), page.get_attribute("#load-customers", "data-pct"))
