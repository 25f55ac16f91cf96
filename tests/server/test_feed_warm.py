"""Serving feed pages to a crowd: each request reads the terminal and the version afresh (a price change between
two requests is seen, a revoked terminal is refused), a missing page is built once however many ask for it, and
the warmer builds exactly the pages a till then asks for (on SQLite and PostgreSQL)."""
from __future__ import annotations

import dataclasses
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from server.api import feed_warmer, feeds
from server.api.feed_cache import PageCache
from server.app import create_app
from server.db import changes
from server.db.engine import write_tx
from tests.server.harness import Erp

LIMIT = 50  # the demo's 120 products: three pages


@dataclasses.dataclass
class Warm:
    client: TestClient
    cache: PageCache
    warmer: feed_warmer.Warmer


@pytest.fixture
def warm(erp: Erp) -> Iterator[Warm]:
    """A second app on the same database with the warmer installed; its thread is not started (no lifespan):
    the test runs the queued walks itself."""
    app = create_app(dataclasses.replace(erp.settings, feed_warmer=True))
    client = TestClient(app)
    warmer: feed_warmer.Warmer = app.state.feed_warmer
    # A change is walked at the next poll (the pacing has its own tests).
    warmer.quiet_s = warmer.min_gap_s = warmer.settle_s = 0.0
    yield Warm(client, app.state.feed_cache, warmer)
    client.close()
    app.state.engine.dispose()


def _load(client: TestClient, h: dict[str, str], path: str = "/api/catalog", limit: int = LIMIT) -> list[Any]:
    """A till's full load of a feed, page by page: the responses in order."""
    pages, after = [], 0
    while after is not None:
        r = client.get(path, params={"since": 0, "after": after, "limit": limit}, headers=h)
        assert r.status_code == 200, r.text
        pages.append(r)
        after = r.json()["next_after"]
    return pages


def _reprice(erp: Erp, product_id: int, cents: int) -> None:
    with write_tx(erp.engine) as conn:  # what the back office does: a new version, carried by the row
        v = changes.bump(conn)
        conn.execute(text("UPDATE prices SET price = :c WHERE product_id = :p AND price_list_id = 1"),
                     {"c": cents, "p": product_id})
        conn.execute(text("UPDATE products SET version = :v WHERE id = :p"), {"v": v, "p": product_id})


def _price(r: Any, product_id: int) -> str:
    return next(i["price"] for i in r.json()["items"] if i["id"] == product_id)


def test_a_price_change_between_two_requests_is_seen_by_the_next_one(erp: Erp) -> None:
    h = erp.pair()
    first = erp.client.get("/api/catalog", params={"since": 0, "after": 0, "limit": LIMIT}, headers=h)
    pid = first.json()["items"][0]["id"]
    cached = erp.client.get("/api/catalog", params={"since": 0, "after": 0, "limit": LIMIT}, headers=h)
    assert cached.content == first.content  # served from the cache
    _reprice(erp, pid, 123_45)
    again = erp.client.get("/api/catalog", params={"since": 0, "after": 0, "limit": LIMIT},
                           headers={**h, "If-None-Match": first.headers["etag"]})
    assert again.status_code == 200 and _price(again, pid) == "123.45"
    assert again.headers["etag"] != first.headers["etag"]


def test_a_revoked_terminal_is_refused_even_for_a_page_it_holds(erp: Erp) -> None:
    h = erp.pair()
    r = erp.client.get("/api/catalog", params={"since": 0, "after": 0, "limit": LIMIT}, headers=h)
    held = {**h, "If-None-Match": r.headers["etag"]}
    assert erp.client.get("/api/catalog", params={"since": 0, "after": 0, "limit": LIMIT},
                          headers=held).status_code == 304
    with write_tx(erp.engine) as conn:
        conn.execute(text("UPDATE terminals SET active = :f WHERE code = 'T01'"), {"f": False})
    for path in ("/api/catalog", "/api/customers"):
        refused = erp.client.get(path, params={"since": 0, "after": 0, "limit": LIMIT}, headers=held)
        assert refused.status_code == 401 and refused.json()["error"] == "unauthorized"
    assert erp.client.get("/api/catalog", params={"limit": LIMIT}).status_code == 401  # no token at all


def test_a_feed_request_records_the_terminals_contact(erp: Erp) -> None:
    h = erp.pair()
    erp.client.get("/api/catalog", params={"limit": LIMIT}, headers={**h, "X-Caja-Version": "9.9.9"})
    assert erp.scalar("SELECT app_version FROM terminals WHERE code = 'T01'") == "9.9.9"


def test_a_crowd_asking_for_a_missing_page_gets_it_built_once(erp: Erp, monkeypatch: pytest.MonkeyPatch) -> None:
    h = erp.pair()
    builds = []
    real = feeds._catalog_page

    def slow(*args: Any) -> Any:
        builds.append(args)
        time.sleep(0.2)  # hold the build open so the whole crowd arrives while it runs
        return real(*args)

    monkeypatch.setattr(feeds, "_catalog_page", slow)
    bodies: list[bytes] = []

    def till() -> None:
        r = erp.client.get("/api/catalog", params={"since": 0, "after": 0, "limit": LIMIT}, headers=h)
        assert r.status_code == 200
        bodies.append(r.content)

    crowd = [threading.Thread(target=till) for _ in range(8)]
    for t in crowd:
        t.start()
    for t in crowd:
        t.join()
    assert len(builds) == 1 and len(bodies) == 8 and len(set(bodies)) == 1


def test_after_a_change_the_warmer_builds_exactly_the_pages_a_till_asks_for(erp: Erp, warm: Warm) -> None:
    h = erp.pair()
    warm.warmer.poll()  # the version as the process found it
    first = _load(warm.client, h)
    warm.warmer.run_pending()  # the rest of that load, walked ahead of the till
    pid = first[0].json()["items"][0]["id"]
    _reprice(erp, pid, 777_00)
    warm.warmer.poll()
    warm.warmer.run_pending()
    version = erp.scalar("SELECT value FROM change_counter WHERE id = 1")
    warmed = {k for k in warm.cache._pages if k[-1] == version}
    builds = warm.cache.builds
    second = _load(warm.client, h)
    asked = {feeds.catalog_key((1, first[0].json()["price_list"]["name"],
                                first[0].json()["price_list"]["includes_tax"]), 1, 0, after, LIMIT, version)
             for after in [0] + [r.json()["next_after"] for r in second[:-1]]}
    # The catch-up from the version before is warmed too (a till that had the catalog asks for it).
    full_load = {k for k in warmed if k[-4] == 0 and k[-2] == LIMIT}
    assert full_load == asked and warm.cache.builds == builds  # every page was ready, none built on demand
    assert _price(second[0], pid) == "777.00" and len(second) == len(first) == 3
    catch_up = warm.client.get("/api/catalog", params={"since": first[0].json()["version"], "after": 0,
                                                       "limit": LIMIT}, headers=h)
    assert [i["id"] for i in catch_up.json()["items"]] == [pid] and warm.cache.builds == builds


def test_a_till_starting_a_load_has_the_rest_built_ahead_of_it(erp: Erp, warm: Warm) -> None:
    h = erp.pair()
    r = warm.client.get("/api/catalog", params={"since": 0, "after": 0, "limit": LIMIT}, headers=h)
    assert warm.cache.builds == 1
    warm.warmer.run_pending()
    builds = warm.cache.builds
    assert builds == 3
    after = r.json()["next_after"]
    while after is not None:
        after = warm.client.get("/api/catalog", params={"since": 0, "after": after, "limit": LIMIT},
                                headers=h).json()["next_after"]
    assert warm.cache.builds == builds


def test_the_warmed_page_size_is_the_one_the_pos_asks_for() -> None:
    sync = Path(__file__).resolve().parents[2] / "web" / "caja_pos" / "services" / "sync.py"
    m = re.search(r"^PAGE\s*=\s*(\d+)", sync.read_text(), re.MULTILINE)
    assert m is not None and int(m.group(1)) == feed_warmer.POS_PAGE


def test_full_loads_are_warmed_after_a_quiet_spell_not_after_every_sale(erp: Erp, warm: Warm) -> None:
    """A shop's day moves the version with every synced sale: the full load (50 pages for 100k products) is
    rebuilt once the version stood still for quiet_s, and not again within min_gap_s; the small catch-up from
    the version before is warmed once the move settled (one poll without another)."""
    clock = [1000.0]
    w = feed_warmer.Warmer(warm.warmer.engine, warm.cache, quiet_s=20, min_gap_s=300, clock=lambda: clock[0])
    h = erp.pair()
    w.poll()  # the version as the process found it: its start

    def full_walks() -> set[int]:  # the versions whose full load (since 0) is queued
        return {j[-1] for j in list(w._jobs.queue) if j is not None and j[3] == 0}

    def tick(seconds: float) -> None:
        clock[0] += seconds
        w.poll()

    assert full_walks() == set()  # not at once
    tick(21)
    start_version = erp.scalar("SELECT value FROM change_counter WHERE id = 1")
    assert full_walks() == {start_version}  # the start's warm, after the quiet spell
    w.run_pending()
    pid = _load(warm.client, h)[0].json()["items"][0]["id"]
    _reprice(erp, pid, 901_00)
    tick(3)
    v1 = erp.scalar("SELECT value FROM change_counter WHERE id = 1")
    assert [j for j in list(w._jobs.queue) if j[3] == start_version] == []  # the move may not be over
    tick(3)
    catch_up = [j for j in list(w._jobs.queue) if j[3] == start_version]
    assert full_walks() == set() and len(catch_up) == 1 and catch_up[0][-1] == v1  # settled: the small catch-up
    tick(7)
    _reprice(erp, pid, 902_00)  # another sale before the quiet spell ended
    tick(3)
    tick(15)
    assert full_walks() == set()
    tick(6)
    v2 = erp.scalar("SELECT value FROM change_counter WHERE id = 1")
    assert v2 != v1 and full_walks() == {v2}  # the start's warm did not hold this one back
    w.run_pending()
    _reprice(erp, pid, 903_00)
    tick(25)
    assert full_walks() == set()  # quiet, but within min_gap_s of the last change's warm
    tick(300)
    assert full_walks() == {erp.scalar("SELECT value FROM change_counter WHERE id = 1")}


def test_a_sync_storm_warms_one_catch_up_from_before_it_once_it_is_over(erp: Erp, warm: Warm) -> None:
    """Tills syncing at once move the version at every poll: a catch-up walked between two polls would be read
    by no till and take CPU from the sales; once the version stands still, one catch-up from the version the
    idle tills hold (before the storm) to the last one."""
    clock = [1000.0]
    w = feed_warmer.Warmer(warm.warmer.engine, warm.cache, quiet_s=20, min_gap_s=300, clock=lambda: clock[0])
    h = erp.pair()
    w.poll()  # the process's start
    before = erp.scalar("SELECT value FROM change_counter WHERE id = 1")
    pid = _load(warm.client, h)[0].json()["items"][0]["id"]

    def catch_ups() -> list[tuple[int, int]]:  # (since, version) of the queued catch-up walks
        return [(j[3], j[-1]) for j in list(w._jobs.queue) if j is not None and j[3] != 0]

    for cents in range(500_00, 505_00, 100):  # a move before every poll
        _reprice(erp, pid, cents)
        clock[0] += 3
        w.poll()
        assert catch_ups() == []
    last = erp.scalar("SELECT value FROM change_counter WHERE id = 1")
    clock[0] += 3
    w.poll()
    assert catch_ups() == [(before, last)]
    clock[0] += 3
    w.poll()
    assert catch_ups() == [(before, last)]  # once
    w.run_pending()
    builds = warm.cache.builds
    catch_up = warm.client.get("/api/catalog", params={"since": before, "after": 0, "limit": feed_warmer.POS_PAGE},
                               headers=h)  # the paired till's shape, what this warmer knows of
    assert [i["id"] for i in catch_up.json()["items"]] == [pid] and _price(catch_up, pid) == "504.00"
    assert warm.cache.builds == builds  # the page the idle tills ask for was ready


def test_the_customers_feed_is_warmed_with_the_catalog_and_walked_ahead(erp: Erp, warm: Warm) -> None:
    h = erp.pair()
    warm.warmer.poll()  # the process's start: full loads of the paired terminals' shapes, customers included
    warm.warmer.run_pending()
    builds = warm.cache.builds
    pages = _load(warm.client, h, "/api/customers", feed_warmer.POS_PAGE)
    assert warm.cache.builds == builds  # the POS's customers load was ready
    assert [i["id"] for i in pages[0].json()["items"]] == [
        i["id"] for i in erp.client.get("/api/customers", params={"since": 0, "limit": feed_warmer.POS_PAGE},
                                        headers=h).json()["items"]]
    # Smaller pages: the first request builds its page, the warmer the rest of that load before the till asks.
    small = 2
    first = warm.client.get("/api/customers", params={"since": 0, "after": 0, "limit": small}, headers=h)
    assert first.json()["next_after"] is not None and warm.cache.builds == builds + 1
    warm.warmer.run_pending()
    builds = warm.cache.builds
    rest = _load(warm.client, h, "/api/customers", small)
    assert len(rest) > 2 and warm.cache.builds == builds
    assert sum(len(r.json()["items"]) for r in rest) == rest[0].json()["total"]
