"""Building catalog pages before the tills ask: after a change of version, and one page ahead of a load.

What it is for: a price change at night and the tills opening at 9:00 should find every page of a full load
already in the page cache. One thread per ERP process (1) polls the change version and, when it moved, walks
every load shape it knows (price list, warehouse, page size) from the first page to the last at the new
version: full loads (`since` 0) and the catch-up from the version it saw before, plus the customers feed's
full load (the same for every terminal, at the POS's page size); and (2) when a till's request finds a page
(catalog or customers) with a next one, walks the rest of that load in the background, so a crowd that arrives right
after a change waits for one build per page instead of stalling on each in turn. A walk goes through the same
cache (`get_or_build`, one build per key at a time) with the same key and builder as a request: it builds
exactly the pages a till asks for, and a request arriving during a build waits for it instead of building
again.
A full load's pages are rebuilt only once the version has been still for QUIET_S and at most every MIN_GAP_S:
during trading every synced sale moves the version (its stock), and rebuilding a 100,000-product catalog after
each would burn a core all day for loads nobody starts then (tills catch up with small `since` loads). The
catch-up is warmed once the version has stood still for SETTLE_S, from the version that stood still before:
a price change is one move, and every idle till holds the version before it; a morning's sync storm moves the
version with every batch, and a catch-up walked between two polls of it would be read by no till (each holds
its own version) while taking CPU from the sales being accepted.
Across worker processes nothing is shared: each process polls and warms its own cache, so each page is built
once per process. The version read by every request (feed_head) is what keeps pages correct; this module only
decides when to build early.
What it must NOT do: build in a request's thread, keep a page read while the version moved (the builder says
so and the walk stops there), or hold more shapes than the cache can keep (MAX_SHAPES, most recent first).
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Engine, select

from server.background import run_while_serving
from server.db import changes
from server.db.engine import read_tx
from server.db.schema import price_lists, terminals

from .feed_cache import PageCache
from .feeds import catalog_builder, catalog_key, customers_builder, customers_key

log = logging.getLogger(__name__)

# A version check is one single-row read; a few seconds are nothing next to the hours between a night's price
# change and the opening.
POLL_S = 3.0
# A night's price change is followed by hours of quiet; a shop's day moves the version every few seconds.
QUIET_S = 20.0
MIN_GAP_S = 300.0
# One poll without a move: the change is over (a price change) or the version moves at every poll (a storm).
# Half a poll, not a whole one: two polls' clock readings are about POLL_S apart, sometimes a little less, and
# a catch-up must not wait a second poll for that.
SETTLE_S = POLL_S / 2
# A full catalog of 100,000 products is a few MB of pages: this many shapes fit the cache's budget with room
# for the version being replaced.
MAX_SHAPES = 8
# The page size the POS asks for (web/caja_pos/services/sync.py PAGE): the shape warmed for a paired terminal
# before any till of this process has asked.
POS_PAGE = 2000

PriceList = tuple[int, str, bool]
# A walk of the customers feed (the same for every terminal) instead of a price list's catalog.
CUSTOMERS = None
Shape = tuple[int, int, int]  # price list id, warehouse id, page size


class Warmer:
    def __init__(self, engine: Engine, cache: PageCache, quiet_s: float = QUIET_S, min_gap_s: float = MIN_GAP_S,
                 clock: Any = time.monotonic, settle_s: float = SETTLE_S) -> None:
        self.engine, self.cache = engine, cache
        self.quiet_s, self.min_gap_s, self.settle_s, self._clock = quiet_s, min_gap_s, settle_s, clock
        self._moved_at = 0.0
        self._settled: int | None = None  # the version that last stood still for settle_s: the catch-ups' since
        self._catch_up_due = False
        self._full_due = False
        self._last_full: float | None = None
        self._due_at_start = False
        self._jobs: queue.Queue[tuple[PriceList | None, int, int, int, int, int] | None] = queue.Queue()
        self._lock = threading.Lock()
        self._shapes: dict[Shape, float] = {}  # shape → when a till last started a full load with it
        self._walks: set[tuple[object, ...]] = set()  # loads already walked (or queued) at their version
        self._seen: int | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.walked_pages = 0

    def asked(self, price_list: PriceList, warehouse_id: int, n: int, since: int, version: int,
              next_after: int | None) -> None:
        """A till asked for a page: remember a full load's shape, and walk the rest of its load once."""
        with self._lock:
            if since == 0:
                self._shapes[(price_list[0], warehouse_id, n)] = time.monotonic()
        if next_after is not None:
            self._queue(price_list, warehouse_id, n, since, next_after, version)

    def asked_customers(self, n: int, since: int, version: int, next_after: int | None) -> None:
        """A till asked for a customers page: walk the rest of its load once."""
        if next_after is not None:
            self._queue(CUSTOMERS, 0, n, since, next_after, version)

    def poll(self) -> None:
        """Once the version moved and then stood still for `settle_s`, queue for every known shape the catch-up
        from the version that stood still before; once still for `quiet_s` (and `min_gap_s` after the last such
        walk), the full loads at the new version."""
        now = self._clock()
        with read_tx(self.engine) as conn:
            version = changes.current(conn)
            previous = self._seen
            if version != previous:
                self._seen, self._moved_at, self._full_due = version, now, True
                self._due_at_start = previous is None
                if previous is None:
                    self._settled = version  # the process's start: nothing to catch up from
                else:
                    self._catch_up_due = True
            still = now - self._moved_at
            catch_up = self._catch_up_due and still >= self.settle_s
            full = self._full_due and still >= self.quiet_s and (
                self._last_full is None or now - self._last_full >= self.min_gap_s)
            if not catch_up and not full:
                return
            shapes = self._known(conn)
            lists = {r.id: (r.id, r.name, bool(r.includes_tax)) for r in conn.execute(
                select(price_lists.c.id, price_lists.c.name, price_lists.c.includes_tax)
                .where(price_lists.c.id.in_({s[0] for s in shapes})))}
        since = self._settled
        if catch_up:
            self._catch_up_due, self._settled = False, version
        if full:
            self._full_due = False
            if not self._due_at_start:  # the warm at a process's start does not hold back the next change's
                self._last_full = now
            if shapes:  # a paired till loads the customers too, at the same page size
                self._queue(CUSTOMERS, 0, POS_PAGE, 0, 0, version)
        for pl_id, wh, n in shapes:
            if pl_id not in lists:
                continue
            if full:
                self._queue(lists[pl_id], wh, n, 0, 0, version)
            if catch_up and since:  # the tills at the version before catch up with one small load
                self._queue(lists[pl_id], wh, n, since, 0, version)

    def _known(self, conn: Any) -> list[Shape]:
        with self._lock:
            asked = sorted(self._shapes, key=self._shapes.__getitem__, reverse=True)
        # Before any till asked this process (a restart at night): the paired terminals' shapes at the POS's size.
        paired = [(r.price_list_id, r.warehouse_id, POS_PAGE) for r in conn.execute(
            select(terminals.c.price_list_id, terminals.c.warehouse_id).distinct()
            .where(terminals.c.active.is_(True), terminals.c.token_hash.is_not(None)))]
        return list(dict.fromkeys(asked + paired))[:MAX_SHAPES]

    def _queue(self, price_list: PriceList | None, warehouse_id: int, n: int, since: int, after: int, version: int) -> None:
        walk = (price_list, warehouse_id, n, since, version)
        with self._lock:
            if walk in self._walks:
                return
            if len(self._walks) > 10 * MAX_SHAPES:  # older versions' walks are finished or useless
                self._walks = {w for w in self._walks if w[-1] == version}
            self._walks.add(walk)
        self._jobs.put((price_list, warehouse_id, n, since, after, version))

    def _walk(self, price_list: PriceList | None, warehouse_id: int, n: int, since: int, after: int | None,
              version: int) -> None:
        while after is not None and not self._stop.is_set():
            if price_list is CUSTOMERS:
                key = customers_key(since, after, n, version)
                build = customers_builder(self.engine, since, after, n, version)
            else:
                key = catalog_key(price_list, warehouse_id, since, after, n, version)
                build = catalog_builder(self.engine, price_list[0], warehouse_id, since, after, n, version)
            page = self.cache.get_or_build(key, build)
            self.walked_pages += 1
            if not page.etag:  # read while the version moved: the next poll walks the new one
                return
            after = page.next_after

    def run_pending(self) -> None:
        """Run the queued walks in this thread (what the warmer's thread does; tests call it directly)."""
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                return
            if job is not None:
                self._walk(*job)

    def _run(self) -> None:
        next_poll = 0.0
        while not self._stop.is_set():
            try:
                if time.monotonic() >= next_poll:
                    next_poll = time.monotonic() + POLL_S
                    self.poll()
                job = self._jobs.get(timeout=max(0.0, next_poll - time.monotonic()))
                if job is not None:
                    self._walk(*job)
            except queue.Empty:
                continue
            except Exception:  # a database hiccup must not end warming for the life of the process
                log.exception("feed warming")
                self._stop.wait(POLL_S)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="feed-warmer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._jobs.put(None)
        if self._thread is not None:
            # A page being built finishes in its own time; the thread is a daemon, so a stopping server need not
            # wait for it (a loaded machine makes one build slow).
            self._thread.join(timeout=1)


def install(app: FastAPI, cache: PageCache) -> Warmer:
    """Warm `cache` while the app serves (a thread started and stopped with the app's lifespan)."""
    warmer = app.state.feed_warmer = Warmer(app.state.engine, cache)
    run_while_serving(app, warmer.start, warmer.stop)
    return warmer
