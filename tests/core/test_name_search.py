"""The name order behind prefix queries: sorted in bounded steps (background) or at once, same answer; and
CatalogIndex.prepare, which builds it ahead of the first keystroke and gives up when the catalog changes."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st
from poscore_data import index_of, product_json

from poscore import name_search
from poscore.catalog import CatalogIndex


@given(st.lists(st.sampled_from(["", "agua", "agua mineral", "aguacate", "b", "zanahoria", "ñame", "a b"]),
                max_size=60))
def test_sort_steps_gives_sort_now_in_steps(names: list[str]) -> None:
    old = name_search._STEP, name_search._MERGED
    name_search._STEP, name_search._MERGED = 7, 3  # many runs and stretches even for a few names
    try:
        _steps_give_the_order_at_once(names)
    finally:
        name_search._STEP, name_search._MERGED = old


def _steps_give_the_order_at_once(names: list[str]) -> None:
    order: list[int] = []
    ordered: list[str] = []
    steps = sum(1 for _ in name_search.sort_steps(names, order, ordered))
    assert (order, ordered) == name_search.sort_now(names)
    assert order == sorted(range(len(names)), key=lambda i: (names[i], i))  # stable: equal names by slot
    runs, stretches = -(-len(names) // 7), -(-len(names) // 3)
    assert steps == runs + max(stretches - 1, 0)  # one per sorted slice, then one between merged stretches
    # The whole order in steps (sort, offsets, join) is the one built at once, and each offset is its name's.
    done: list[name_search.NameOrder] = []
    assert sum(1 for _ in name_search.order_steps(names, done)) >= steps
    assert done == [name_search.name_order(names)]
    text, starts = done[0].text, done[0].starts
    assert text == "\n".join(ordered) and len(starts) == len(names) + 1
    assert starts[-1] == (len(text) + 1 if names else 0)
    assert [text[starts[k]:starts[k + 1] - 1] for k in range(len(names))] == ordered


def _catalog(n: int) -> list[dict]:
    rng = random.Random(5)
    first = ["agua", "aceite", "jabón", "leche", "pan", "refresco", "galletas", "arroz"]
    return [product_json(i, name=f"{rng.choice(first)} {rng.choice(first)} {i}", barcodes=[f"75{i:011d}"])
            for i in range(1, n + 1)]


def test_prepare_builds_in_steps_what_a_search_would_build_at_once() -> None:
    items = _catalog(20_000)
    eager, prepared = index_of(*items), index_of(*items)
    steps = sum(1 for _ in prepared.prepare())
    assert steps >= 7  # names normalized, the blob, then sorted slices and merged stretches: none of them all at once
    assert sum(1 for _ in prepared.prepare()) == 0  # ready: nothing left to do
    for q in ("agua", "a", "pan leche", "galletas 19", "75000000012345", "jab"):
        assert [p.id for p in prepared.search(q, limit=30)] == [p.id for p in eager.search(q, limit=30)], q


def test_prepare_gives_up_when_the_catalog_changes_and_search_stays_right() -> None:
    idx = index_of(*_catalog(20_000))
    while idx._codes.merge_one():  # codes and names first: a change makes only the order being built stale
        pass
    idx._normalize()
    steps = idx.prepare()
    next(steps)
    next(steps)
    idx.add([product_json(99_999, name="Agua bendita 1 l")])  # a refresh page arrives mid-way
    assert list(steps) in ([], [None])  # stops at its next check: the order it was building is stale
    assert idx._order is None  # nothing stale was kept
    assert idx.search("agua bendita")[0].id == 99_999
    again = idx.prepare()
    while idx._codes.merge_one():  # pages of codes first (codes.py), the names next, then the blob and the first
        pass  # sorted slice
    idx._normalize()
    next(again)
    idx.add([product_json(99_998, name="Agua de jamaica 1 l")])
    assert list(again) in ([], [None])
    found = idx.search("agua", limit=5000)  # a common word: the prefix walk over an order built at once
    assert {99_998, 99_999} <= {p.id for p in found}
    assert all(p.name.lower().startswith("agua") for p in found[:100])


def test_names_normalized_in_steps_are_searched_whole_at_any_moment() -> None:
    # Names are normalized by `prepare` a step at a time; a search, a new page, a replacement or a removal may
    # come between two steps, and every answer must be the one of an index built at once.
    items = _catalog(30_000)  # four normalizing steps: the three changes all land while names wait
    idx, eager = CatalogIndex(), CatalogIndex()
    for k in range(0, len(items), 5000):
        idx.add(items[k:k + 5000])
        eager.add(items[k:k + 5000])
    late = [product_json(30_001, name="Ágüa  BENDITA-1 l"), product_json(30_002, name="Pan Ñandú")]
    changes = iter([lambda ix: ix.add(late), lambda ix: ix.remove(items[3]["id"]),
                    lambda ix: ix.add([dict(items[12_345], name="Jabón ZOTE rosa", version=2)])])
    queries = ("agua", "agua bendita", "pan", "jabon zote", "nandu", "galletas 19", items[3]["name"], "a")
    pending = []
    for _ in idx.prepare():  # the changes between steps, while names wait (no search: it would normalize them all)
        change = next(changes, None)
        if change is None:
            break
        pending.append(len(idx._names) - idx._fresh)
        change(idx)
        change(eager)
    assert len(pending) == 3 and min(pending) > 0 and idx._fresh > 0  # some names normalized, some waiting
    for q in queries:
        assert [p.id for p in idx.search(q, limit=30)] == [p.id for p in eager.search(q, limit=30)], q
    idx.add([product_json(30_003, name="Agua Ciel 600 ml")])  # names waiting again, then prepared in steps
    eager.add([product_json(30_003, name="Agua Ciel 600 ml")])
    list(idx.prepare())
    assert idx._fresh == len(idx._names) and sum(1 for _ in idx.prepare()) == 0
    for q in queries:
        assert [p.id for p in idx.search(q, limit=30)] == [p.id for p in eager.search(q, limit=30)], q


@pytest.mark.parametrize("n", [0, 1])
def test_prepare_on_tiny_catalogs(n: int) -> None:
    idx, eager = CatalogIndex(), CatalogIndex()
    idx.add(_catalog(n))
    eager.add(_catalog(n))
    list(idx.prepare())
    assert [p.id for p in idx.search("agua")] == [p.id for p in eager.search("agua")]
    assert len(idx.search(_catalog(n)[0]["name"] if n else "x")) == n


def test_prefix_walk_over_thousands_of_names_finds_the_first_holding_every_word_in_name_order() -> None:
    # Thousands of names start with the first word; those holding the other words sit deep in that stretch
    # (past the first stretches read at once), some holding only one of them, some deactivated.
    flavours = ["cola", "durazno", "guayaba", "limon", "mandarina", "manzana", "naranja", "toronja"]
    items, pid = [], 0
    for flavour in flavours:
        for brand in ("el faro", "la lomita", "san juan", "los altos"):
            for size in range(120):
                pid += 1
                items.append(product_json(pid, name=f"Refresco de {flavour} {brand} {size} ml",
                                          barcodes=[f"75{pid:011d}"], active=pid % 97 != 0))
    idx = index_of(*items)
    live = {p["id"]: p["name"].lower() for p in items if p["active"]}
    for query in ("refresco naranja far", "refresco lomita 11", "refresco toronja los alt", "refresco 119"):
        ws = query.split()
        holding = sorted((name, i) for i, name in live.items() if all(w in name for w in ws))
        assert [p.id for p in idx.search(query, limit=25)] == [i for _, i in holding[:25]], query
        assert idx.search_page(query, limit=25).more == max(0, len(holding) - 25) or \
            not idx.search_page(query, limit=25).exact


def test_word_counts_count_each_word_once_on_the_sample_and_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    blob = "\n" + "\n".join(f"agua {i} pan" for i in range(20_000)) + "\n"
    counts = name_search.WordCounts(blob)
    assert counts.length <= len(counts.sample) < len(blob)  # windows of a long text (joined by newlines), not all
    assert counts.rarest(["agua", "pan", "zzz"]) == (0, counts.length, "zzz")
    assert counts.count("agua") == counts.sample.count("agua") > 100
    counts.sample = ""  # a kept count is not counted again
    assert counts.count("agua") > 100
    monkeypatch.setattr(name_search, "_COUNTS_KEPT", 2)
    counts.count("pan")
    assert counts.count("agua") > 100 and counts.count("x") == 0  # full: the kept counts are dropped, new ones kept
    assert counts.count("agua") == 0 and counts.count("pan") == 0
