"""Fixtures for the POS end-to-end tests: one ERP per module (Pyodide boots take seconds) and a fresh browser
profile per test, from tests/e2e/harness.py (which says what they are). The names are re-exported for the
modules that import them from here.
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import CHROMIUM, DEMO_CUSTOMERS, DEMO_PRODUCTS, ROOT, Browser, ErpProcess
from tests.suites import require

__all__ = ["ROOT", "Browser", "ErpProcess", "browser", "erp", "playwright"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="module")
def erp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ErpProcess]:
    require("browser", Path(CHROMIUM).exists(), CHROMIUM, "apt-get install -y chromium")
    if not (ROOT / "web" / "vendor" / "manifest.json").exists():
        pytest.fail("web/vendor is not built: run `make setup` (node scripts/pyodide/build_runtime.mjs)")
    server = ErpProcess(tmp_path_factory.mktemp("erp"))
    server.caja("migrate")
    # No cashiers: these tours sell as a shop without shifts does (no PIN, no shift); the shifts tour adds its own.
    server.caja("demo", "--products", str(DEMO_PRODUCTS), "--customers", str(DEMO_CUSTOMERS), "--no-cashiers")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # Chromium's own stderr (why a renderer crashed) then shows in a failing test's captured output, and
    # tests/conftest.py prints its last lines at the end of the run.
    os.environ.setdefault("DEBUG", "pw:browser")
    with sync_playwright() as p:
        yield p


@pytest.fixture
def browser(playwright: Any, erp: ErpProcess, tmp_path: Path) -> Iterator[Browser]:
    b = Browser(playwright, tmp_path / "profile", erp.url)
    try:
        yield b
    finally:
        b.close()
        shutil.rmtree(tmp_path / "profile", ignore_errors=True)
