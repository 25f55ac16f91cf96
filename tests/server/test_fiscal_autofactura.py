"""Self-invoicing on SQLite and PostgreSQL: the till's ticket code (poscore, with the key the terminal got at
pairing) finds the synced remisión on the public page; the customer's data is checked with poscore's rules;
the CFDI is stamped through the same job and downloadable by its link; the remisión then shows as
self-invoiced and no global takes it; a ticket in a global is refused; wrong code, wrong total and a ticket
not synced yet all get the same answer; attempts are throttled."""
from __future__ import annotations

import uuid as uuidlib
from datetime import UTC, datetime, timedelta
from typing import Any

from lxml import etree

from poscore.autofactura import ticket_code
from poscore.sale import Sale
from poscore.ticket import ticket_lines
from server.db.engine import utcnow, write_tx
from server.fiscal import global_cfdi, global_schedule, jobs
from server.fiscal.build import zone_of
from server.fiscal.periods import period_of
from tests.fiscal.pac_standin import TOKEN, StandIn
from tests.server.backoffice_helpers import csrf_of, signed_in
from tests.server.fiscal_setup import configure_csd, configure_pac
from tests.server.harness import SECRET, Erp, catalog_items, make_sale, post_sales, sellable

NS = {"cfdi": "http://www.sat.gob.mx/cfd/4"}
URL = "https://tienda.example.mx/erp/autofactura"
BUYER = {"rfc": "PEPJ800101AB1", "nombre": "Juan Pérez Pérez", "cp": "06000", "regimen": "612", "uso": "G03"}


def _setup(erp: Erp) -> tuple[dict[str, str], dict[str, Any], list[dict[str, Any]]]:
    with write_tx(erp.engine) as conn:
        assert global_schedule.save(conn, "01", False, "601", URL)
    h = erp.pair()
    shop = erp.client.get("/api/terminal", headers=h).json()["terminal"]["shop"]
    assert shop["autofactura_url"] == URL and len(shop["autofactura_key"]) >= 32
    configure_csd(erp)
    return h, shop, sellable(catalog_items(erp, h))


def _ticket(items: list[dict[str, Any]], seq: int, shop: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """A remisión made now and its ticket's code, read from the ticket as the till prints it (offline)."""
    sale = make_sale(items[seq:seq + 2], seq, uuid=str(uuidlib.uuid4()))
    sale["device_time"] = utcnow().astimezone(zone_of("06000")).isoformat(timespec="seconds")
    lines = ticket_lines(Sale.from_json(sale), shop, 58)
    code = next(x.text.split(":")[1].strip() for x in lines if x.text.strip().startswith("Código:"))
    assert [x.qr for x in lines if x.qr] == [f"{URL}?c={code}"]
    return sale, code


def _ask(erp: Erp, code: str, total: str, **buyer: str) -> Any:
    page = erp.client.get(f"/erp/autofactura?c={code}")
    assert page.status_code == 200 and code in page.text
    return erp.client.post("/erp/autofactura", data={"c": code, "total": total, **BUYER, **buyer,
                                                     "csrf_token": csrf_of(page.text)})


def test_fiscal_autofactura_from_ticket_to_stamped_cfdi_and_out_of_the_global(erp: Erp) -> None:
    h, shop, items = _setup(erp)
    sale, code = _ticket(items, 1, shop)
    other, _ = _ticket(items, 3, shop)
    assert all(r["status"] == "accepted" for r in post_sales(erp, h, sale, other))
    with StandIn() as pac:
        configure_pac(erp, pac.url, TOKEN)
        r = _ask(erp, code.lower().replace("-", " "), sale["totals"]["total"])  # typed loosely on a phone
        assert r.status_code == 200 and 'id="af-waiting"' in r.text
        link = next(part.split('"')[0] for part in r.text.split('href="') if part.startswith("/erp/autofactura/"))
        jobs.run_once(erp.engine, SECRET)
        jobs.run_once(erp.engine, SECRET)
        done = erp.client.get(link)
        assert 'id="af-done"' in done.text, done.text
        xml = erp.client.get(f"{link}/factura.xml")
        assert xml.status_code == 200
        root = etree.fromstring(xml.content)
        assert root.find("cfdi:Receptor", NS).get("Rfc") == BUYER["rfc"]
        assert root.get("Total") == sale["totals"]["total"]
        assert erp.client.get(link[:-4] + "0000/factura.xml").status_code == 404  # the link's token matters
        # Asked again with the same data: the same CFDI, not a second one.
        again = _ask(erp, code, sale["totals"]["total"])
        assert 'id="af-done"' in again.text and erp.scalar("SELECT count(*) FROM cfdis") == 1
    # The back office shows it self-invoiced, and the day's global leaves it out.
    client = signed_in(erp)
    folio = "{}-{}".format(*erp.sql("SELECT series, folio FROM sales WHERE uuid = :u", u=sale["uuid"])[0])
    assert folio not in client.get("/erp/ventas/remisiones").text  # it moved to Facturas
    facturas = client.get("/erp/ventas/facturas").text
    assert folio in facturas
    xml_link = next(p.split('"')[0] for p in facturas.split('href="') if p.startswith("/erp/ventas-cfdi/"))
    assert client.get(xml_link).content == xml.content  # the back office has the same CFDI
    day = period_of("01", utcnow().astimezone(zone_of("06000")).date())
    with erp.engine.connect() as conn:
        assert [t["id"] for t in global_cfdi.preview(conn, day, zone_of("06000")).tickets] == [
            erp.scalar("SELECT id FROM sales WHERE uuid = :u", u=other["uuid"])]


def test_fiscal_autofactura_refusals_reveal_nothing_and_are_throttled(erp: Erp) -> None:
    h, shop, items = _setup(erp)
    sale, code = _ticket(items, 1, shop)
    unsynced, unsynced_code = _ticket(items, 2, shop)
    post_sales(erp, h, sale)
    bad_uso = _ask(erp, code, sale["totals"]["total"], regimen="616", uso="G01")
    assert bad_uso.status_code == 400  # c_UsoCFDI: régimen 616 cannot use G01 (poscore's matrix)
    wrong_total = _ask(erp, code, "1.00")
    wrong_code = _ask(erp, ticket_code("x" * 32, sale["uuid"], "T01", sale["number"], sale["totals"]["total"]),
                      sale["totals"]["total"])
    not_synced = _ask(erp, unsynced_code, unsynced["totals"]["total"])
    for r in (wrong_total, wrong_code, not_synced):
        assert r.status_code == 404 and "aún no llega" in r.text
    assert wrong_total.text.count("af-error") == not_synced.text.count("af-error")
    # Per ticket code: a few wrong totals, then even the right one waits.
    for _ in range(4):
        _ask(erp, code, "2.00")
    assert _ask(erp, code, sale["totals"]["total"]).status_code == 429


def test_fiscal_autofactura_ticket_in_a_global_is_refused(erp: Erp) -> None:
    h, shop, items = _setup(erp)
    sale, code = _ticket(items, 1, shop)
    post_sales(erp, h, sale)
    zone = zone_of("06000")
    global_cfdi.issue(erp.engine, period_of("01", utcnow().astimezone(zone).date()), zone,
                      datetime.now(UTC))
    r = _ask(erp, code, sale["totals"]["total"])
    assert r.status_code == 409 and "factura global" in r.text
    assert erp.scalar("SELECT count(*) FROM cfdis WHERE kind = 'autofactura'") == 0


def test_fiscal_autofactura_in_a_stamped_global_goes_through_an_egreso(erp: Erp) -> None:
    h, shop, items = _setup(erp)
    sale, code = _ticket(items, 1, shop)
    other, _ = _ticket(items, 3, shop)
    post_sales(erp, h, sale, other)
    with write_tx(erp.engine) as conn:
        assert global_schedule.save(conn, "01", False, "601", URL, True)
    zone = zone_of("06000")
    now = datetime.now(UTC)
    with StandIn() as pac:
        configure_pac(erp, pac.url, TOKEN)
        gid = global_cfdi.issue(erp.engine, period_of("01", now.astimezone(zone).date()), zone, now)
        jobs.run_once(erp.engine, SECRET, now)
        jobs.run_once(erp.engine, SECRET, now)
        global_uuid = erp.scalar("SELECT uuid FROM cfdis WHERE id = :i", i=gid)
        r = _ask(erp, code, sale["totals"]["total"])
        assert r.status_code == 200 and 'id="af-waiting"' in r.text
        link = next(part.split('"')[0] for part in r.text.split('href="') if part.startswith("/erp/autofactura/"))
        # The egreso first (sealed, then stamped); the customer's CFDI only after it.
        for minutes in (0, 1, 2, 3):
            jobs.run_once(erp.engine, SECRET, now + timedelta(minutes=minutes))
        rows = {r.kind: r for r in erp.sql("SELECT kind, state, xml, stamped_at FROM cfdis")}
        assert rows["egreso"].state == "timbrada" and rows["autofactura"].state == "timbrada"
        assert rows["egreso"].stamped_at <= rows["autofactura"].stamped_at
        egreso = etree.fromstring(rows["egreso"].xml.encode())
        assert egreso.get("TipoDeComprobante") == "E" and egreso.get("Total") == sale["totals"]["total"]
        rel = egreso.find("cfdi:CfdiRelacionados", NS)
        assert rel.get("TipoRelacion") == "01" and rel.find("cfdi:CfdiRelacionado", NS).get("UUID") == global_uuid
        assert 'id="af-done"' in erp.client.get(link).text
    # The global no longer covers that ticket; the customer's CFDI does (one live cover).
    sale_id = erp.scalar("SELECT id FROM sales WHERE uuid = :u", u=sale["uuid"])
    assert [r.kind for r in erp.sql("SELECT c.kind FROM cfdi_sales cs JOIN cfdis c ON c.id = cs.cfdi_id "
                                    "WHERE cs.sale_id = :s AND cs.released_at IS NULL", s=sale_id)] == ["autofactura"]
