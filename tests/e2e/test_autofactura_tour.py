"""The self-invoicing tour: a remisión sold offline at the till, its ticket previewed with the code and the QR drawn by
poscore (SVG) before any sync, then synced; the customer opens the invoicing page on a phone-sized browser from the QR's address,
types the total and their tax data, and downloads the stamped CFDI (PAC stand-in); the back office lists the
sale under Facturas, and the day's factura global leaves it out.

Uses the POS engineer's fixtures and tour helpers; the public page and back office are plain HTML pages.
"""
from __future__ import annotations

import re
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from tests.e2e import header, menu, payment, selling, tour_sales
from tests.e2e.conftest import Browser, ErpProcess
from tests.e2e.test_fiscal_tour import _configure_pac
from tests.fiscal.pac_standin import StandIn

BUYER = {"rfc": "PEPJ800101AB1", "nombre": "Juan Pérez Pérez", "cp": "06000"}


def test_remision_ticket_self_invoiced_on_a_phone_and_left_out_of_the_global(browser: Browser,
                                                                          erp: ErpProcess) -> None:
    invoicing = f"{erp.url}/erp/autofactura"
    # The shop's public invoicing address, set before the till pairs (the till learns it with its ticket key).
    tour_sales.erp_execute(erp, "INSERT OR IGNORE INTO fiscal_settings (id, pac, pac_production) VALUES (1, '', 0)")
    tour_sales.erp_execute(erp, "UPDATE fiscal_settings SET autofactura_url = ? WHERE id = 1", invoicing)
    product = tour_sales.sellable(erp, 1)[0]
    pos = tour_sales.pair_and_load(browser, erp)
    header.wait_service_worker(pos)
    browser.context.set_offline(True)  # the ticket is printed before the ERP has seen the sale
    header.wait_wifi(pos, "offline")
    selling.scan(pos, product["barcodes"][0])
    selling.wait_cart_lines(pos, 1)
    number = payment.pay_cash_exact(pos)
    header.wait_pending(pos, 1)
    tour_sales.open_sales(pos)
    tour_sales.open_sale(pos, number)
    ticket = tour_sales.open_ticket(pos)
    code = re.search(r"Código: ([0-9A-Z]{5}-[0-9A-Z]{5})", ticket).group(1)  # type: ignore[union-attr]
    assert "Facture su compra en:" in ticket and "Folio pendiente" in ticket
    assert pos.locator("#ticket .qr svg path").count() == 1  # the QR, drawn in the page by poscore
    pos.click("#ticket-back")
    tour_sales.close(pos)
    browser.context.set_offline(False)
    header.wait_wifi(pos, "online")
    assert menu.sync_sales(pos) == "La sincronización se ha realizado correctamente"
    header.wait_pending(pos, 0)
    [(total_cents, series, folio_no)] = tour_sales.erp_rows(
        erp, "SELECT total, series, folio FROM sales WHERE number = ?", number)
    folio = f"{series}-{folio_no}"

    office = tour_sales.backoffice_page(browser, erp)
    with StandIn() as pac:
        _configure_pac(office, erp.url, pac.url)
        phone = browser.context.new_page()
        phone.set_viewport_size({"width": 390, "height": 844})
        phone.goto(f"{invoicing}?c={code}")  # the QR's address
        assert phone.input_value("input[name=c]") == code
        phone.fill("input[name=total]", f"{total_cents / 100:.2f}")
        phone.fill("input[name=rfc]", BUYER["rfc"])
        phone.fill("input[name=nombre]", BUYER["nombre"])
        phone.fill("input[name=cp]", BUYER["cp"])
        phone.select_option("select[name=regimen]", "612")
        phone.select_option("select[name=uso]", "G03")
        phone.click("#af-submit")
        phone.wait_for_selector("#af-waiting, #af-done")
        deadline = time.monotonic() + 60
        while phone.locator("#af-done").count() == 0:  # the CFDI job stamps in the ERP's background
            assert time.monotonic() < deadline, phone.inner_text("main")
            phone.wait_for_timeout(300)  # between polls of the ERP's state
            phone.reload()
        xml = phone.request.get(erp.url + (phone.get_attribute("#af-xml", "href") or ""))
        assert xml.ok and BUYER["rfc"].encode() in xml.body() and b"TimbreFiscalDigital" in xml.body()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # fits the phone

    office.goto(f"{erp.url}/erp/ventas/facturas")  # the remisión moved to Facturas, with its CFDI
    assert "Timbrada" in office.locator("table.list tbody tr", has_text=folio).inner_text()
    today = datetime.now(ZoneInfo("America/Mexico_City")).date().isoformat()
    office.goto(f"{erp.url}/erp/ventas-global?periodicidad=01&fecha={today}")
    assert folio not in office.inner_text("main")
    assert browser.foreign_requests() == []
