"""The fiscal tour: a factura sold offline at the till, synced when the network returns, the shop's CSD and PAC
set up in Datos fiscales, the CFDI stamped in the background (through satcfdi's SW Sapien client against a local
stand-in of its protocol), and its PDF downloaded from Ventas → CFDI.

Uses the POS engineer's fixtures and tour helpers; back-office steps are plain HTML pages.
"""
from __future__ import annotations

import time
from typing import Any

from server.fiscal.testcert import make_csd
from tests.e2e import header, menu, payment, selling, tour_sales
from tests.e2e.conftest import Browser, ErpProcess
from tests.fiscal.pac_standin import TOKEN, StandIn

SHOP_RFC = "EKU9003173C9"  # the demo shop's RFC


def _upload_csd(office: Any, origin: str) -> None:
    cer, key, password = make_csd(SHOP_RFC, "ABARROTES LA ESPERANZA")
    office.goto(f"{origin}/erp/fiscal")
    assert office.locator("#pac-missing").is_visible()  # "sin timbrar" said plainly
    office.set_input_files("input[name=cer]", {"name": "csd.cer", "mimeType": "application/octet-stream",
                                               "buffer": cer})
    office.set_input_files("input[name=key]", {"name": "csd.key", "mimeType": "application/octet-stream",
                                               "buffer": key})
    office.fill("input[name=password]", password)
    office.click("form[action='/erp/fiscal/csd'] button[type=submit]")
    office.wait_for_selector("#csd-number")


def _configure_pac(office: Any, origin: str, url: str) -> None:
    office.goto(f"{origin}/erp/fiscal")
    office.select_option("select[name=pac]", "swsapien")
    office.fill("input[name=secret]", TOKEN)
    office.fill("input[name=url]", url)
    office.click("form[action='/erp/fiscal/pac'] button[type=submit]")
    office.wait_for_selector("p.notice")


def _wait_stamped(office: Any, origin: str, folio: str) -> Any:
    """Reload Ventas → CFDI (timbrada) until the factura's row shows: the job runs in the ERP's background."""
    deadline = time.monotonic() + 60
    while True:
        office.goto(f"{origin}/erp/ventas-cfdi?estado=timbrada")
        row = office.locator("table.list tbody tr", has_text=folio)
        if row.count() == 1:
            return row
        assert time.monotonic() < deadline, office.inner_text("main")
        office.wait_for_timeout(300)  # between polls of the ERP's state


def test_factura_sold_offline_is_stamped_and_its_pdf_downloaded(browser: Browser, erp: ErpProcess) -> None:
    # Read through the API before the browser pairs: erp.api pairs the demo terminal itself.
    customer = tour_sales.factura_customer(erp)
    product = tour_sales.sellable(erp, 1)[0]
    pos = tour_sales.pair_and_load(browser, erp)
    header.wait_service_worker(pos)
    browser.context.set_offline(True)
    header.wait_wifi(pos, "offline")
    selling.pick_customer(pos, customer["rfc"], customer["name"])
    selling.set_type(pos, "factura")
    selling.scan(pos, product["barcodes"][0])
    selling.wait_cart_lines(pos, 1)
    number = payment.pay_cash_exact(pos)
    header.wait_pending(pos, 1)

    browser.context.set_offline(False)
    header.wait_wifi(pos, "online")
    assert menu.sync_sales(pos) == "La sincronización se ha realizado correctamente", menu.local_sales(pos)
    header.wait_pending(pos, 0)
    [(series, folio_no)] = tour_sales.erp_rows(erp, "SELECT series, folio FROM sales WHERE number = ?", number)
    folio = f"{series}-{folio_no}"

    office = tour_sales.backoffice_page(browser, erp)
    _upload_csd(office, erp.url)
    with StandIn() as pac:
        _configure_pac(office, erp.url, pac.url)
        row = _wait_stamped(office, erp.url, folio)
        uuid = row.locator("td.uuid").inner_text().strip()
        assert len(uuid) == 36 and pac.requests == ["/v4/cfdi33/stamp/v4"]
        with office.expect_download() as download:
            row.locator("a[href$='.pdf']").click()
        pdf = download.value.path().read_bytes()
        assert pdf.startswith(b"%PDF")
    assert browser.foreign_requests() == []
