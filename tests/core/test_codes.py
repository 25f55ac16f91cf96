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
