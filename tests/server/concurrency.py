"""Shared by the concurrency tests: a pool of sales sent by many senders in overlapping batches, and the check.

What it is for: `sale_pool(...)` builds sales (remisiones and facturas), `send_overlapping(post, pool, ...)`
has several threads each send every sale of the pool in their own shuffled batches (so the same uuid
travels in several requests at once), and `assert_exactly_once(...)` checks the database afterwards.
"""
from __future__ import annotations

import random
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, text

from tests.server.harness import make_sale

Post = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]


def sale_pool(products: list[dict[str, Any]], customer: dict[str, Any], n: int) -> list[dict[str, Any]]:
    pool = []
    for seq in range(1, n + 1):
        kind = "factura" if seq % 4 == 0 else "remision"
        pool.append(make_sale([products[seq % len(products)]], seq, sale_type=kind,
                              customer=customer if kind == "factura" else None))
    return pool


def send_overlapping(post: Post, pool: list[dict[str, Any]], senders: int, batch: int) -> dict[str, set[tuple[str, int]]]:
    """Every sender sends the whole pool, shuffled, in batches; returns the answers seen per uuid."""
    answers: dict[str, set[tuple[str, int]]] = {}
    lock = threading.Lock()
    errors: list[BaseException] = []
    start = threading.Barrier(senders)

    def run(k: int) -> None:
        try:
            mine = pool[:]
            random.Random(k).shuffle(mine)
            start.wait()
            for i in range(0, len(mine), batch):
                for res in post(mine[i:i + batch]):
                    assert res["status"] == "accepted", res
                    with lock:
                        answers.setdefault(res["uuid"], set()).add((res["series"], res["folio"]))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(senders)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if errors:
        raise errors[0]
    return answers


def assert_exactly_once(engine: Engine, pool: list[dict[str, Any]], answers: dict[str, set[tuple[str, int]]]) -> None:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT uuid, series, folio FROM sales")).all()
    uuids = [r.uuid for r in rows]
    assert sorted(uuids) == sorted(s["uuid"] for s in pool)  # every uuid exactly once
    for series in {r.series for r in rows}:
        folios = sorted(r.folio for r in rows if r.series == series)
        assert folios == list(range(1, len(folios) + 1)), series  # contiguous, no gaps, no duplicates
    stored = {r.uuid: (r.series, r.folio) for r in rows}
    for uuid, seen in answers.items():
        assert seen == {stored[uuid]}, uuid  # every answer for a uuid named the same folio
    want_r = sum(1 for s in pool if s["type"] == "remision")
    assert sum(1 for r in rows if r.series == "R") == want_r
