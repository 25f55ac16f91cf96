"""Barcode/SKU lookup while pages of codes wait to be merged into the dict (poscore.codes) and after: same answers,
the latest write winning, through CatalogIndex as the POS uses it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from poscore_data import product_json

from poscore.catalog import CatalogIndex
from poscore.codes import CodeIndex, joined


def _ids(idx: CatalogIndex, codes: list[str]) -> list[int | None]:
    return [p.id if (p := idx.by_code(c)) is not None else None for c in codes]


def test_codes_are_found_before_and_after_the_background_merge() -> None:
    idx = CatalogIndex()
    idx.add([product_json(1, sku="A-1", barcodes=["111"]), product_json(2, sku="b-2", barcodes=["222", "223"])])
    idx.add([product_json(3, sku="C-3", barcodes=["333"])])
    queries = ["111", "a-1", "B-2", "223", "333", "c-3 ", "444", "", "\x1f", "111\x1f222"]
    expected = [1, 1, 2, 2, 3, 3, None, None, None, None]
    assert _ids(idx, queries) == expected
    assert sum(1 for _ in idx.prepare()) >= 2  # one step per page of codes at least
    assert _ids(idx, queries) == expected


def test_a_later_page_or_product_takes_a_code_over_while_pages_are_pending() -> None:
    idx = CatalogIndex()
    idx.add([product_json(1, sku="X-1", barcodes=["999"])])
    idx.add([product_json(2, sku="X-2", barcodes=["999"])])  # a later page: the code now belongs to 2
    assert idx.by_code("999").id == 2  # type: ignore[union-attr]
    idx.add([product_json(1, sku="X-1", barcodes=["999", "111"], version=2)])  # a replacement (careful path)
    assert _ids(idx, ["999", "111", "X-2"]) == [1, 1, 2]
    idx.remove(1)
    assert _ids(idx, ["999", "111", "X-1", "X-2"]) == [None, None, None, 2]
    list(idx.prepare())
    assert _ids(idx, ["999", "111", "X-1", "X-2"]) == [None, None, None, 2]


code = st.text(alphabet="0123ab-\x1e", max_size=4)
product = st.tuples(st.integers(1, 50), st.lists(code, max_size=3), code)  # (id, barcodes, sku)


@given(st.lists(st.lists(product, max_size=8), max_size=6), st.integers(0, 6))
def test_code_index_answers_like_a_dict_updated_page_by_page(pages: list[list[tuple[int, list[str], str]]],
                                                            merged: int) -> None:
    index = CodeIndex()
    reference: dict[str, int] = {}
    for page in pages:
        pids, bars, skus = [p for p, _, _ in page], [b for _, b, _ in page], [s for _, _, s in page]
        # every barcode of the page, then every SKU: the order the catalog writes them in
        writes = [(c.upper(), p) for p, b, _ in page for c in b if c] + [(s.upper(), p) for p, _, s in page if s]
        if not index.add_columns(pids, bars, skus):  # a code held a separator: written one by one, as the catalog does
            assert any("\x1e" in c for c, _ in writes)
            index.merged().update(writes)
        reference.update(writes)
    for _ in range(merged):
        index.merge_one()
    for key in {c for page in pages for _, b, s in page for c in [*b, s]} | {"ZZ", "", "\x1e", "0\x1f1"}:
        assert index.owner(key.upper()) == reference.get(key.upper()), key
    assert index.merged() == reference


def test_odd_codes_are_refused_whole() -> None:
    index = CodeIndex()
    for bars, skus in [([["1 2"]], ["A"]), ([["1\x1f"]], ["A"]), ([["1"]], ["A\x1e"]), ([[1]], ["A"]),
                       ([["1"]], [None]), ([None], ["A"])]:
        assert not index.add_columns([7], bars, skus), (bars, skus)  # type: ignore[arg-type]
    assert index.owner("1") is None and index.owner("A") is None and not index.merged()
    assert index.add_columns([], [], []) and index.add_columns([7, 8, 9], [[], ["1", "2"], ["", "3", ""]], ["a", "b", ""])
    assert [index.owner(k) for k in ("1", "2", "3", "A", "B", "", "1\x1e2")] == [8, 8, 9, 7, 8, None, None]
    index.merge_one()
    assert [index.owner(k) for k in ("1", "2", "3", "A", "B", "", "1\x1e2")] == [8, 8, 9, 7, 8, None, None]


def test_codes_as_one_text_are_kept_as_the_lists_would_be() -> None:
    # As web/idb/catalog_json.js writes a page's codes: each product's barcodes joined by RS, then each SKU.
    text = joined([["1", "2"], [], ["3"]], ["a", "b", ""])
    assert text == "1\x1e2\x1f\x1f3\x1fa\x1fb\x1f"
    index = CodeIndex()
    for odd in ("1\x1fa", "1\x1f2\x1f3\x1fa\x1fb", "1 2\x1f\x1f3\x1fa\x1fb\x1f", None, b"1\x1f\x1f3\x1fa\x1fb\x1f"):
        # not one segment per code, a space, no text
        assert not index.add_text([7, 8, 9], odd)  # type: ignore[arg-type]
    assert not index.merged() and index.add_text([7, 8, 9], text)  # type: ignore[arg-type]
    assert [index.owner(k) for k in ("1", "2", "3", "A", "B", "")] == [7, 7, 9, 7, 8, None]
    assert index.merged() == {"1": 7, "2": 7, "3": 9, "A": 7, "B": 8}
    assert joined([["1\x1f"]], ["A"]) is None and joined([["1\x1e2"]], ["A"]) is None and joined([[1]], ["A"]) is None


few_codes = st.sampled_from(["1", "2", "a", "b-", "", "1\x1e"])  # codes meet often: writes land on each other
few_ids = st.integers(1, 3)
op = st.one_of(
    st.tuples(st.just("page"), st.lists(st.tuples(few_ids, st.lists(few_codes, max_size=2), few_codes), max_size=4)),
    st.tuples(st.just("write"), few_codes, few_ids),
    st.tuples(st.just("drop"), few_codes, few_ids),
    st.tuples(st.just("merge"), st.integers(0, 3)),
)


@given(st.lists(op, max_size=25))
def test_single_writes_and_drops_among_pending_pages_answer_like_a_dict(ops: list[tuple]) -> None:
    """A refresh's replacements write and drop single codes while pages are still pending: the answers are a
    dict's that got every page and every write in the same order, and no write merges the pending pages."""
    index = CodeIndex()
    reference: dict[str, int] = {}
    for kind, *args in ops:
        if kind == "page":
            page = args[0]
            pids, bars, skus = [p for p, _, _ in page], [b for _, b, _ in page], [s for _, _, s in page]
            if index.add_columns(pids, bars, skus):
                reference.update([(c.upper(), p) for p, b, _ in page for c in b if c]
                                 + [(s.upper(), p) for p, _, s in page if s])
        elif kind == "write" and args[0]:
            pending = len(index._pages)
            index.write(args[0].upper(), args[1])
            reference[args[0].upper()] = args[1]
            assert len(index._pages) in (pending, pending + 1)  # queued, nothing merged
        elif kind == "drop" and args[0]:
            key = args[0].upper()
            index.drop(key, args[1])
            if reference.get(key) == args[1]:
                del reference[key]
        elif kind == "merge":
            for _ in range(args[0]):
                index.merge_one()
        for key in set(reference) | {"ZZ"}:
            assert index.owner(key) == reference.get(key), key
    assert index.merged() == reference


def test_a_delta_on_top_of_a_loaded_catalog_leaves_its_pages_pending() -> None:
    """A warm open reads the stored full load and then a day's delta chunk (replacements): the replacements do not
    merge every page of codes at once (that is prepare's work, a step at a time)."""
    idx = CatalogIndex()
    for start in range(1, 400, 100):
        idx.add([product_json(i, sku=f"S-{i}", barcodes=[f"75{i:05d}"]) for i in range(start, start + 100)])
    idx.add([product_json(7, sku="S-7", barcodes=["NEW7"], version=2), product_json(8, sku="S-8X", version=2)])
    assert len([p for p in idx._codes._pages if isinstance(p, tuple)]) == 4  # the load's pages, still pending
    assert _ids(idx, ["7500007", "NEW7", "S-7", "S-8", "S-8X", "7500008", "S-9"]) == [None, 7, 7, None, 8, None, 9]
    list(idx.prepare())
    assert not idx._codes._pages
    assert _ids(idx, ["7500007", "NEW7", "S-7", "S-8", "S-8X", "7500008", "S-9"]) == [None, 7, 7, None, 8, None, 9]
