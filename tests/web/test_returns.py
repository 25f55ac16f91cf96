"""Returns at the till against fakes: a return of a synced sale is computed by poscore against what this device
already returned, stored with its stock put back, counted on the sync icon, sent once to POST /api/returns after the
sales, and kept with its reason when the ERP rejects it (its stock record dropped)."""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from caja_pos.services.returns import Returns, returned_units
from caja_pos.services.till import Till
from storage import ReturnsChanged, Storage

from poscore.payment import Payment
from poscore.returns import ReturnError
from tests.web.products import TERMINAL, product
from tests.web.test_outbox import OutboxIdb, VoidsErp, paired_syncer

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=timezone(timedelta(hours=-6)))


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


def _synced_sale() -> tuple[OutboxIdb, VoidsErp, Storage, Till, dict]:
    """A sale of 3 pieces at $20.00 and 1.250 kg at $15.50, synced as R-12."""
    idb, erp = OutboxIdb(), VoidsErp()
    storage = Storage(idb)
    till = Till(TERMINAL)
    till.catalog.add([product(1, "20.00", "10.000"), product(2, "15.50", "10.000", unit="kg")])
    till.cart.add(1, 3)
    till.cart.add(2, "1.250")
    sale = till.build_sale([Payment("efectivo", Decimal(100))], "sale-1", 7, "2026-11-27T16:14:00-06:00")
    _run(storage.commit_sale(Till.sale_record(sale, "2026-11-27T16:14:00-06:00"), Till.stock_decrement(sale)))
    till.committed(sale)
    _run(storage.apply_sale_results([{"uuid": "sale-1", "state": "synced", "series": "R", "folio": 12}]))
    idb.outbox.clear()
    return idb, erp, storage, till, _run(storage.sales())[0]


def _returns(storage: Storage, till: Till) -> Returns:
    return Returns(storage, till, now=lambda: NOW)


def test_a_return_is_stored_with_its_outbox_entry_and_puts_the_stock_back() -> None:
    idb, _, storage, till, record = _synced_sale()
    assert till.stock_of(till.catalog.get(2)) == Decimal("8.750")
    ret = _run(_returns(storage, till).commit(record, {1: "0.500"}, reason="Producto dañado",
                                               refund_method="efectivo", authorizer="Ana"))
    assert ret["state"] == "pending" and ret["sale_number"] == "T01-000007" and ret["sale_folio"] == "R-12"
    assert ret["total"] == "7.75"  # 0.500 of 1.250 kg for $19.38: money(19.38 × 0.4)
    assert ret["return"]["authorizer"] == "Ana" and ret["return"]["terminal"] == "T01"
    assert idb.outbox[ret["uuid"]]["kind"] == "return"
    assert till.stock_of(till.catalog.get(2)) == Decimal("9.250")
    assert _run(storage.returns()) == [ret]


def test_a_second_return_counts_what_was_returned_and_never_more_than_sold() -> None:
    _, _, storage, till, record = _synced_sale()
    returns = _returns(storage, till)
    _run(returns.commit(record, {0: "2"}, reason="No le quedó", refund_method="efectivo"))
    assert returned_units(_run(returns.of_sale("sale-1"))) == {0: Decimal(2)}
    with pytest.raises(ReturnError) as refused:
        _run(returns.commit(record, {0: "2"}, reason="Otra vez", refund_method="efectivo"))
    assert refused.value.code == "return_exceeds"
    last = _run(returns.commit(record, {0: "1"}, reason="El último", refund_method="tarjeta_debito"))
    assert last["total"] == "20.00"
    assert [r["total"] for r in _run(storage.returns())] == ["40.00", "20.00"]


def test_a_return_stored_by_another_tab_meanwhile_is_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    _, _, storage, till, record = _synced_sale()
    returns = _returns(storage, till)
    real = storage.commit_return
    seen: list[list[str]] = []

    async def racing(rec: dict, deltas: dict, expected: list[str]) -> None:
        seen.append(expected)
        if len(seen) == 1:  # the other tab's return lands between our read and our commit
            await Returns(storage, till, now=lambda: NOW).commit(record, {0: "1"}, reason="Otra pestaña",
                                                                   refund_method="efectivo")
        await real(rec, deltas, expected)

    monkeypatch.setattr(storage, "commit_return", racing)
    mine = _run(returns.commit(record, {0: "1"}, reason="Esta pestaña", refund_method="efectivo"))
    assert len(seen[-1]) == 1 and mine["return"]["lines"][0]["qty"] == "1"
    assert returned_units(_run(storage.returns())) == {0: Decimal(2)}


def test_nothing_is_stored_when_the_store_refuses() -> None:
    idb, _, storage, till, record = _synced_sale()

    async def refuse(*args: Any) -> str:
        return "returns_changed"

    idb.commitReturn = refuse  # type: ignore[method-assign]
    with pytest.raises(ReturnsChanged):
        _run(_returns(storage, till).commit(record, {0: "1"}, reason="x", refund_method="efectivo"))
    assert idb.returns == {} and till.stock_of(till.catalog.get(1)) == Decimal("7.000")


def test_returns_are_sent_once_after_the_sales_and_counted_on_the_badge_until_answered() -> None:
    idb, erp, storage, till, record = _synced_sale()
    _run(_returns(storage, till).commit(record, {0: "1"}, reason="Cambio", refund_method="efectivo"))
    syncer = paired_syncer(idb, erp)
    assert _run(syncer.update_badge()) == 1

    erp.down = True
    report = _run(syncer._run(None))
    assert report["error"] == "network" and _run(storage.returns())[0]["state"] == "pending"

    erp.down = False
    erp.returns_answer = lambda r: {"uuid": r["uuid"], "status": "accepted", "series": "D", "folio": 3}
    report = _run(syncer._run(None))
    assert (report["returns"], report["error"]) == (1, None)
    stored = _run(storage.returns())[0]
    assert (stored["state"], stored["series"], stored["folio"]) == ("synced", "D", 3)
    assert _run(syncer.update_badge()) == 0
    _run(syncer._run(None))
    assert len(erp.returns_received) == 1  # exactly once


def test_returns_made_within_one_second_are_sent_in_the_order_they_were_made(monkeypatch: pytest.MonkeyPatch) -> None:
    # created_at has whole seconds and the outbox is read in uuid order: uuids falling in reverse order must not
    # reverse the batch (the ERP gives the folios in the order the batch lists them).
    import caja_pos.services.returns as returns_module

    uuids = iter(["f0000000-0000-4000-8000-000000000003", "a0000000-0000-4000-8000-000000000002",
                  "00000000-0000-4000-8000-000000000001"])
    monkeypatch.setattr(returns_module, "uuid4", lambda: next(uuids))
    idb, erp, storage, till, record = _synced_sale()
    returns = _returns(storage, till)  # one clock reading for all three: the same second
    made = [_run(returns.commit(record, {0: "1"}, reason=f"Devolución {n}", refund_method="efectivo"))["uuid"]
            for n in range(3)]
    assert made == sorted(made, reverse=True)
    erp.returns_answer = lambda r: {"uuid": r["uuid"], "status": "accepted", "series": "D", "folio": 1}
    _run(paired_syncer(idb, erp)._run(None))
    assert [r["uuid"] for r in erp.returns_received] == made


def test_a_return_the_erp_rejects_is_kept_with_its_reason_and_its_stock_record_goes() -> None:
    idb, erp, storage, till, record = _synced_sale()
    ret = _run(_returns(storage, till).commit(record, {0: "3"}, reason="Cambio", refund_method="efectivo"))
    erp.returns_answer = lambda r: {"uuid": r["uuid"], "status": "rejected", "error": "return_exceeds",
                                    "message": "Se devuelve más de lo vendido menos lo ya devuelto"}
    report = _run(paired_syncer(idb, erp)._run(None))
    assert report["return_rejected"] == [("T01-000007", "Se devuelve más de lo vendido menos lo ya devuelto")]
    stored = _run(storage.returns())[0]
    assert (stored["uuid"], stored["state"], stored["error"]) == (ret["uuid"], "rejected", "return_exceeds")
    assert ret["uuid"] not in idb.stock and ret["uuid"] not in idb.outbox
    # A rejected return gave nothing back: the units may be returned again.
    assert returned_units(_run(storage.returns())) == {}
    # "Datos sincronizados" names it every time it opens, not only in the run that got the answer.
    from caja_pos.screens.syncpanel import kept_message

    assert kept_message(_run(storage.returns())) == ("Devoluciones rechazadas por el ERP que se conservan en este "
                                                     "equipo (1): T01-000007-D1: Se devuelve más de lo vendido "
                                                     "menos lo ya devuelto")
    assert kept_message([]) == ""



def test_a_cash_refund_is_cash_out_in_the_shifts_corte_and_the_return_names_the_cashier() -> None:
    from tests.web.shift_fakes import ANA, BETO
    from tests.web.test_shifts import World

    async def main() -> None:
        w = World()
        await w.store.replace_cashiers([ANA, BETO])
        await w.start()
        await w.shifts.open(ANA, Decimal("500.00"))
        record = await w.sell_synced(2, 2, Payment("efectivo", Decimal("100.00")))  # 51.00, change 49.00
        ret = await w.returns().commit(record, {0: "1"}, reason="Roto", refund_method="efectivo", authorizer="Beto")
        assert (ret["return"]["cashier"], ret["return"]["authorizer"]) == ("Ana", "Beto")
        _, x = await w.shifts.corte_x()
        assert x.line("efectivo").expected == Decimal("525.50")  # 500 + 100 − 49 change − 25.50 refunded
        assert await w.shifts.movement_totals() == (Decimal(0), Decimal(0), {"efectivo": Decimal("25.50")})  # the ticket's line
        # Rejected by the ERP later, the money still left the drawer: the corte keeps counting it.
        await w.storage.apply_return_results([{"uuid": ret["uuid"], "state": "rejected", "error": "return_exceeds"}])
        _, x = await w.shifts.corte_x()
        assert x.line("efectivo").expected == Decimal("525.50")

    asyncio.run(main())


def test_the_sync_panel_names_a_rejected_return() -> None:
    from caja_pos.screens.syncpanel import sales_message

    assert sales_message({"error": None, "rejected": [], "return_rejected": [
        ("T01-000007", "Se devuelve más de lo vendido menos lo ya devuelto")]}) == \
        "1 devolución(es) rechazada(s): T01-000007: Se devuelve más de lo vendido menos lo ya devuelto"


def test_a_ticket_code_typed_loosely_or_scanned_as_the_qr_finds_its_sale() -> None:
    from caja_pos.services.returns import find_sale

    from poscore.autofactura import invoice_url, ticket_code
    from poscore.money import to_decimal

    *_, record = _synced_sale()
    other = {**record, "uuid": "other", "number": "T01-000008", "seq": 8}
    key = "k" * 32
    code = ticket_code(key, record["uuid"], record["sale"]["terminal"], record["number"], to_decimal(record["total"]))
    loose = code.lower().replace("-", " ").replace("0", "o")  # as a customer or cashier may type it
    for text in (code, loose, invoice_url("https://tienda.example/factura", code)):
        assert find_sale([other, record], text, key) is record, text
    assert find_sale([other, record], code, None) is None  # without the shop's key no code is known
    assert find_sale([other, record], "ZZZZZ-ZZZZZ", key) is None
