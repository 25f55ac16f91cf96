"""Many terminals syncing at once: batches of different terminals overlap in the database (only the stock and
the change counter are taken in turn), so check what that must keep: folios gapless per series, every sale
stored once, stock moved once per sale, a twin uuid sent by two terminals stored once, new customers created,
and a catalog reader following `since` never misses a stock change (versions in commit order).
On SQLite and PostgreSQL, threads with their own clients on one app."""
from __future__ import annotations

import threading
import uuid as uuidlib
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from server.db.engine import write_tx
from server.terminals import create_terminal
from tests.server.harness import Erp, catalog_items, make_sale, sellable

TERMINALS = 5
PER_TERMINAL = 24
BATCH = 6


def _new_customer(k: int) -> dict[str, Any]:
    return {"uuid": str(uuidlib.uuid4()), "name": f"Cliente nuevo {k}", "rfc": None, "regimen_fiscal": None,
            "codigo_postal": None, "uso_cfdi": None, "email": None, "price_list_id": None, "id": None}


def _run_all(fns: list[Any]) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(len(fns))

    def wrap(fn: Any) -> None:
        try:
            start.wait()
            fn()
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            errors.append(exc)

    threads = [threading.Thread(target=wrap, args=(fn,)) for fn in fns]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if errors:
        raise errors[0]


def test_terminals_in_parallel_keep_folios_stock_and_versions(erp: Erp) -> None:
    with write_tx(erp.engine) as conn:
        for k in range(1, TERMINALS + 1):
            create_terminal(conn, code=f"M{k}", name=f"Caja M{k}", branch_id=1, warehouse_id=1, price_list_id=1,
                            series_remision=f"RM{k}", series_factura=f"FM{k}")
    heads = {f"M{k}": erp.pair(f"M{k}") for k in range(1, TERMINALS + 1)}
    products = sellable(catalog_items(erp, heads["M1"]), unit="pieza")[:8]  # few products: stock rows collide
    since = erp.client.get("/api/catalog", params={"limit": 1}, headers=heads["M1"]).json()["version"]
    stock0 = {p["id"]: Decimal(p["stock"]) for p in products}
    twin = make_sale([products[0]], 999, terminal="M1")
    # Another terminal's valid sale with the same uuid: only the unique index can tell them apart.
    twin3 = make_sale([products[1]], 999, terminal="M3", uuid=twin["uuid"])
    pools = {code: [make_sale([products[(i + k) % len(products)]], i + 1, terminal=code,
                              customer=_new_customer(i) if code == "M2" and i % 5 == 0 else None)
                    for i in range(PER_TERMINAL)]
             for k, code in enumerate(heads)}
    answers: dict[str, list[dict[str, Any]]] = {code: [] for code in heads}
    twin_answers: list[dict[str, Any]] = []
    seen_stock: dict[int, Decimal] = {}

    def sender(code: str) -> Any:
        def run() -> None:
            with TestClient(erp.app) as client:
                pool = pools[code]
                for i in range(0, len(pool), BATCH):
                    r = client.post("/api/sales", json={"sales": pool[i:i + BATCH]}, headers=heads[code])
                    assert r.status_code == 200, r.text
                    answers[code].extend(r.json()["results"])
                if code in ("M1", "M3"):  # one uuid, two terminals' sales, sent at once
                    r = client.post("/api/sales", json={"sales": [twin if code == "M1" else twin3]},
                                    headers=heads[code])
                    twin_answers.extend(r.json()["results"])
        return run

    def reader() -> None:
        # Follows the feed as a till does, while the batches commit: what it ends with must be the final stock.
        nonlocal since
        with TestClient(erp.app) as client:
            for _ in range(12):
                body = client.get("/api/catalog", params={"since": since, "limit": 5000}, headers=heads["M1"]).json()
                for p in body["items"]:
                    seen_stock[p["id"]] = Decimal(p["stock"])
                since = body["version"]

    _run_all([*(sender(code) for code in heads), reader])
    body = erp.client.get("/api/catalog", params={"since": since, "limit": 5000}, headers=heads["M1"]).json()
    for p in body["items"]:
        seen_stock[p["id"]] = Decimal(p["stock"])

    for code, res in answers.items():
        assert [r["status"] for r in res] == ["accepted"] * PER_TERMINAL, res
        assert sorted(r["folio"] for r in res) == list(range(1, PER_TERMINAL + 1)), code
        assert {r["series"] for r in res} == {f"R{code}"}
    assert sorted(r["status"] + r.get("error", "") for r in twin_answers) == ["accepted", "rejecteduuid_conflict"]
    winner = next(r for r in twin_answers if r["status"] == "accepted")
    assert erp.scalar("SELECT count(*) FROM sales WHERE uuid = :u", u=twin["uuid"]) == 1
    extra = {winner["series"]: 1}
    assert sorted(erp.sql("SELECT series, count(*), max(folio) FROM sales GROUP BY series")) == sorted(
        (f"R{code}", PER_TERMINAL + extra.get(f"R{code}", 0), PER_TERMINAL + extra.get(f"R{code}", 0))
        for code in heads)
    assert erp.scalar("SELECT count(*) FROM customers WHERE name LIKE 'Cliente nuevo %'") == len(
        [s for s in pools["M2"] if s.get("customer")])
    sold: dict[int, Decimal] = {}
    for pool in [*pools.values(), [twin if winner["series"] == "RM1" else twin3]]:
        for s in pool:
            for line in s["lines"]:
                sold[line["product_id"]] = sold.get(line["product_id"], Decimal(0)) + Decimal(line["qty"])
    for pid, qty in sold.items():
        assert seen_stock[pid] == stock0[pid] - qty, pid  # the feed reader saw every change, the last one last
