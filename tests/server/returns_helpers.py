"""Helpers for the returns tests: a second till, a synced sale, and a RETURN made the way a till makes it."""
from __future__ import annotations

import uuid as uuidlib
from decimal import Decimal
from typing import Any

from poscore.returns import make_return
from poscore.sale import Sale
from server.db.engine import write_tx
from server.terminals import create_terminal
from tests.server.harness import Erp


def second_till(erp: Erp, code: str = "T02") -> dict[str, str]:
    with write_tx(erp.engine) as conn:
        create_terminal(conn, code=code, name=f"Caja {code}", branch_id=1, warehouse_id=1, price_list_id=1,
                        series_remision="R", series_factura="F")
    return erp.pair(code)


def a_return(sale: dict[str, Any], units: dict[int, str], *, before: dict[int, Decimal] | None = None,
             terminal: str = "T01", uuid: str | None = None, method: str = "efectivo") -> dict[str, Any]:
    ret = make_return(Sale.from_json(sale), units, before or {}, uuid=uuid or str(uuidlib.uuid4()),
                      terminal=terminal, device_time="2026-11-28T10:00:00-06:00", reason="Producto dañado",
                      refund_method=method, cashier="Cajero 2", authorizer="Supervisora")
    return ret.to_json()  # type: ignore[no-any-return]


def post_returns(erp: Erp, headers: dict[str, str], *rets: dict[str, Any]) -> list[dict[str, Any]]:
    r = erp.client.post("/api/returns", json={"returns": list(rets)}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["results"]  # type: ignore[no-any-return]
