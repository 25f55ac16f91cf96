"""The feeds' page cache: the same bytes for the same (price list, warehouse, version), 304 on a held validator,
and a new page as soon as any writer changes what the feed shows (on SQLite and PostgreSQL)."""
from __future__ import annotations

import gzip
import threading
import time
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from server.api.feed_cache import PageCache
from server.db import changes
from server.db.engine import write_tx
from server.terminals import create_terminal
from tests.server.harness import Erp, catalog_items, make_sale, post_sales, sellable

PAGE = {"since": 0, "after": 0, "limit": 50}


def _get(erp: Erp, h: dict[str, str], path: str = "/api/catalog", **extra: str) -> Any:
    return erp.client.get(path, params=PAGE, headers={**h, **extra})


def test_same_page_is_built_once_and_revalidated_with_304(erp: Erp) -> None:
    h = erp.pair()
    first = _get(erp, h)
    cache: PageCache = erp.app.state.feed_cache
    builds = cache.builds
    second = _get(erp, h)
    assert first.status_code == second.status_code == 200
    assert first.headers["content-encoding"] == "gzip" and first.headers["etag"] == second.headers["etag"]
    assert "no-cache" in first.headers["cache-control"]
    assert first.content == second.content and cache.builds == builds and cache.hits >= 1
    again = _get(erp, h, **{"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == first.headers["etag"]
    other = _get(erp, h, **{"If-None-Match": 'W/"something-else"'})
    assert other.status_code == 200


def test_client_without_gzip_gets_the_same_json(erp: Erp) -> None:
    h = erp.pair()
    zipped = _get(erp, h)
    plain = _get(erp, h, **{"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.json() == zipped.json()


def test_a_product_edit_gives_a_new_page_and_the_old_validator_no_longer_matches(erp: Erp) -> None:
    h = erp.pair()
    before = _get(erp, h)
    first = before.json()["items"][0]
    with write_tx(erp.engine) as conn:  # what every writer does: a new version, and the rows carry it
        v = changes.bump(conn)
        conn.execute(text("UPDATE products SET name = 'Renombrado por la prueba', version = :v WHERE id = :p"),
                     {"v": v, "p": first["id"]})
        conn.execute(text("UPDATE prices SET price = 9950 WHERE product_id = :p AND price_list_id = 1"),
                     {"p": first["id"]})
    after = _get(erp, h, **{"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and after.headers["etag"] != before.headers["etag"]
    item = after.json()["items"][0]
    assert (item["name"], item["price"]) == ("Renombrado por la prueba", "99.50")
    assert after.json()["version"] > before.json()["version"]


def test_a_synced_sale_shows_its_stock_in_the_next_catalog_read(erp: Erp) -> None:
    h = erp.pair()
    items = catalog_items(erp, h)  # fills the cache with every page
    product = sellable(items, "pieza")[0]
    assert post_sales(erp, h, make_sale([product], 1, qty="2"))[0]["status"] == "accepted"
    again = {p["id"]: p for p in catalog_items(erp, h)}
    assert Decimal(again[product["id"]]["stock"]) == Decimal(product["stock"]) - 2


def test_terminals_with_other_price_list_or_warehouse_do_not_share_pages(erp: Erp) -> None:
    h1 = erp.pair()
    with write_tx(erp.engine) as conn:
        conn.execute(text("INSERT INTO warehouses (id, branch_id, name) VALUES (90, 1, 'Bodega prueba')"))
        create_terminal(conn, code="T90", name="Caja mayoreo", branch_id=1, warehouse_id=90, price_list_id=2,
                        series_remision="R90", series_factura="F90")
    h2 = erp.pair("T90")
    a, b = _get(erp, h1).json(), _get(erp, h2).json()
    assert a["price_list"]["id"] == 1 and b["price_list"]["id"] == 2
    assert all(p["stock"] is None for p in b["items"])  # the new warehouse holds nothing
    assert any(p["stock"] is not None for p in a["items"])


def test_customers_page_changes_with_a_customer_edit(erp: Erp) -> None:
    h = erp.pair()
    before = _get(erp, h, "/api/customers")
    cid = before.json()["items"][0]["id"]
    with write_tx(erp.engine) as conn:
        v = changes.bump(conn)
        conn.execute(text("UPDATE customers SET name = 'Cliente cambiado', version = :v WHERE id = :c"),
                     {"v": v, "c": cid})
    after = _get(erp, h, "/api/customers", **{"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and after.json()["items"][0]["name"] == "Cliente cambiado"


def test_cache_keeps_only_stable_pages_and_stays_within_its_budget() -> None:
    cache = PageCache(max_bytes=3000)
    moved = cache.get_or_build(("k", 1), lambda: (b"x" * 100, False, None))
    assert moved.etag == "" and cache.get(("k", 1)) is None
    for i in range(20):
        # Incompressible bodies, so each entry takes its size in the budget.
        cache.get_or_build(("k", i + 2), lambda i=i: (bytes(range(256)) * 4 + str(i).encode(), True, None))
    assert 0 < cache.size <= 3000
    assert cache.get(("k", 21)) is not None and cache.get(("k", 2)) is None  # the oldest went first
    assert gzip.decompress(cache.get_or_build(("k", 21), lambda: (b"", True, None)).gz).endswith(b"19")


def test_concurrent_requests_for_a_missing_page_build_it_once() -> None:
    cache = PageCache()
    calls = []

    def build() -> tuple[bytes, bool, int | None]:
        calls.append(1)
        time.sleep(0.05)  # hold the build open so the other threads arrive while it runs
        return b'{"items":[]}', True, None

    threads = [threading.Thread(target=cache.get_or_build, args=(("p",), build)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and cache.builds == 1
