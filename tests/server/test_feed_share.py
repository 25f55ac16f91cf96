"""Feed pages shared by the worker processes of one `caja serve` (server/api/feed_share.py): a page one process
built is read by the others, built once however many processes ask at once, never shared when it was read while
the version moved, and never served for another key (a new version is another key)."""
from __future__ import annotations

import dataclasses
import os
import threading
import time
from pathlib import Path

from fastapi.testclient import TestClient

from server.api.feed_cache import PageCache, etag
from server.api.feed_share import SharedPages, new_run_dir
from server.app import create_app
from tests.server.harness import Erp

KEY = ("catalog", 1, "General", True, 1, 0, 0, 2000, 7)


def _pair(tmp_path: Path) -> tuple[PageCache, PageCache]:
    """Two processes' caches on one run directory."""
    return (PageCache(shared=SharedPages(tmp_path, 1 << 20)), PageCache(shared=SharedPages(tmp_path, 1 << 20)))


def test_a_page_built_by_one_process_is_read_by_the_other(tmp_path: Path) -> None:
    a, b = _pair(tmp_path)
    calls: list[str] = []

    def build() -> tuple[bytes, bool, int | None]:
        calls.append("built")
        return b'{"items":[1,2]}', True, 2000

    first = a.get_or_build(KEY, build)
    second = b.get_or_build(KEY, build)
    assert calls == ["built"] and b.builds == 0 and b.shared_reads == 1
    assert second.gz == first.gz and second.etag == first.etag == etag(KEY) and second.next_after == 2000
    last = ("catalog", 1, "General", True, 1, 0, 2000, 2000, 7)
    a.get_or_build(last, lambda: (b"{}", True, None))
    assert b.get_or_build(last, build).next_after is None and calls == ["built"]


def test_a_page_read_while_the_version_moved_is_not_shared(tmp_path: Path) -> None:
    a, b = _pair(tmp_path)
    a.get_or_build(KEY, lambda: (b'{"old":1}', False, None))
    page = b.get_or_build(KEY, lambda: (b'{"new":1}', True, None))
    assert b.builds == 1 and b.shared_reads == 0 and page.etag == etag(KEY)


def test_a_new_version_is_never_served_from_a_page_of_the_old_one(tmp_path: Path) -> None:
    a, b = _pair(tmp_path)
    a.get_or_build(KEY, lambda: (b'{"price":"10.00"}', True, None))
    newer = (*KEY[:-1], KEY[-1] + 1)
    page = b.get_or_build(newer, lambda: (b'{"price":"11.00"}', True, None))
    assert b.builds == 1 and page.etag == etag(newer) != etag(KEY)


def test_processes_asking_at_once_build_a_missing_page_once(tmp_path: Path) -> None:
    caches = [PageCache(shared=SharedPages(tmp_path, 1 << 20)) for _ in range(4)]
    builds: list[int] = []

    def build() -> tuple[bytes, bool, int | None]:
        builds.append(1)
        time.sleep(0.05)  # a build long enough for the others to arrive while it runs
        return b'{"items":[]}', True, None

    pages = []
    threads = [threading.Thread(target=lambda c=c: pages.append(c.get_or_build(KEY, build))) for c in caches]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(builds) == 1 and len({p.gz for p in pages}) == 1 and len(pages) == 4


def test_an_unreadable_page_file_is_built_again(tmp_path: Path) -> None:
    a, b = _pair(tmp_path)
    a.get_or_build(KEY, lambda: (b'{"items":[]}', True, None))
    for page in tmp_path.glob("*.page"):
        page.write_bytes(b"\x01")  # shorter than its header
    b.get_or_build(KEY, lambda: (b'{"items":[]}', True, None))
    assert b.builds == 1


def test_the_store_keeps_to_its_byte_budget(tmp_path: Path) -> None:
    store = SharedPages(tmp_path, 64 * 1024)
    for i in range(200):
        store.save(("k", i), os.urandom(1024), None)
    assert sum(p.stat().st_size for p in tmp_path.glob("*.page")) <= 64 * 1024
    assert store.load(("k", 199)) is not None


def test_each_serve_run_starts_empty_and_removes_ended_runs(tmp_path: Path) -> None:
    ended = tmp_path / "feed-pages" / "999999999"  # no process has this id
    ended.mkdir(parents=True)
    (ended / "x.page").write_bytes(b"old")
    mine = new_run_dir(tmp_path)
    assert not ended.exists() and mine.is_dir() and list(mine.iterdir()) == []


def test_the_app_shares_pages_through_its_settings_directory(erp: Erp, tmp_path: Path) -> None:
    h = erp.pair()
    apps = [create_app(dataclasses.replace(erp.settings, feed_share_dir=tmp_path)) for _ in range(2)]
    clients = [TestClient(app) for app in apps]
    try:
        bodies = [c.get("/api/catalog", params={"since": 0, "limit": 50}, headers=h) for c in clients]
        assert [r.status_code for r in bodies] == [200, 200] and bodies[0].content == bodies[1].content
        assert apps[0].state.feed_cache.builds == 1 and apps[1].state.feed_cache.builds == 0
        assert apps[1].state.feed_cache.shared_reads == 1
    finally:
        for c in clients:
            c.close()
        for app in apps:
            app.state.engine.dispose()
