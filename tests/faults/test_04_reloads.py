"""Fault 4 — 20 reloads in a row while offline, and a new app version deployed while sales are pending.

Injected for real:
- Reloads: offline (service worker in control, network cut), the cashier sells one item and the page is
  reloaded at once, twenty times over: every boot comes from the service worker cache and IndexedDB only.
- New version: the ERP serves the POS from a copy of web/ (setting CAJA_POS_DIR, so the checkout is never
  touched). With sales pending, a new build is deployed into that copy the way `make setup` does it — a new
  app-<hash>.zip (with changed Python code), a new vendor/manifest.json, the old zip removed — while the API is
  still unreachable from the till (its requests aborted), so the sales are still pending when the new version takes over. The
  till reloads online: that open runs the version it has cached (web/sw.js answers an open from its cache, never
  waiting for the network) and finds the new one, which its service worker downloads meanwhile; the next open runs
  the new version. Then the till goes offline again and reloads (it must keep running the new version from its
  cache), and back online.

Proves: after each reload the sale just made is listed and pending under the number shown, the badge counts all
of them, and the numbering strictly increases with no number reused; the new version boots and keeps booting
offline with every pending sale intact; back online each sale reaches the ERP exactly once (ledger).

Found with it: a deploy leaves sw.js byte for byte the same, so the browser never installed a new worker; the
till ran the new version online but its cache kept the old one, and every offline boot ran the old code.
web/boot/shell.mjs now registers `sw.js?v=<app>-<runtime>` (from vendor/manifest.json).
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import header, menu, selling
from tests.e2e import tour_sales as ts
from tests.e2e.conftest import ROOT, Browser, ErpProcess
from tests.faults.conftest import Scenario, folio_gaps, half_saved
from tests.faults.till import local_records, sell

RELOADS = 20
NEW_LABEL = "nueva versión"  # the new build's visible change: its Python code says so in Acerca de


def _seq(number: str) -> int:
    return int(number.rsplit("-", 1)[1])


def _reload_offline(page: Any, pending: int) -> None:
    page.reload()
    selling.wait_ready(page)
    header.wait_wifi(page, "offline")
    header.wait_pending(page, pending)


def test_twenty_offline_reloads_with_sales_in_between(browser: Browser, erp: ErpProcess,
                                                      ledger: Scenario) -> None:
    products = ts.sellable(erp, 4, skip=8)
    page = ts.pair_and_load(browser, erp)
    header.wait_service_worker(page)
    browser.context.set_offline(True)
    header.wait_wifi(page, "offline")

    for i in range(RELOADS):
        number = ledger.sold(sell(page, products[i % len(products)]))
        _reload_offline(page, i + 1)
        shown = menu.local_sales(page)
        assert shown.get(number, "").startswith("Pendiente"), (number, shown)
        assert sorted(shown) == sorted(ledger.made), shown  # nothing lost, nothing extra
        seqs = [_seq(n) for n in ledger.made]
        assert seqs == sorted(set(seqs)), ledger.made  # strictly increasing: no number reused

    stored = local_records(page)
    assert sorted(r["number"] for r in stored if r["number"] in ledger.made) == sorted(ledger.made)
    assert len({r["uuid"] for r in stored}) == len(stored)

    browser.context.set_offline(False)
    header.wait_pending(page, 0, timeout=120_000)
    ledger.assert_exactly_once()
    assert folio_gaps(erp) == {} and half_saved(erp) == []
    assert browser.console_errors == []


# ---------- a new app version, deployed like `make setup` does ----------
@pytest.fixture
def pos_dir(erp: ErpProcess, tmp_path: Path) -> Iterator[Path]:
    """The ERP restarted to serve the POS from a copy of web/ (CAJA_POS_DIR); the checkout is never written."""
    target = tmp_path / "pos"
    shutil.copytree(ROOT / "web", target, ignore=shutil.ignore_patterns("__pycache__", "*.py", ".*"))
    erp.env["CAJA_POS_DIR"] = str(target)
    erp.stop()
    erp.start()
    try:
        yield target
    finally:
        del erp.env["CAJA_POS_DIR"]
        erp.stop()
        erp.start()


def _deploy_new_version(pos: Path) -> str:
    """A new build into the served directory: new app zip (labels.py changed, so the new code shows itself), then
    the manifest naming it, then the old zip removed — build_runtime.mjs's order. Returns the new app version."""
    vendor = pos / "vendor"
    manifest = json.loads((vendor / "manifest.json").read_text())
    old_zip = vendor / manifest["app_zip"]
    out = io.BytesIO()
    with zipfile.ZipFile(old_zip) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == "caja_pos/text/labels.pyc":
                continue  # the new labels.py is compiled from source in the browser
            data = src.read(info)
            if info.filename == "caja_pos/text/labels.py":
                text = data.decode()
                old = '"version": "Versión de la app {app} · runtime {rt}"'
                assert old in text, "labels.py changed: update this test's new version"
                data = text.replace(old, old[:-1] + f' · {NEW_LABEL}"').encode()
            dst.writestr(info, data)
    new_version = hashlib.sha256(out.getvalue()).hexdigest()[:12]
    (vendor / f"app-{new_version}.zip").write_bytes(out.getvalue())
    manifest.update(app_version=new_version, app_zip=f"app-{new_version}.zip")
    tmp = vendor / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=2) + "\n")
    os.replace(tmp, vendor / "manifest.json")
    old_zip.unlink()
    return new_version


def _running_version(page: Any) -> str:
    """The app version the page booted with (its manifest), checked against what its Python code shows."""
    version = page.evaluate("() => cajaBoot.manifest.app_version")
    assert isinstance(version, str)
    return version


def _about_version_line(page: Any) -> str:
    return next(line for line in menu.about(page).splitlines() if "runtime" in line)


def _caches(page: Any) -> list[str]:
    return list(page.evaluate("async () => (await caches.keys()).filter(n => n.startsWith('caja-pos-'))"))


def _wait_cached(page: Any, version: str, timeout_s: float = 90) -> None:
    """The service worker holds `version` in its cache (so the next offline boot runs it) and no older one.

    Polled from Python: wait_for_function takes an async predicate's Promise for a truthy answer.
    """
    deadline = time.monotonic() + timeout_s
    while not ((names := _caches(page)) and len(names) == 1 and names[0].startswith(f"caja-pos-{version}-")):
        if time.monotonic() > deadline:
            raise AssertionError(f"the service worker cache never held only version {version}: {names}")
        page.wait_for_timeout(250)


def test_new_version_deployed_while_sales_are_pending(browser: Browser, erp: ErpProcess, pos_dir: Path,
                                                      ledger: Scenario) -> None:
    products = ts.sellable(erp, 3, skip=12)
    page = ts.pair_and_load(browser, erp)
    header.wait_service_worker(page)
    old_version = _running_version(page)
    _wait_cached(page, old_version)
    browser.context.set_offline(True)
    header.wait_wifi(page, "offline")
    for p in products:
        ledger.sold(sell(page, p))
    header.wait_pending(page, 3)

    new_version = _deploy_new_version(pos_dir)
    assert new_version != old_version
    # The till sees the server again but not the API yet, so the sales are still pending when the update lands.
    browser.context.route("**/api/**", lambda route: route.abort("connectionrefused"))
    browser.context.set_offline(False)
    page.reload()
    selling.wait_ready(page)
    header.wait_pending(page, 3)
    # This open ran the cached version and found the new one; its worker installs it, the next open runs it.
    assert _running_version(page) == old_version
    _wait_cached(page, new_version)
    page.reload()
    selling.wait_ready(page)
    header.wait_pending(page, 3)
    assert _running_version(page) == new_version
    assert NEW_LABEL in _about_version_line(page)

    # Offline again: the next boot must run the new version from the cache, with every pending sale intact.
    browser.context.set_offline(True)
    browser.context.unroute("**/api/**")
    _reload_offline(page, 3)
    assert _running_version(page) == new_version
    line = _about_version_line(page)
    assert new_version in line and NEW_LABEL in line, line
    shown = menu.local_sales(page)
    assert all(shown.get(n, "").startswith("Pendiente") for n in ledger.made), shown
    last = ledger.sold(sell(page, products[0]))  # the new version sells, numbering continues
    assert _seq(last) > max(_seq(n) for n in ledger.made[:-1])
    header.wait_pending(page, 4)

    browser.context.set_offline(False)
    header.wait_pending(page, 0, timeout=120_000)
    ledger.assert_exactly_once()
    assert folio_gaps(erp) == {} and half_saved(erp) == []
    assert browser.foreign_requests() == []
    assert browser.console_errors == []
