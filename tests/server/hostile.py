"""Helpers for the hostile-input tests: a paired shop, valid sales to tamper with, and database snapshots.

What it is for: `Shop` (an `Erp` with a paired terminal and the sellable catalog as /api/catalog serves it),
`snapshot(erp)` (row counts of every table and the values writes change in place, to prove "the database is
unchanged by a rejected request"), and
`assert_api_error` (the contract's JSON error shape). Valid sales come from `tests.server.harness.make_sale`,
which builds them exactly as the POS does (poscore.cart + poscore.sale.complete_sale).
What it must not do: build sales by hand-written arithmetic, or write to the database behind the API except
where a test needs a fixture the API cannot create (a product with a hostile name, a second terminal).
"""
from __future__ import annotations

import shutil
import uuid as uuidlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select, text

from poscore.messages import known
from server.db.schema import metadata, terminals
from tests.server.harness import Erp, catalog_items, make_sale, sellable


@dataclass
class Shop:
    erp: Erp
    headers: dict[str, str]
    items: list[dict[str, Any]]

    def sale(self, seq: int = 1, n: int = 1, **kw: Any) -> dict[str, Any]:
        """A valid SALE of the first `n` sellable products (of `unit` when given), made by poscore."""
        unit = kw.pop("unit", None)
        products = [p for p in self.items if unit is None or p["unit"] == unit][:n]
        return make_sale(products, seq, **kw)

    def post(self, path: str, body: Any = None, *, headers: dict[str, str] | None = None,
             content: bytes | None = None) -> Any:
        h = dict(self.headers if headers is None else headers)
        if content is not None:
            h.setdefault("Content-Type", "application/json")
            return self.erp.client.post(path, content=content, headers=h)
        return self.erp.client.post(path, json=body, headers=h)

    def post_sales(self, *sales: Any) -> list[dict[str, Any]]:
        r = self.post("/api/sales", {"sales": list(sales)})
        assert r.status_code == 200, r.text
        return r.json()["results"]  # type: ignore[no-any-return]


def open_shop(erp: Erp, terminal: str = "T01") -> Shop:
    headers = erp.pair(terminal)
    return Shop(erp, headers, sellable(catalog_items(erp, headers)))


def snapshot(erp: Erp) -> dict[str, list[tuple[Any, ...]]]:
    """What any write through the API changes, in two queries: the row count of every table, the values
    writes change in place (change counter, folio counters, stock quantities, product and customer versions,
    used pairing codes), and the terminals' tokens and devices. Equal before and after = nothing stored."""
    counts = ", ".join(f"(SELECT count(*) FROM {t.name})" for t in metadata.sorted_tables)
    in_place = ("(SELECT max(value) FROM change_counter), (SELECT sum(last_folio) FROM folio_series), "
                "(SELECT sum(qty) FROM stock), (SELECT sum(version) FROM products), "
                "(SELECT sum(version) FROM customers), (SELECT count(used_at) FROM pairing_codes)")
    with erp.engine.connect() as conn:
        row = tuple(conn.execute(text(f"SELECT {counts}, {in_place}")).one())
        terms = conn.execute(text("SELECT id, token_hash, device, paired_at, active FROM terminals ORDER BY id")).all()
    names = [t.name for t in metadata.sorted_tables]
    out: dict[str, list[tuple[Any, ...]]] = {n: [(c,)] for n, c in zip(names, row)}
    out["in_place"] = [row[len(names):]]
    out["terminals_auth"] = [tuple(r) for r in terms]
    return out


def diff(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> dict[str, tuple[Any, Any]]:
    """What changed between two snapshots, before and after (a readable assertion message)."""
    return {name: (before[name], after[name]) for name in before if before[name] != after[name]}


def assert_api_error(r: Any, status: int | tuple[int, ...], code: str | None = None) -> dict[str, Any]:
    """A JSON error of the contract: the expected 4xx, `{"error": code, "params": {...}, "message": non-empty text}`
    with a code of the one catalogue (poscore.messages)."""
    statuses = (status,) if isinstance(status, int) else status
    assert r.status_code in statuses, (r.status_code, r.text[:500])
    assert r.headers["content-type"].startswith("application/json"), r.headers["content-type"]
    body = r.json()
    assert set(body) == {"error", "params", "message"}, body
    assert known(body["error"]) and isinstance(body["params"], dict), body
    assert isinstance(body["message"], str) and body["message"], body
    if code is not None:
        assert body["error"] == code, body
    return body  # type: ignore[no-any-return]


def add_terminal(erp: Erp, code: str = "T02") -> None:
    """A second terminal of the demo shop (same branch, warehouse and price list as T01, own series)."""
    from server.db.engine import write_tx
    from server.terminals import create_terminal, terminal_id_by_code

    with write_tx(erp.engine) as conn:
        if terminal_id_by_code(conn, code) is not None:
            return
        t1 = conn.execute(select(terminals).where(terminals.c.code == "T01")).one()
        create_terminal(conn, code=code, name=f"Caja {code}", branch_id=t1.branch_id,
                        warehouse_id=t1.warehouse_id, price_list_id=t1.price_list_id,
                        series_remision=f"R{code}", series_factura=f"F{code}")


def _erp_on(request: pytest.FixtureRequest, backend: str) -> Iterator[Erp]:
    """An Erp on a copy of the conftest's seeded template, for a whole module (as conftest's db_url does)."""
    tmp = request.getfixturevalue("tmp_path_factory").mktemp("hostile")
    if backend == "sqlite":
        target = tmp / "caja.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        harness = Erp(f"sqlite:///{target}", tmp)
        try:
            yield harness
        finally:
            harness.close()
        return
    server = request.getfixturevalue("postgres")
    name = f"hostile_{uuidlib.uuid4().hex[:12]}"
    server.create_db(name, template=request.getfixturevalue("postgres_template"))
    harness = Erp(server.url(name), tmp)
    try:
        yield harness
    finally:
        harness.close()
        server.drop_db(name)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def module_erp(request: pytest.FixtureRequest) -> Iterator[Erp]:
    """One ERP per module and database: the hostile tests prove every refused request leaves the database
    unchanged row for row, so they can share one, and a module costs one copy instead of one per case."""
    yield from _erp_on(request, request.param)


@pytest.fixture(scope="module")
def sqlite_module_erp(request: pytest.FixtureRequest) -> Iterator[Erp]:
    """For requests refused before any query (sizes, envelopes): the database cannot make a difference."""
    yield from _erp_on(request, "sqlite")
