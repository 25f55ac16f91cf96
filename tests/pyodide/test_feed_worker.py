"""The first load's feed Worker (web/idb/feed_worker.js, run under Node against a fake ERP): it fetches the pages
after the first one in order, no more than AHEAD ahead of what the main thread took, stops at the last page or at an
error, and a wrong next_after hint never makes it skip or repeat a page; it stores each page's chunk when asked, in
the order asked, with IndexedDB's own error when a write fails.

Must NOT build the runtime nor reach a network; without node it fails saying how to get it (tests/suites.py).
"""
from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from poscore.catalog import CatalogIndex
from server.api.feeds import page_json
from tests.core.poscore_data import product_json
from tests.suites import require

SCRIPT = Path(__file__).with_name("feed_worker_page.mjs")
NODE = shutil.which("node")
AHEAD = 4

pytestmark = [pytest.mark.pyodide]


def _path(after: int) -> str:
    return f"/api/catalog?since=0&after={after}&limit=2"


def _erp(pages: int, tail: str = "next_after") -> dict[str, Any]:
    """`pages` pages of 2 products, serialised as the ERP does (server/api/feeds.py: next_after last)."""
    out = {}
    for n in range(pages):
        items = [product_json(2 * n + 1, name="Piña ñ"), product_json(2 * n + 2)]
        nxt = 2 * n + 2 if n < pages - 1 else None
        if tail == "next_after":
            text = page_json({"total": 2 * pages, "version": 7}, items, nxt).decode()
        else:  # another key last: the Worker's next_after hint finds nothing
            text = json.dumps({"total": 2 * pages, "version": 7, "items": items, tail: nxt, "next_after": nxt},
                              ensure_ascii=False, separators=(",", ":"))
        out[_path(2 * n)] = {"status": 200, "body": text}
    return out


def _run(pages: dict[str, Any], steps: list[dict[str, Any]], fail_put: str | None = None) -> dict[str, Any]:
    require("pyodide", NODE is not None, "node", "apt-get install -y nodejs npm")
    assert NODE is not None
    job = {"pages": pages, "steps": steps, "failPut": fail_put}
    proc = subprocess.run([NODE, "--no-warnings", str(SCRIPT)], input=json.dumps(job),
                          capture_output=True, text=True, timeout=120, check=True)
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def _follow(walk: int = 1) -> dict[str, Any]:
    return {"op": "follow", "walk": walk, "path": _path(0), "after": 2, "columns": True, "init": {}}


def _store(ref: int, store: str = "catalog_chunks") -> dict[str, Any]:
    return {"op": "store", "ref": ref, "store": store}


def test_pages_come_in_order_until_the_last_with_their_columns_and_their_chunk_kept_there() -> None:
    got = _run(_erp(6), [_follow(), *[{"op": "took", "walk": 1} for _ in range(5)]])
    paths = [m["path"] for m in got["posted"]]
    assert paths == [_path(2 * n) for n in range(1, 6)]
    assert got["fetched"] == paths  # each page once, nothing after the last
    last = got["posted"][-1]["page"]
    assert last["next_after"] is None and last["count"] == 2 and last["status"] == 200
    assert "chunk" not in last  # the main thread has it as columns.data; the chunk stays in the Worker
    assert [m["page"]["ref"] for m in got["posted"]] == [1, 2, 3, 4, 5]
    assert memoryview(base64.b64decode(last["columns"]["ids"])).cast("I").tolist() == [11, 12]
    assert json.loads(base64.b64decode(last["columns"]["data"]))[0]["name"] == "Piña ñ"
    assert got["stored"]["catalog_chunks"] == {}  # nothing is written unasked


def test_chunks_are_stored_when_asked_in_the_order_asked_as_the_pages_own_text() -> None:
    pages = _erp(4)
    took = [{"op": "took", "walk": 1} for _ in range(3)]
    got = _run(pages, [_follow(), *took, {"wait": 30}, _store(2), _store(1), _store(3, "customer_chunks")])
    answers = sorted(got["posted"][3:], key=lambda m: m["stored"])  # another store's write need not wait
    assert answers == [{"stored": 1, "key": 1}, {"stored": 2, "key": 0}, {"stored": 3, "key": 0}]
    cat = got["stored"]["catalog_chunks"]
    assert [[p["id"] for p in json.loads(cat[k])] for k in ("0", "1")] == [[5, 6], [3, 4]]
    assert cat["0"] in pages[_path(4)]["body"]  # the ERP's own bytes, not serialised again
    assert [p["id"] for p in json.loads(got["stored"]["customer_chunks"]["0"])] == [7, 8]


def test_a_failed_write_answers_indexeddbs_error_and_a_chunk_stored_once_is_gone() -> None:
    got = _run(_erp(3), [_follow(), {"wait": 30}, _store(1)], fail_put="QuotaExceededError")
    assert got["posted"][-1] == {"stored": 1, "name": "QuotaExceededError", "message": "fake"}
    assert got["stored"]["catalog_chunks"] == {}
    got = _run(_erp(3), [_follow(), {"wait": 30}, _store(1), {"wait": 30}, _store(1)])
    assert got["posted"][-2:] == [{"stored": 1, "key": 0},
                                  {"stored": 1, "name": "NotFoundError", "message": "feed chunk no longer kept"}]


def test_chunks_of_a_walk_two_walks_old_are_dropped() -> None:
    got = _run(_erp(3), [_follow(), {"wait": 30}, {"op": "stop", "walk": 2}, _store(1), {"wait": 30},
                         {"op": "stop", "walk": 3}, _store(2)])
    stored = [m for m in got["posted"] if "stored" in m]
    assert stored == [{"stored": 1, "key": 0}, {"stored": 2, "name": "NotFoundError",
                                                 "message": "feed chunk no longer kept"}]


def test_it_fetches_at_most_ahead_pages_before_the_main_thread_takes_them() -> None:
    got = _run(_erp(10), [_follow(), {"wait": 30}])
    assert len(got["fetched"]) == AHEAD and len(got["posted"]) == AHEAD
    got = _run(_erp(10), [_follow(), {"wait": 30}, {"op": "took", "walk": 1}, {"wait": 30}])
    assert got["fetched"] == [_path(2 * n) for n in range(1, AHEAD + 2)]


def test_a_new_walk_stops_the_old_one_and_its_took_messages_count_for_nothing() -> None:
    got = _run(_erp(10), [_follow(), {"wait": 30}, {"op": "stop", "walk": 2}, {"op": "took", "walk": 1},
                          {"op": "took", "walk": 1}, {"wait": 30}])
    assert len(got["fetched"]) == AHEAD


def test_an_error_page_or_a_failed_fetch_ends_the_walk_and_is_posted() -> None:
    pages = _erp(5)
    pages[_path(4)] = {"status": 503, "body": "busy"}
    got = _run(pages, [_follow(), *[{"op": "took", "walk": 1} for _ in range(4)]])
    assert got["posted"][-1] == {"walk": 1, "path": _path(4), "page": {"status": 503, "error": "busy"}}
    assert _path(6) not in got["fetched"]
    pages = _erp(5)
    del pages[_path(4)]
    got = _run(pages, [_follow(), *[{"op": "took", "walk": 1} for _ in range(4)]])
    assert got["posted"][-1]["path"] == _path(4) and "Failed to fetch" in got["posted"][-1]["failed"]


def test_without_the_hint_the_parsed_next_after_is_followed() -> None:
    got = _run(_erp(4, tail="x"), [_follow(), *[{"op": "took", "walk": 1} for _ in range(3)]])
    assert [m["path"] for m in got["posted"]] == [_path(2), _path(4), _path(6)]


def test_a_next_after_nested_at_the_end_is_not_taken_for_the_pages() -> None:
    pages = _erp(4)
    second = json.loads(pages[_path(2)]["body"])
    second["x"] = {"q": 1, "next_after": 99}  # last in the page, but not the page's own
    pages[_path(2)]["body"] = json.dumps(second, separators=(",", ":"))
    got = _run(pages, [_follow(), *[{"op": "took", "walk": 1} for _ in range(3)]])
    assert [m["path"] for m in got["posted"]] == [_path(2), _path(4), _path(6)]
    assert _path(99) not in got["fetched"]


def _indexed(page: dict[str, Any]) -> CatalogIndex:
    c = {k: base64.b64decode(v) for k, v in page["columns"].items()}
    idx = CatalogIndex()
    idx.add_packed(c["ids"], c["active"], c["codes"], c["names"], c["data"], c["spans"], json.loads)
    assert idx._kept.held() == [True]  # kept as the page's bytes, not parsed whole
    return idx


@pytest.mark.parametrize("spaced", [False, True])
def test_products_are_kept_as_spans_of_the_pages_own_bytes(spaced: bool) -> None:
    items = [product_json(3, name='Jamón "serrano" [extra], {1}', barcodes=["7501", "7502"]),
             product_json(4, name="Piña ☕ \\ ñ"), product_json(5, name="x")]
    body = {"total": 5, "version": 7, "items": items, "next_after": None}
    text = json.dumps(body, ensure_ascii=spaced, indent=1 if spaced else None,
                      separators=(", ", ": ") if spaced else (",", ":"))
    got = _run({_path(2): {"status": 200, "body": text}}, [_follow()])
    got = _run({_path(2): {"status": 200, "body": text}}, [_follow(), {"wait": 30}, _store(1)])
    page = got["posted"][0]["page"]
    chunk = got["stored"]["catalog_chunks"]["0"]
    assert json.loads(chunk) == items
    if not spaced:  # the ERP's own bytes are what is stored
        assert chunk in text
    idx = _indexed(page)
    assert [idx.get(i).name for i in (3, 4, 5)] == [p["name"] for p in items]  # type: ignore[union-attr]
    assert idx.by_code("7502").id == 3  # type: ignore[union-attr]
