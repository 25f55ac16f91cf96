"""A per-process cache of feed pages as gzip bytes, keyed by what decides a page's content, with validators.

What it is for: when a chain's tills load the catalog at the same moment, every till asks for the same pages;
a page is built (queried, encoded, compressed) once per key and then served as stored bytes. The key holds the
change version the feed already reports (`server.db.changes`), so any write to products, prices, stock or
customers makes every older entry unreachable: nothing is ever invalidated by hand. `etag()` is the weak
validator a client revalidates with (If-None-Match → 304) without the page being built or sent again.
What it must NOT do: query the database (the route reads the version and builds the page), keep a page that
was built while the version moved (the route says so with `store=False`), or grow past its byte budget.
Under `caja serve --workers N` the processes also share what they build (feed_share): a page missing here is read
from the page another process wrote, or built once for all of them.
"""
from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from . import feed_share
from .feed_share import SharedPages

# Pages of one full catalog of 100,000 products take a few MB compressed; this keeps several price lists and
# warehouses, and the previous version while tills still finish a load started before a change.
MAX_BYTES = 64 * 1024 * 1024
# Bumped when the JSON a page holds changes shape, so a client never revalidates a page of the old format.
FORMAT = "1"
# gzip's level 6 is within a few per cent of 9 on JSON at a fraction of the time, and the first build of a page
# is what a crowd of tills waits for.
LEVEL = 6

Key = tuple[object, ...]


@dataclass(frozen=True)
class Page:
    gz: bytes
    etag: str
    next_after: int | None = None  # where the next page of the same load starts (None: the last page)


def etag(key: Key) -> str:
    digest = hashlib.blake2b(repr((FORMAT, key)).encode(), digest_size=12).hexdigest()
    return f'W/"{digest}"'


def compress(body: bytes) -> bytes:
    # mtime=0: the same page compresses to the same bytes in every worker.
    return gzip.compress(body, compresslevel=LEVEL, mtime=0)


class PageCache:
    def __init__(self, max_bytes: int = MAX_BYTES, shared: SharedPages | None = None) -> None:
        self.max_bytes = max_bytes
        self.shared = shared  # the other worker processes' pages (feed_share), under `caja serve --workers N`
        self._pages: OrderedDict[Key, Page] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        # One builder per key: a hundred tills asking for the same missing page wait for one build, not a
        # hundred (routes run in a thread pool, so this is a threading lock, not an asyncio one).
        self._building: dict[Key, threading.Lock] = {}
        self.hits = 0
        self.builds = 0
        self.shared_reads = 0

    def get(self, key: Key) -> Page | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
                self.hits += 1
            return page

    def get_or_build(self, key: Key, build: Callable[[], tuple[bytes, bool, int | None]]) -> Page:
        """The page for `key`; `build()` returns (JSON bytes, store, next page's `after`) and runs at most once at
        a time per key in this process."""
        page = self.get(key)
        if page is not None:
            return page
        with self._lock:
            gate = self._building.setdefault(key, threading.Lock())
        with gate:
            page = self.get(key)
            if page is not None:
                return page
            try:
                if self.shared is None:
                    return self._build(key, build)
                with self.shared.building(key):  # one builder per key across the processes too
                    found = self.shared.load(key)
                    if found is not None:
                        page = Page(found[0], etag(key), found[1])
                        with self._lock:
                            self.shared_reads += 1
                            self._put(key, page)
                        return page
                    page = self._build(key, build)
                    if page.etag:  # kept here, so valid for every process
                        self.shared.save(key, page.gz, page.next_after)
                    return page
            finally:
                with self._lock:
                    self._building.pop(key, None)

    def _build(self, key: Key, build: Callable[[], tuple[bytes, bool, int | None]]) -> Page:
        body, store, next_after = build()
        page = Page(compress(body), etag(key) if store else "", next_after)
        with self._lock:
            self.builds += 1
            if store and len(page.gz) <= self.max_bytes:
                self._put(key, page)
        return page

    def _put(self, key: Key, page: Page) -> None:
        old = self._pages.pop(key, None)
        if old is not None:
            self._bytes -= len(old.gz)
        self._pages[key] = page
        self._bytes += len(page.gz)
        while self._bytes > self.max_bytes:
            _, dropped = self._pages.popitem(last=False)
            self._bytes -= len(dropped.gz)

    @property
    def size(self) -> int:
        return self._bytes


_create = threading.Lock()


def page_cache(request: Request) -> PageCache:
    """The app's cache, made on first use (one per app, so one per worker process and per test app)."""
    state = request.app.state
    cache: PageCache | None = getattr(state, "feed_cache", None)
    if cache is None:
        with _create:
            cache = getattr(state, "feed_cache", None)
            if cache is None:
                cache = state.feed_cache = PageCache(shared=feed_share.of_dir(state.settings.feed_share_dir, MAX_BYTES))
    return cache


def install(app: Any) -> PageCache:
    """Make the app's cache now (for a background builder that has no request to make it with)."""
    cache = app.state.feed_cache = PageCache(shared=feed_share.of_dir(app.state.settings.feed_share_dir, MAX_BYTES))
    return cache


def not_modified(request: Request, tag: str) -> bool:
    """If-None-Match holds this validator (weak comparison, as RFC 9110 asks for If-None-Match)."""
    if not tag:
        return False
    header = request.headers.get("if-none-match", "")
    if header.strip() == "*":
        return True
    bare = tag.removeprefix("W/")
    return any(t.strip().removeprefix("W/") == bare for t in header.split(","))


def accepts_gzip(request: Request) -> bool:
    for part in request.headers.get("accept-encoding", "").lower().split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False
