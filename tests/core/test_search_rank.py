"""Name search among many similar names: names starting with the typed words, in order, come first, and a
search says when more match than it listed (the till's "Ver más"), without ranking every match."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from poscore_data import index_of, product_json

from poscore import catalog
from poscore.catalog import CatalogIndex
from poscore.text import normalize, words

TARGET = "Refresco de manzana Los Altos 600 ml"


def _shop(similar: int) -> CatalogIndex:
    """``similar`` names of each kind that hold the typed words but not in the typed order, sorting before the
    target, and a few that start with the typed words."""
    items = [product_json(i, name=f"Refresco con manzana y canela {i:04d}") for i in range(1, similar + 1)]
    items += [product_json(5000 + i, name=f"Refresco de durazno con manzana {i:04d}") for i in range(1, similar + 1)]
    items += [product_json(9000 + i, name=f"Jugo de manzana refresco {i:04d}") for i in range(1, similar + 1)]
    items += [product_json(9900, name=TARGET), product_json(9901, name="Refresco de manzana Del Valle 355 ml"),
              product_json(9902, name="Refresco de manzana verde 2 l")]
    return index_of(*items)


@pytest.mark.parametrize("similar", [40, 400])  # every match ranked (rare words), and the early-stopping walk
def test_names_starting_with_the_typed_words_come_first(similar: int) -> None:
    idx = _shop(similar)
    names = [p.name for p in idx.search("refresco de manzana", limit=20)]
    assert names[:3] == ["Refresco de manzana Del Valle 355 ml", TARGET, "Refresco de manzana verde 2 l"]
    assert idx.search("Refresco de manzana los", limit=20)[0].name == TARGET
    # Then names starting with the first word, then the others.
    assert names[3].startswith("Refresco ") and names[-1].startswith("Refresco ")


def test_a_page_says_exactly_how_many_more_when_every_match_was_ranked() -> None:
    idx = index_of(*[product_json(i, name=f"Galleta de avena {i:03d}") for i in range(1, 61)])
    page = idx.search_page("galleta avena", limit=20)
    assert len(page.products) == 20 and page.more == 40 and page.exact
    bigger = idx.search_page("galleta avena", limit=60)
    assert len(bigger.products) == 60 and bigger.more == 0 and bigger.exact
    assert [p.id for p in bigger.products[:20]] == [p.id for p in page.products]


def test_a_page_of_a_common_word_says_more_match_and_a_longer_page_lists_them() -> None:
    idx = _shop(400)
    page = idx.search_page("refresco", limit=20)
    assert len(page.products) == 20 and page.more >= 1 and not page.exact
    assert TARGET not in [p.name for p in page.products]
    longer = idx.search_page("refresco", limit=1300)
    assert TARGET in [p.name for p in longer.products]
    assert idx.search_page("refresco de manzana los altos", limit=20) == (
        [idx.get(9900)], 0, True)


def test_an_exact_code_and_no_match_pages() -> None:
    idx = index_of(product_json(1, name="Agua natural", sku="AGUA"), product_json(2, name="Agua mineral"))
    page = idx.search_page("agua", limit=1)
    assert [p.id for p in page.products] == [1] and page.more == 1 and page.exact
    assert idx.search_page("zzz", limit=20) == ([], 0, True)
    assert idx.search_page("", limit=20) == ([], 0, True)
    assert idx.search_page("agua", limit=0) == ([], 0, True)


_VOCAB = ["agua", "aguacate", "de", "leche", "pan", "panela", "sal"]  # few words: queries often match


def _expected(items: dict[int, dict], query: str) -> list[tuple[int, str, int]]:
    """(rank, normalized name, id) of every active product matching ``query``, best first: the ranking the
    module docstring of poscore.catalog states, computed the slow way."""
    ws, phrase = words(query), normalize(query)
    first = phrase.split(" ", 1)[0]
    out = []
    for pid, p in items.items():
        name = normalize(p["name"])
        if not p["active"] or not all(w in name for w in ws):
            continue
        if name.startswith(phrase):
            rank = 0
        elif name.startswith(first):
            rank = 1
        else:
            rank = 2 if all(" " + w in " " + name for w in ws) else 3
        out.append((rank, name, pid))
    return sorted(out)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.lists(st.sampled_from(_VOCAB), min_size=1, max_size=4), st.booleans()),
                min_size=1, max_size=40),
       st.lists(st.integers(0, 39), max_size=8),
       st.lists(st.sampled_from(_VOCAB + ["agu", "le", "pa"]), min_size=1, max_size=3),
       st.sampled_from([300, 0]))
# The last name starting with the first word lacks the other, which a later name holds: the walk must not find it
# past the names it walks.
@example([(["agua", "leche"], True), (["aguacate"], True), (["leche"], True)], [], ["agua", "leche"], 0)
def test_a_search_gives_every_match_in_rank_order_and_a_short_page_the_best_ranks(
        names: list[tuple[list[str], bool]], changed: list[int], typed: list[str], full_scan: int) -> None:
    # Both paths: every match ranked (rare words), and the prefix walks then the early-stopping scan (a
    # threshold of 0 calls every word common). Removals and replacements leave dead slots in the joined names.
    old = catalog._FULL_SCAN
    catalog._FULL_SCAN = full_scan
    try:
        items = {i: product_json(i, name=" ".join(ws).capitalize(), active=active)
                 for i, (ws, active) in enumerate(names, start=1)}
        idx = index_of(*items.values())
        for k in changed:
            pid = k % len(names) + 1
            if k % 2:
                idx.remove(pid)
                items.pop(pid, None)
            elif pid in items:
                items[pid] = product_json(pid, name=f"Sal {items[pid]['name']}")
                idx.add([items[pid]])
        query = " ".join(typed)
        expected = _expected(items, query)
        every = idx.search_page(query, limit=len(names) + 1)
        assert [(normalize(p.name), p.id) for p in every.products] == [(n, pid) for _, n, pid in expected], query
        assert every.more == 0
        short = idx.search(query, limit=3)
        ranks = {pid: (rank, n) for rank, n, pid in expected}
        assert [ranks[p.id][0] for p in short] == [rank for rank, _, _ in expected[:3]], query
        # Names starting with the typed words, then with the first word: found in name order by the walks.
        best = [ranks[p.id] for p in short if ranks[p.id][0] <= 1]
        assert best == [(rank, n) for rank, n, _ in expected[:len(best)]], query
    finally:
        catalog._FULL_SCAN = old
