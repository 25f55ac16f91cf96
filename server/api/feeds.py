"""Routes: the catalog and customers feeds (contract: Catalog and customers feeds).

Keyset pages (`id > after`, ordered by id) over rows with `version > since`, total count up front. Built for
100,000 products in a few seconds: one joined query per page (product + its price in the terminal's list +
its stock in the terminal's warehouse), one query for the page's barcodes, JSON encoded once per page.
Pages are served from a cache of gzip bytes (`feed_cache`) keyed by (price list, warehouse, since, after, limit,
change version), with a validator: a till that already has a page gets a 304. Must not query per row, must not
compute prices or taxes, and must not cache a page whose rows were read while the version moved.
"""
from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any
from weakref import WeakKeyDictionary

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import BigInteger, Connection, Engine, and_, func, select, type_coerce

from server.db import changes
from server.db.engine import read_tx
from server.db.schema import customers, price_lists, prices, product_barcodes, products, stock
from server.terminals import price_list_json

from .deps import engine, settings
from .errors import ApiError
from .feed_cache import Key, Page, accepts_gzip, etag, not_modified, page_cache
from .feed_head import feed_head

router = APIRouter(prefix="/api")


_dump = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def page_json(head: dict[str, Any], items: list[dict[str, Any]], next_after: int | None) -> bytes:
    """A feed page, compact JSON with its keys in this order: the header, `items` one per line, `next_after`
    last (the POS reads it from the page's last bytes to ask for the next page before parsing this one).

    Why one item per line: a raw newline never occurs inside JSON text, so the POS finds where each product is
    in the page's bytes with the browser's native byte search (web/idb/catalog_json.js lineSpans) instead of a
    JavaScript scan of every byte, ≈1 ms of its feed Worker per 2,000-product page; it keeps each product as
    that span of the stored chunk. A newline per product is ≈0.4 % of a page before gzip.
    """
    body = '[\n' + ",\n".join(map(_dump, items)) + '\n]' if items else "[]"
    return (_dump(head)[:-1] + ',"items":' + body + ',"next_after":' + _dump(next_after) + "}").encode()


# A till's HTTP cache may keep a page but must ask before using it; the page differs per terminal's token.
_CACHING = {"Cache-Control": "private, no-cache", "Vary": "Accept-Encoding, Authorization"}


def _serve(request: Request, key: Key, build: Callable[[], tuple[bytes, bool, int | None]]) -> Page | None:
    """The page for `key` from the cache (built once per process), or None when the client holds it already."""
    if not_modified(request, etag(key)):
        return None
    return page_cache(request).get_or_build(key, build)


def _respond(request: Request, key: Key, page: Page | None) -> Response:
    if page is None:
        return Response(status_code=304, headers={**_CACHING, "ETag": etag(key)})
    headers = dict(_CACHING)
    if page.etag:
        headers["ETag"] = page.etag
    if accepts_gzip(request):
        # The app's GZipMiddleware leaves a response that already has a Content-Encoding alone.
        return Response(page.gz, media_type="application/json", headers={**headers, "Content-Encoding": "gzip"})
    return Response(gzip.decompress(page.gz), media_type="application/json", headers=headers)


def _page_args(request: Request, since: int, after: int, limit: int | None) -> int:
    cap = settings(request).catalog_max_limit
    # Upper bounds: versions are 64-bit, ids 32-bit (INTEGER); PostgreSQL casts the parameter to the column's
    # type, so a larger number must be a 400 here, not a driver overflow (500).
    if not 0 <= since < 2**63:
        raise ApiError(400, "invalid_request", detail="since: 0 … 2^63-1")
    if not 0 <= after < 2**31:
        raise ApiError(400, "invalid_request", detail="after: 0 … 2^31-1")
    if limit is None:
        return cap
    if not 1 <= limit <= cap:
        raise ApiError(400, "invalid_request", detail=f"limit: 1 … {cap}")
    return limit


# A load's `total` (rows with version > since) is the same on each of its pages: counting 100,000 rows again for
# each of 50 pages was a full scan per page. Kept per (feed, since, version) once a page read at that version was
# kept (its version did not move while it was read); a new version is a new key. Per engine (one database).
_TOTALS: WeakKeyDictionary[Engine, dict[tuple[str, int, int], int]] = WeakKeyDictionary()
_TOTALS_LOCK = threading.Lock()
_MAX_TOTALS = 256


def _total(conn: Connection, feed: str, since: int, version: int, count: Any) -> int:
    with _TOTALS_LOCK:
        known = _TOTALS.get(conn.engine, {}).get((feed, since, version))
    return known if known is not None else int(conn.execute(count).scalar_one())


def _keep_total(eng: Engine, feed: str, since: int, version: int, total: int) -> None:
    with _TOTALS_LOCK:
        mine = _TOTALS.setdefault(eng, {})
        if len(mine) >= _MAX_TOTALS:
            mine.clear()
        mine[(feed, since, version)] = total


def catalog_key(price_list: tuple[int, str, bool], warehouse_id: int, since: int, after: int, n: int,
                version: int) -> Key:
    """What decides a catalog page's bytes (the price list's name and tax mode are in every page)."""
    return ("catalog", *price_list, warehouse_id, since, after, n, version)


def catalog_builder(eng: Engine, price_list_id: int, warehouse_id: int, since: int, after: int, n: int,
                    version: int) -> Callable[[], tuple[bytes, bool, int | None]]:
    return lambda: _catalog_page(eng, price_list_id, warehouse_id, since, after, n, version)


# No Depends(current_terminal): the terminal, its price list and the version come from one statement
# (feed_head), and the whole request runs in one worker thread.
@router.get("/catalog")
def catalog(request: Request, since: int = 0, after: int = 0,
            limit: Annotated[int | None, Query()] = None) -> Response:
    n = _page_args(request, since, after, limit)
    head = feed_head(request)
    t = head.terminal
    key = catalog_key(head.price_list, t.warehouse_id, since, after, n, head.version)
    page = _serve(request, key, catalog_builder(engine(request), t.price_list_id, t.warehouse_id, since, after, n,
                                                head.version))
    warmer = getattr(request.app.state, "feed_warmer", None)  # server/api/feed_warmer.py, when installed
    if warmer is not None:
        warmer.asked(head.price_list, t.warehouse_id, n, since, head.version,
                     page.next_after if page is not None else None)
    return _respond(request, key, page)


def _catalog_page(eng: Engine, price_list_id: int, warehouse_id: int, since: int, after: int, n: int,
                  expected: int) -> tuple[bytes, bool, int | None]:
    p = products.c
    with read_tx(eng) as conn:
        # The version first: a row committed after this read may also appear below (harmless, it is sent
        # again next time) but none committed before it can be missed.
        version = changes.current(conn)
        total = _total(conn, "catalog", since, version,
                       select(func.count()).select_from(products).where(p.version > since))
        pl = conn.execute(select(price_lists).where(price_lists.c.id == price_list_id)).one()
        # Price and stock as their stored integers (cents, thousandths): formatting them below with
        # Decimal.scaleb is several times faster than a TypeDecorator per value over 5,000 rows.
        # `product_id > after` in each join repeats what `p.id > after` implies: without it PostgreSQL's merge
        # join walks the prices and stock from the first product up to the page's, so a full load's pages cost
        # the database quadratic work (the last pages of 100,000 products read the whole of both tables).
        rows = conn.execute(
            select(p.id, p.sku, p.name, p.unit, p.iva, p.ieps, p.ieps_cuota, p.litres, p.active, p.version,
                   type_coerce(prices.c.price, BigInteger), type_coerce(stock.c.qty, BigInteger))
            .select_from(
                products
                .outerjoin(prices, and_(prices.c.product_id == p.id, prices.c.price_list_id == price_list_id,
                                        prices.c.product_id > after))
                .outerjoin(stock, and_(stock.c.product_id == p.id, stock.c.warehouse_id == warehouse_id,
                                       stock.c.product_id > after)))
            .where(p.version > since, p.id > after)
            .order_by(p.id)
            .limit(n + 1)  # one more than asked: tells whether another page exists
        ).all()
        more = len(rows) > n
        rows = rows[:n]
        codes: dict[int, list[str]] = {}
        if rows:
            for pid, code in conn.execute(
                select(product_barcodes.c.product_id, product_barcodes.c.barcode)
                .where(product_barcodes.c.product_id.between(rows[0][0], rows[-1][0]))
                .order_by(product_barcodes.c.product_id, product_barcodes.c.id)
            ):
                codes.setdefault(pid, []).append(code)
        # Every writer bumps the version in its own transaction, so the same version read again now means
        # no change committed while this page was read (PostgreSQL reads each statement afresh): it may be kept.
        still = changes.current(conn) == version == expected
    if still:
        _keep_total(eng, "catalog", since, version, total)
    items = [{
        "id": pid, "sku": sku, "barcodes": codes.get(pid, []), "name": name, "unit": unit, "iva": iva,
        "ieps": ieps, **({"ieps_cuota": cuota, "litres": litres} if cuota else {}),
        "price": None if price is None else str(Decimal(price).scaleb(-2)),
        "stock": None if qty is None else str(Decimal(qty).scaleb(-3)), "active": bool(active),
        "sellable": bool(active) and price is not None and qty is not None, "version": ver,
    } for pid, sku, name, unit, iva, ieps, cuota, litres, active, ver, price, qty in rows]
    next_after = rows[-1][0] if more else None
    return page_json({"total": total, "version": version, "price_list": price_list_json(pl)}, items,
                      next_after), still, next_after


def customer_json(r: Any) -> dict[str, Any]:
    return {"id": r.id, "uuid": r.uuid, "name": r.name, "rfc": r.rfc, "regimen_fiscal": r.regimen_fiscal,
            "codigo_postal": r.codigo_postal, "uso_cfdi": r.uso_cfdi, "email": r.email,
            "price_list_id": r.price_list_id, "active": bool(r.active), "version": r.version,
            # Only when asked for (as poscore writes it), so earlier customers keep their exact shape.
            **({"ieps_breakdown": True} if r.ieps_breakdown else {})}


@router.get("/customers")
def customers_feed(request: Request, since: int = 0, after: int = 0,
                   limit: Annotated[int | None, Query()] = None) -> Response:
    n = _page_args(request, since, after, limit)
    version = feed_head(request).version
    key = customers_key(since, after, n, version)
    page = _serve(request, key, customers_builder(engine(request), since, after, n, version))
    warmer = getattr(request.app.state, "feed_warmer", None)
    if warmer is not None:
        warmer.asked_customers(n, since, version, page.next_after if page is not None else None)
    return _respond(request, key, page)


def customers_key(since: int, after: int, n: int, version: int) -> Key:
    """Customers are the same for every terminal: one cached page serves all of them."""
    return ("customers", since, after, n, version)


def customers_builder(eng: Engine, since: int, after: int, n: int,
                      version: int) -> Callable[[], tuple[bytes, bool, int | None]]:
    return lambda: _customers_page(eng, since, after, n, version)


def _customers_page(eng: Engine, since: int, after: int, n: int, expected: int) -> tuple[bytes, bool, int | None]:
    c = customers.c
    with read_tx(eng) as conn:
        version = changes.current(conn)
        total = _total(conn, "customers", since, version,
                       select(func.count()).select_from(customers).where(c.version > since))
        rows = conn.execute(select(customers).where(c.version > since, c.id > after).order_by(c.id)
                            .limit(n + 1)).all()
        more = len(rows) > n
        rows = rows[:n]
        still = changes.current(conn) == version == expected
    if still:
        _keep_total(eng, "customers", since, version, total)
    next_after = rows[-1].id if more else None
    return page_json({"total": total, "version": version}, [customer_json(r) for r in rows], next_after), \
        still, next_after
