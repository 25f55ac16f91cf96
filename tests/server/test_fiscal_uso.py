"""The ERP refuses a synced factura whose UsoCFDI c_UsoCFDI forbids for the customer's régimen (fiscal)."""
from __future__ import annotations

from typing import Any

from tests.server.harness import Erp, catalog_items, make_sale, post_sales, sellable

CUSTOMER = {"id": None, "uuid": None, "name": "Juan Pérez", "rfc": "PEJJ800101AB1", "regimen_fiscal": "612",
            "codigo_postal": "44100", "uso_cfdi": "G01", "email": None}


def test_fiscal_sync_rejects_uso_cfdi_the_regimen_cannot_use(erp: Erp) -> None:
    h = erp.pair()
    items = sellable(catalog_items(erp, h))
    sale: dict[str, Any] = make_sale(items[:1], 1, sale_type="factura", customer=CUSTOMER)
    # A till that skipped the check: régimen 616 (sin obligaciones) with G01, which the PAC answers CFDI40161.
    sale["customer"] |= {"regimen_fiscal": "616"}
    [res] = post_sales(erp, h, sale)
    assert res["status"] == "rejected" and res["error"] == "uso_cfdi_regimen"
    assert "c_UsoCFDI" in res["message"]
    assert erp.scalar("SELECT count(*) FROM sales") == 0
    good = make_sale(items[:1], 2, sale_type="factura", customer=CUSTOMER)
    [ok] = post_sales(erp, h, good)
    assert ok["status"] == "accepted" and ok["series"] == "F"
