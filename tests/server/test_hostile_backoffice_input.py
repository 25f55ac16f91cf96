"""Back-office URLs and forms with numbers no database column holds: 404 or 400, never a 500.

Proves, on SQLite and PostgreSQL (whose INTEGER ids stop at 2**31-1 and BIGINT at 2**63-1), that ids in page
paths, page numbers and id fields of forms beyond those ranges are answered as "not found" or "invalid".
"""
from __future__ import annotations

import pytest

from tests.server.backoffice_helpers import post_form, signed_in
from tests.server.harness import Erp

HUGE = ["2147483648", "9223372036854775808", "99999999999999999999", "9" * 400]
URLS = ["/erp/ventas/venta/{n}", "/erp/productos/{n}", "/erp/clientes/{n}", "/erp/terminales/{n}",
        "/erp/ventas/remisiones?pagina={n}", "/erp/ventas/facturas?pagina={n}", "/erp/productos?pagina={n}",
        "/erp/clientes?pagina={n}", "/erp/ventas-canceladas?pagina={n}", "/erp/ventas-existencia-negativa?pagina={n}",
        "/erp/ventas/remisiones?terminal={n}", "/erp/ventas/remisiones.csv?pagina={n}&terminal={n}"]


@pytest.mark.parametrize("n", HUGE)
def test_huge_numbers_in_urls_are_404_or_400(erp: Erp, n: str) -> None:
    client = signed_in(erp)
    for url in URLS:
        r = client.get(url.format(n=n), follow_redirects=False)
        assert r.status_code in (200, 400, 404), (url, r.status_code)
        if "pagina" in url and "csv" not in url:
            assert r.status_code in (400, 404), url


def test_huge_ids_in_forms_are_refused(erp: Erp) -> None:
    client = signed_in(erp)
    n = "99999999999999999999"
    r = post_form(client, "/erp/terminales/nueva", {"code": "T77", "name": "x", "branch_id": n, "warehouse_id": n,
                                                    "price_list_id": n, "series_remision": "R77",
                                                    "series_factura": "F77"})
    assert r.status_code == 400
    r = post_form(client, "/erp/clientes/nuevo", {"name": "Cliente", "price_list_id": n})
    assert r.status_code in (200, 303, 400)
    for path in (f"/erp/terminales/{n}/codigo", f"/erp/terminales/{n}/revocar", f"/erp/productos/{n}",
                 f"/erp/clientes/{n}"):
        r = post_form(client, path, {"name": "x"}, page_url="/erp/productos")
        assert r.status_code in (400, 404), (path, r.status_code)
