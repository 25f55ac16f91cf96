"""Tour helpers for the first open: pairing and the catalog/customers load with its progress bars."""
from __future__ import annotations

from typing import Any

from tests.e2e.conftest import BOOT_TIMEOUT_MS, RENDERER_CRASHES


def open_pos(page: Any, origin: str) -> Any:
    """Open /pos/ until its first screen shows; returns the page to go on with.

    Chromium's renderer crashed once in ~600 boots here, on a fresh profile, before any of our code could matter
    (CI, 2026-11-30: "Page crashed" while Pyodide started). One retry in a new tab of the same profile, recorded and
    printed in the run's summary (`chromium: renderer crashed …`), so a crash that repeats still fails the test.
    """
    from playwright.sync_api import Error as PlaywrightError

    try:
        page.goto(f"{origin}/pos/")
        page.wait_for_selector("#pair-code, #search", timeout=BOOT_TIMEOUT_MS)
        return page
    except PlaywrightError as exc:
        if "crashed" not in str(exc).lower():
            raise
        RENDERER_CRASHES.append(str(exc).splitlines()[0])
    page = page.context.new_page()
    page.goto(f"{origin}/pos/")
    page.wait_for_selector("#pair-code, #search", timeout=BOOT_TIMEOUT_MS)
    return page


def pair(page: Any, code: str) -> None:
    page.fill("#pair-code", code)
    page.click("button[data-action=pair]")


def wait_catalog_loaded(page: Any) -> tuple[str, str]:
    """Wait for the selling screen after the first load; returns the final % of products and customers."""
    page.wait_for_selector("#search", timeout=BOOT_TIMEOUT_MS)
    return (page.get_attribute("#load-catalog", "data-pct"), page.get_attribute("#load-customers", "data-pct"))
