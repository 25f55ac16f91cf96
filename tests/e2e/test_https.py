"""The POS on the shop's network, opened the way a tablet opens it: by a host name that is not loopback.

- Over HTTPS from `caja serve --https` (its own CA), and once through Caddy (`tls internal`): the page is a secure
  context, pairs, loads, sells offline, survives an offline reload and a browser restart (persistent profile),
  and syncs; Terminales records the till as HTTPS; not one request leaves the origin.
- Over plain http on `caja.test`: the blocking "sin HTTPS" banner shows before Python starts, the till still
  pairs once the cashier continues, and its heartbeat makes Terminales show "sin HTTPS" for the device.
"""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import header, menu, pairing, payment, selling
from tests.e2e.harness import CHROMIUM, DEMO_CUSTOMERS, DEMO_PRODUCTS, ROOT, Browser, ErpProcess, erp_rows
from tests.e2e.https_setup import (
    CADDY,
    CERTUTIL,
    HOST,
    CaddyProxy,
    HttpsErp,
    chromium_args,
    nss_home,
    peer_certificate,
    spki_hash,
)
from tests.suites import require

ADMIN, PASSWORD = "gerente", "contraseña-de-prueba-9"


def _prepare(server: ErpProcess) -> ErpProcess:
    if not (ROOT / "web" / "vendor" / "manifest.json").exists():
        pytest.fail("web/vendor is not built: run `make setup`")
    require("browser", Path(CHROMIUM).exists(), CHROMIUM, "apt-get install -y chromium")
    server.caja("migrate")
    server.caja("demo", "--products", str(DEMO_PRODUCTS), "--customers", str(DEMO_CUSTOMERS), "--no-cashiers")
    return server


@pytest.fixture(scope="module")
def https_erp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HttpsErp]:
    server = _prepare(HttpsErp(tmp_path_factory.mktemp("https")))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def caddy(erp: ErpProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CaddyProxy]:
    require("browser", Path(CADDY).exists(), CADDY, "apt-get install -y caddy")
    proxy = CaddyProxy(erp, tmp_path_factory.mktemp("caddy"))
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.stop()


def _browser(playwright: Any, tmp_path: Path, origin: str) -> Browser:
    return Browser(playwright, tmp_path / "profile", origin)


def _terminal_secure(erp: ErpProcess) -> Any:
    return erp_rows(erp, "SELECT secure_context FROM terminals WHERE code = 'T01'")[0][0]


def _product(erp: ErpProcess) -> dict:
    items = erp.api("/api/catalog?since=0&after=0&limit=200")["items"]
    return next(p for p in items if p["sellable"] and p["unit"] == "pieza" and p["barcodes"]
                and float(p["stock"]) >= 20)


def _sell_one(page: Any, product: dict) -> str:
    selling.scan(page, product["barcodes"][0])
    selling.wait_cart_lines(page, 1)
    return payment.pay_cash_exact(page)


def _offline_story(browser: Browser, erp: ErpProcess, origin: str, args: tuple[str, ...]) -> Any:
    product = _product(erp)
    page = pairing.open_pos(browser.open(args=args), origin)
    assert page.evaluate("() => [isSecureContext, 'serviceWorker' in navigator, !!navigator.locks]") == \
        [True, True, True]
    assert page.is_hidden("#insecure")
    pairing.pair(page, erp.pairing_code())
    assert pairing.wait_catalog_loaded(page) == ("100", "100")
    selling.wait_ready(page)
    header.wait_wifi(page, "online")
    header.wait_service_worker(page)

    browser.context.set_offline(True)
    header.wait_wifi(page, "offline")
    first = _sell_one(page, product)
    header.wait_pending(page, 1)
    page.reload()  # offline: only the service worker can answer
    selling.wait_ready(page)
    header.wait_pending(page, 1)

    browser.close()  # the till's browser restarts, still without network
    page = pairing.open_pos(browser.open(offline=True, args=args), origin)
    selling.wait_ready(page)
    header.wait_pending(page, 1)
    second = _sell_one(page, product)
    assert second != first
    header.wait_pending(page, 2)

    browser.context.set_offline(False)
    header.wait_wifi(page, "online")
    assert menu.sync_sales(page) == "La sincronización se ha realizado correctamente"
    header.wait_pending(page, 0)
    sales = menu.local_sales(page)
    assert sales[first].startswith("Sincronizada") and sales[second].startswith("Sincronizada"), sales
    stored = {f"T01-{r[0]:06d}" for r in erp_rows(
        erp, "SELECT s.seq FROM sales s JOIN terminals t ON t.id = s.terminal_id WHERE t.code = 'T01'")}
    assert {first, second} <= stored  # both offline sales reached the ERP
    assert _terminal_secure(erp) in (1, True)
    assert browser.foreign_requests() == []
    return page


def test_caja_serve_https_by_a_lan_name_works_offline_and_syncs(playwright: Any, https_erp: HttpsErp,
                                                                 tmp_path: Path) -> None:
    require("browser", Path(CERTUTIL).exists(), CERTUTIL, "apt-get install -y libnss3-tools")
    peer_certificate(https_erp.port, https_erp.ca_file)  # the server answers, verified against the install's CA
    browser = _browser(playwright, tmp_path, https_erp.url)
    # The install's CA in the browser's certificate store, as on a tablet: no SPKI shortcut, Chromium verifies.
    browser.env = nss_home(tmp_path / "home", https_erp.ca_file)
    try:
        page = _offline_story(browser, https_erp, https_erp.url, (f"--host-resolver-rules=MAP {HOST} 127.0.0.1",))
        # The CA a tablet installs is downloadable from the server it protects, and it is the certificate only.
        status, body = page.evaluate("async () => { const r = await fetch('/erp/ca.crt'); "
                                     "return [r.status, await r.text()]; }")
        assert status == 200 and body.encode() == https_erp.ca_file.read_bytes() and "PRIVATE" not in body
    finally:
        browser.close()
        shutil.rmtree(tmp_path / "profile", ignore_errors=True)


def test_behind_caddy_with_tls_internal(playwright: Any, erp: ErpProcess, caddy: CaddyProxy,
                                        tmp_path: Path) -> None:
    leaf = peer_certificate(caddy.port, caddy.root_ca)  # Caddy's leaf for caja.test, from its local CA
    browser = _browser(playwright, tmp_path, caddy.url)
    try:
        _offline_story(browser, erp, caddy.url, chromium_args(spki_hash(leaf)))
    finally:
        browser.close()
        shutil.rmtree(tmp_path / "profile", ignore_errors=True)


def test_plain_http_on_a_lan_name_blocks_with_sin_https_and_terminales_shows_it(
        playwright: Any, erp: ErpProcess, tmp_path: Path) -> None:
    origin = f"http://{HOST}:{erp.port}"
    browser = _browser(playwright, tmp_path, origin)
    try:
        page = browser.open(args=(f"--host-resolver-rules=MAP {HOST} 127.0.0.1",))
        page.goto(f"{origin}/pos/")
        # Shown by the shell, before the runtime: visible and covering the page.
        page.wait_for_selector("#insecure", state="visible")
        assert page.evaluate("() => isSecureContext") is False
        assert "Sin HTTPS esta caja no podrá abrirse sin conexión" in page.inner_text("#insecure-title")
        assert "caja serve --https" in page.inner_text("#insecure-fix")
        assert page.evaluate("() => document.elementFromPoint(innerWidth / 2, innerHeight / 2).closest('#insecure') "
                             "!== null")  # blocking: the middle of the screen is the banner
        page.click("#insecure-continue")
        page.wait_for_selector("#pair-code", timeout=90_000)
        assert page.is_visible("#insecure-title")  # a strip stays
        pairing.pair(page, erp.pairing_code())
        # The catalog feed after pairing is a bearer call with X-Caja-Secure-Context: 0, recorded at once.
        assert pairing.wait_catalog_loaded(page) == ("100", "100")
        assert _terminal_secure(erp) in (0, False)
        # In English once the till is set so (the shell paints Spanish; Python translates from the labels).
        menu.set_language(page, "en")
        assert page.inner_text("#insecure-title") == "Without HTTPS this till cannot open offline"  # the strip too
        page.reload()
        page.wait_for_function("() => document.getElementById('insecure-title').textContent === "
                               "'Without HTTPS this till cannot open offline'", timeout=90_000)
        assert page.is_visible("#insecure-continue")  # blocking again after a reload

        erp.caja("create-admin", "--username", ADMIN, "--password-stdin", stdin=PASSWORD + "\n")
        office = browser.context.new_page()
        office.goto(f"{origin}/erp/")
        office.fill("input[name=username]", ADMIN)
        office.fill("input[name=password]", PASSWORD)
        office.click("form.narrow button[type=submit]")
        office.wait_for_selector("nav.tabs, nav.main-nav")
        office.goto(f"{origin}/erp/terminales")
        assert "sin HTTPS" in office.inner_text(".secure-no")
        assert browser.foreign_requests() == []
    finally:
        browser.close()
        shutil.rmtree(tmp_path / "profile", ignore_errors=True)
