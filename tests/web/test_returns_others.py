"""Devolver online counts other tills' returns: the till asks the ERP for the sale's accepted returns (GET
/api/returns/of-sale) when it opens, offers only what is left and computes the amounts the ERP will recompute;
offline (or the ERP unreachable) it counts this device's returns only, and one of its own the ERP lists counts once."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from caja_pos.services.returns import Returns, counted_before, sale_returns_at_erp

from poscore.returns import ReturnError
from tests.web.test_returns import NOW, _run, _synced_sale

T02_RETURN = {"uuid": "ret-t02", "terminal": "T02", "series": "D", "folio": 4,
              "lines": [{"line": 0, "qty": "2.000"}, {"line": 1, "qty": "0.500"}]}


def _online_returns() -> tuple[Any, Any, Returns, dict]:
    _idb, erp, storage, till, record = _synced_sale()
    returns = Returns(storage, till, now=lambda: NOW)
    returns.others = lambda uuid: sale_returns_at_erp(erp, "token", uuid)
    return erp, storage, returns, record


def test_devolver_online_counts_another_tills_return() -> None:
    erp, _storage, returns, record = _online_returns()
    erp.sale_returns["sale-1"] = [T02_RETURN]
    _sale, before = _run(returns.returnable(record))
    assert before == {0: Decimal(2), 1: Decimal("0.5")}
    with pytest.raises(ReturnError) as refused:  # 2 of the 3 pieces are back already, at T02
        _run(returns.commit(record, {0: "2"}, reason="Cambio", refund_method="efectivo"))
    assert refused.value.code == "return_exceeds"
    # The kg line's last 0.750 kg: its share of the line is what is left of its total after T02's 0.500 kg.
    ret = _run(returns.commit(record, {0: "1", 1: "0.750"}, reason="Cambio", refund_method="efectivo"))
    lines = {x["line"]: x for x in ret["return"]["lines"]}
    assert lines[0]["qty"] == "1" and Decimal(ret["total"]) == Decimal("20.00") + Decimal(lines[1]["total"])
    assert ("GET", "/api/returns/of-sale?sale_uuid=sale-1") in erp.calls


def test_offline_it_counts_this_devices_returns_only() -> None:
    erp, _storage, returns, record = _online_returns()
    erp.sale_returns["sale-1"] = [T02_RETURN]
    erp.down = True
    _sale, before = _run(returns.returnable(record))
    assert before == {}
    ret = _run(returns.commit(record, {0: "2"}, reason="Sin red", refund_method="efectivo"))
    assert ret["total"] == "40.00"  # the ERP will answer return_exceeds: kept on the till with the reason


def test_a_return_of_this_device_the_erp_lists_counts_once() -> None:
    erp, storage, returns, record = _online_returns()
    mine = _run(returns.commit(record, {0: "1"}, reason="Primera", refund_method="efectivo"))
    erp.sale_returns["sale-1"] = [{"uuid": mine["uuid"], "terminal": "T01", "series": "D", "folio": 1,
                                   "lines": [{"line": 0, "qty": "1.000"}]}]
    _sale, before = _run(returns.returnable(record))
    assert before == {0: Decimal(1)}
    assert counted_before(_run(storage.returns()), None) == {0: Decimal(1)}
    rejected = [{**mine, "state": "rejected"}]
    assert counted_before(rejected, []) == {}  # a rejected return gave nothing back
