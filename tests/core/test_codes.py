"""Barcode/SKU lookup while pages of codes wait to be merged into the dict (poscore.codes) and after: same answers,
the latest write winning, through CatalogIndex as the POS uses it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from poscore_data import product_json

from poscore.catalog import CatalogIndex
from poscore.codes import CodeIndex


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


code = st.text(alphabet="0123ab-", min_size=1, max_size=4)


@given(st.lists(st.lists(st.tuples(code, st.integers(1, 50)), max_size=8), max_size=6), st.integers(0, 6))
def test_code_index_answers_like_a_dict_updated_page_by_page(pages: list[list[tuple[str, int]]], merged: int) -> None:
    index = CodeIndex()
    reference: dict[str, int] = {}
    for page in pages:
        index.add_page("\x1f".join(c.upper() for c, _ in page), [o for _, o in page])
        reference.update((c.upper(), o) for c, o in page)
    for _ in range(merged):
        index.merge_one()
    for key in {c.upper() for page in pages for c, _ in page} | {"ZZ", ""}:
        assert index.owner(key) == reference.get(key)
    assert index.merged() == reference
