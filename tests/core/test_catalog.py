"""CatalogIndex: code lookup, incremental pages, and ranked accent-insensitive name search."""

from __future__ import annotations

import json
from array import array
from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given
from poscore_data import index_of, product_json
from poscore_strategies import catalogs

from poscore.catalog import CatalogIndex, Product
from poscore.codes import joined
from poscore.text import normalize


def names(products: list[Product]) -> list[str]:
    return [p.name for p in products]


def test_product_from_json_parses_decimals_and_taxes() -> None:
    p = Product.from_json(product_json(7, ieps="8", stock=None))
    assert (p.id, p.price, p.stock, p.iva, p.ieps, p.unit) == (7, Decimal("18.50"), None, "16", "8", "pieza")
    assert Product.from_json(p.to_json()) == p


@pytest.mark.parametrize("change", [{"id": "7"}, {"id": True}, {"unit": "litro"}, {"iva": "15"},
                                    {"price": "NaN"}, {"price": 18.5}, {"stock": "x"}, {"iva": None}])
def test_product_from_json_refuses_malformed(change: dict) -> None:
    with pytest.raises(ValueError, match="malformed product"):
        Product.from_json(product_json(7) | change)


def test_product_from_json_refuses_missing_fields() -> None:
    for key in ("id", "sku", "name", "unit", "iva"):
        data = product_json(7)
        del data[key]
        with pytest.raises(ValueError, match="malformed product"):
            Product.from_json(data)


def test_lookup_by_barcode_sku_and_id() -> None:
    idx = index_of(product_json(1, sku="ref-600", barcodes=["7501055300075", "7501055300082"]))
    assert idx.by_code("7501055300075").id == 1  # type: ignore[union-attr]
    assert idx.by_code(" 7501055300082 ").id == 1  # type: ignore[union-attr]
    assert idx.by_code("REF-600").id == 1  # type: ignore[union-attr]
    assert idx.get(1).sku == "ref-600"  # type: ignore[union-attr]
    assert idx.by_code("nope") is None and idx.get(2) is None
    assert len(idx) == 1 and 1 in idx


def test_later_pages_replace_products_and_their_codes() -> None:
    idx = CatalogIndex()
    idx.add([product_json(1, name="Leche entera", barcodes=["111"]), product_json(2, name="Pan blanco")])
    idx.add([product_json(1, name="Leche deslactosada", barcodes=["222"], price="30.00", version=2)])
    assert idx.by_code("111") is None
    assert idx.by_code("222").name == "Leche deslactosada"  # type: ignore[union-attr]
    assert idx.get(1).price == Decimal("30.00")  # type: ignore[union-attr]
    assert names(idx.search("leche")) == ["Leche deslactosada"]
    assert idx.search("entera") == []
    assert len(idx) == 2


def test_deactivated_products_drop_out_of_search_but_stay_known() -> None:
    idx = index_of(product_json(1, name="Atún en agua"), product_json(2, name="Atún en aceite"))
    idx.search("atun")  # build the search structures before the change
    idx.add([product_json(1, name="Atún en agua", active=False, version=2)])
    assert names(idx.search("atun")) == ["Atún en aceite"]
    assert idx.get(1).active is False  # type: ignore[union-attr]
    assert idx.by_code("SKU-1").active is False  # type: ignore[union-attr]
    assert idx.search("SKU-1") == []  # not even by its exact code
    idx.add([product_json(1, name="Atún en agua", version=3)])
    assert sorted(names(idx.search("atun"))) == ["Atún en aceite", "Atún en agua"]


def test_a_price_or_stock_change_keeps_the_search_structures() -> None:
    """A delta refresh is mostly prices and stock: a product replaced under the same (normalized) name keeps its
    slot, so the joined names and their order stay built (the next keystroke does not rebuild them at once); a
    rename or a deactivation still changes what a search finds."""
    idx = index_of(product_json(1, name="Leche entera", barcodes=["111"]), product_json(2, name="Leche light"),
                   product_json(3, name="Pan"))
    for _ in idx.prepare():
        pass
    blob, order = idx._blob, idx._order
    assert blob is not None and order is not None
    idx.add([product_json(1, name="LECHE ENTERA", barcodes=["112"], price="31.50", version=2)])
    assert idx._blob is blob and idx._order is order  # nothing to rebuild
    assert idx.get(1).price == Decimal("31.50") and idx.get(1).name == "LECHE ENTERA"  # type: ignore[union-attr]
    assert idx.by_code("111") is None and idx.by_code("112").id == 1  # type: ignore[union-attr]
    assert sorted(names(idx.search("leche"))) == ["LECHE ENTERA", "Leche light"]
    assert names(idx.search("112")) == ["LECHE ENTERA"]
    idx.add([])  # a refresh that brought nothing
    _texts(idx, [])
    _packed(idx, [])
    assert idx._blob is blob and idx._order is order
    idx.add([product_json(2, name="Yogur natural", version=2)])  # renamed
    assert idx._blob is None
    assert names(idx.search("leche")) == ["LECHE ENTERA"] and names(idx.search("yogur")) == ["Yogur natural"]
    for _ in idx.prepare():
        pass
    blob = idx._blob
    idx.add([product_json(3, name="Pan", active=False, version=2)])  # gone inactive: its slot dies
    assert idx._blob is None and idx.search("pan") == []
    idx.add([product_json(3, name="Pan", active=False, version=3)])  # inactive still: no slot, nothing changes
    assert idx.search("pan") == [] and idx.get(3).version == 3  # type: ignore[union-attr]
    idx.add([product_json(3, name="Pan", version=4)])
    assert names(idx.search("pan")) == ["Pan"]


def test_remove() -> None:
    idx = index_of(product_json(1, name="Frijol negro"), product_json(2, name="Frijol bayo"))
    idx.remove(1)
    idx.remove(99)
    assert names(idx.search("frijol")) == ["Frijol bayo"]
    assert idx.get(1) is None and idx.by_code("SKU-1") is None and len(idx) == 1


def test_search_is_case_and_accent_insensitive_and_multi_word() -> None:
    idx = index_of(product_json(1, name="Jamón de Pavo FUD"), product_json(2, name="Piña en almíbar"),
                   product_json(3, name="Café soluble"), product_json(4, name="Pavo ahumado"))
    assert names(idx.search("JAMON")) == ["Jamón de Pavo FUD"]
    assert names(idx.search("pina")) == ["Piña en almíbar"]
    assert names(idx.search("piña ALMÍBAR")) == ["Piña en almíbar"]
    assert names(idx.search("pavo jam")) == ["Jamón de Pavo FUD"]
    assert idx.search("pavo cafe") == []
    assert idx.search("") == [] and idx.search("   ") == [] and idx.search("-") == []


def test_search_ranking_exact_code_then_prefix_then_word_prefix_then_substring() -> None:
    idx = index_of(
        product_json(1, name="Galletas de coco"),  # "coco" as a word prefix
        product_json(2, name="Minicocos"),  # "coco" only inside a word
        product_json(3, name="Coco rallado"),  # the name starts with "coco"
        product_json(4, name="Agua de coco", sku="COCO"),  # exact SKU
        product_json(5, name="Aceite de coco"),
    )
    assert names(idx.search("coco")) == ["Agua de coco", "Coco rallado", "Aceite de coco", "Galletas de coco",
                                         "Minicocos"]


def test_search_limit_and_early_stop_keep_best_ranks() -> None:
    items = [product_json(i, name=f"Zanahoria {i}") for i in range(1, 40)]
    items += [product_json(100 + i, name=f"Jugo de zanahoria {i}") for i in range(1, 40)]
    idx = index_of(*items)
    found = idx.search("zanahoria", limit=45)
    assert len(found) == 45
    assert all(p.name.startswith("Zanahoria") for p in found[:39])
    assert all(p.name.startswith("Jugo") for p in found[39:])
    assert len(idx.search("zan", limit=5)) == 5
    assert idx.search("zanahoria", limit=0) == []


def test_search_in_a_catalog_grouped_by_category_finds_words_only_at_its_end() -> None:
    """Catalogs arrive grouped: a word common only in the last category (far past any sample taken from
    the start) is still found, names starting with it first, and a rare word is ranked exactly."""
    items = [product_json(i, name=f"Cuaderno profesional {i}") for i in range(1, 20_001)]
    items += [product_json(30_000 + i, name=f"Galletas marías presentación {i}") for i in range(1, 5_001)]
    items += [product_json(40_000 + i, name=f"Presentación especial {i}") for i in range(1, 30)]
    items += [product_json(50_000, name="Cuaderno raya presentación única")]
    idx = index_of(*items)
    found = idx.search("presentación", limit=40)
    assert len(found) == 40
    assert all(p.name.startswith("Presentación") for p in found[:29])
    assert all("presentacion" in normalize(p.name) for p in found)
    assert names(idx.search("raya presentacion")) == ["Cuaderno raya presentación única"]
    assert [p.id for p in idx.search("cuaderno unica", limit=3)] == [50_000]


def test_search_by_barcode_and_punctuation() -> None:
    idx = index_of(product_json(1, name="Coca-Cola 600ml", barcodes=["7501055300075"]))
    assert names(idx.search("7501055300075")) == ["Coca-Cola 600ml"]
    assert names(idx.search("coca cola")) == ["Coca-Cola 600ml"]
    assert names(idx.search("coca-cola 600")) == ["Coca-Cola 600ml"]


def test_many_replacements_compact_the_index() -> None:
    idx = CatalogIndex()
    for version in range(1, 6):
        idx.add([product_json(i, name=f"Producto {i} v{version}", version=version) for i in range(1, 21)])
        assert len(idx.search("producto", limit=100)) == 20
    assert names(idx.search("v5", limit=100)) != []
    assert idx.search("v4") == []


def test_normalize() -> None:
    assert normalize("  Jamón  Serrano-ÑORA ") == "jamon serrano nora"
    assert normalize("CAFÉ\tmolido\n500g") == "cafe molido 500g"


@given(catalogs())
def test_search_finds_every_product_by_barcode_sku_and_each_word(items: list[dict]) -> None:
    idx = CatalogIndex()
    # Add in two slices, as the feed pages arrive.
    idx.add(items[: len(items) // 2])
    idx.add(items[len(items) // 2 :])
    for item in items:
        assert idx.search(item["barcodes"][0], limit=1)[0].id == item["id"]
        assert idx.by_code(item["sku"].lower()).id == item["id"]  # type: ignore[union-attr]
        for word in item["name"].split():
            if normalize(word):
                found = idx.search(word, limit=len(items))
                assert item["id"] in [p.id for p in found], word
        found = idx.search(item["name"], limit=len(items))
        assert item["id"] in [p.id for p in found]


def test_first_page_with_inactive_odd_codes_and_duplicates() -> None:
    odd = product_json(3, name="Sal de mar", sku="", barcodes=None)  # type: ignore[arg-type]
    spaced = product_json(4, name="Salsa verde", sku=" sal-v ", barcodes=["  7500000000004"])
    page = [product_json(1, name="Sal fina", active=False), product_json(2, name="Salchicha"), odd, spaced]
    for items in (page, [*page, product_json(2, name="Salchicha de pavo", version=2)]):
        idx = CatalogIndex()
        idx.add(items)
        assert idx.get(1).active is False and idx.by_code("SKU-1").id == 1  # type: ignore[union-attr]
        assert idx.by_code("SAL-V").id == 4 and idx.by_code("7500000000004").id == 4  # type: ignore[union-attr]
        assert idx.by_code("") is None
        assert sorted(p.id for p in idx.search("sal", limit=10)) == [2, 3, 4]
    assert idx.get(2).name == "Salchicha de pavo"  # type: ignore[union-attr]


def test_built_products_stay_bounded_however_many_are_looked_up() -> None:
    """A till that scans a different product in every sale all day keeps only the last CACHE_SIZE built."""
    from poscore import catalog

    idx = CatalogIndex()
    idx.add([product_json(i) for i in range(1, catalog.CACHE_SIZE * 2 + 1)])
    first = idx.get(1)
    for i in range(1, catalog.CACHE_SIZE * 2 + 1):
        assert idx.get(i) is not None and idx.get(i).id == i
    assert len(idx._cache) == catalog.CACHE_SIZE
    assert idx.get(1) == first  # built again from its dict when asked after being dropped: the same product


def _page(items: list[dict]) -> tuple[bytes, list[int]]:
    """A page as web/idb/catalog_cols.js hands it over: the chunk's UTF-8 JSON and each product's (start, end)."""
    parts = [json.dumps(p, ensure_ascii=False).encode() for p in items]
    spans, at = [], 1
    for b in parts:
        spans += [at, at + len(b)]
        at += len(b) + 1
    return b"[" + b",".join(parts) + b"]", spans


def _columns(items: list[dict]) -> tuple[list[int], str | None, list[bool], str]:
    """A page's index columns as add_json takes them: ids, the codes as one text (codes.joined; None for codes JS
    refuses, which add_json refuses too), active, the names joined by newlines."""
    codes = joined([p.get("barcodes") for p in items], [p.get("sku") for p in items])  # type: ignore[misc]
    return [p["id"] for p in items], codes, [p.get("active", True) for p in items], "\n".join(p["name"] for p in items)


def _texts(idx: CatalogIndex, items: list[dict]) -> None:
    """add_json as web/caja_pos/app_catalog.py calls it with a page's columns: each product kept as JSON in the
    page."""
    data, spans = _page(items)
    idx.add_json(*_columns(items), data, array("I", spans), json.loads)  # type: ignore[arg-type]


def _packed(idx: CatalogIndex, items: list[dict]) -> None:
    """add_packed as web/caja_pos/app_catalog.py calls it: the columns as web/idb/catalog_json.js columnsOf packs
    them (ids and spans a Uint32Array's bytes, a flag byte per product, codes and names as UTF-8)."""
    data, spans = _page(items)
    ids, codes, active, text = _columns(items)
    assert codes is not None
    idx.add_packed(array("I", ids).tobytes(), bytes(active), codes.encode(), text.encode(), data,
                   array("I", spans).tobytes(), json.loads)


@pytest.mark.parametrize("add", [_texts, _packed])
def test_products_kept_as_json_are_built_on_use_replaced_and_removed(add: Callable) -> None:
    idx = CatalogIndex()
    add(idx, [product_json(1, name="Leche entera", barcodes=["111"]), product_json(2, name="Pan blanco"),
                 product_json(3, name="Leche light", active=False), product_json(4, name="Jamón serrano")])
    assert len(idx) == 4 and idx.by_code("111").name == "Leche entera"  # type: ignore[union-attr]
    assert idx.get(3).active is False and names(idx.search("leche")) == ["Leche entera"]
    assert idx.get(2).price == Decimal("18.50")  # type: ignore[union-attr]
    assert names(idx.search("jamon")) == ["Jamón serrano"]  # non-ASCII: offsets are in bytes, not characters
    idx.add([product_json(1, name="Leche deslactosada", barcodes=["222"], version=2)])  # a later feed page
    assert idx.by_code("111") is None and names(idx.search("leche")) == ["Leche deslactosada"]
    idx.remove(2)
    assert idx.get(2) is None and idx.by_code("SKU-2") is None and names(idx.search("pan")) == []
    assert idx._kept.held()[0]  # products 3 and 4 still read from it
    idx.add([product_json(3, name="Leche light", version=2)])
    idx.remove(4)
    assert not idx._kept.held()[0]  # every product of the page replaced or removed: its bytes go
    assert idx.get(3).name == "Leche light" and idx.get(1).name == "Leche deslactosada"  # type: ignore[union-attr]


def test_json_pages_refused_by_the_fast_path_are_parsed_at_once() -> None:
    for items in ([product_json(1, name="Sal fina"), product_json(1, name="Sal de mar", version=2)],
                  [product_json(2, name="Sal", sku=" sal-v ")]):
        idx = CatalogIndex()
        _texts(idx, items)
        assert len(idx) == 1 and names(idx.search("sal")) == [items[-1]["name"]]
    idx = CatalogIndex()
    data, spans = _page([product_json(1)])
    idx.add_json([1], "111\x1fA", [True], None, data, spans, json.loads)  # type: ignore[arg-type]
    assert idx.get(1).name == "Refresco Cola 600 ml"  # type: ignore[union-attr]
    for codes, name in (("111\x1fA", "Refresco\nCola"), ("111\x1fA\x1fB", "Refresco"), ("1 1\x1fA", "Refresco"),
                        (None, "Refresco")):  # a name with a newline, codes of two products, a space, no codes
        idx = CatalogIndex()
        idx.add_json([1], codes, [True], name, data, spans, json.loads)  # type: ignore[arg-type]
        assert idx.get(1).name == "Refresco Cola 600 ml" and not any(idx._kept.held())  # type: ignore[union-attr]
        assert idx.by_code("SKU-1").id == 1  # type: ignore[union-attr]
    idx = CatalogIndex()
    _texts(idx, [product_json(1, name="Sal fina")])
    data, spans = _page([product_json(1, name="Sal de mar", version=2), product_json(2, name="Sal gruesa")])
    idx.add_json([1, 2], "1\x1f2\x1fS1\x1fS2", [True, True], "Sal de mar\nSal gruesa", data, spans,
                 json.loads)  # a replacement: the careful path, from the JSON kept
    assert names(idx.search("sal")) == ["Sal de mar", "Sal gruesa"] and not idx._kept.held()[-1]


def test_a_span_that_is_not_its_products_is_an_error_not_another_product() -> None:
    items = [product_json(1, name="Leche"), product_json(2, name="Pan")]
    data, spans = _page(items)
    idx = CatalogIndex()
    idx.add_json(*_columns(items), data, array("I", spans[2:] + spans[:2]), json.loads)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="product 1"):
        idx.get(1)


def test_names_of_a_stored_open_wait_joined_until_a_search_or_prepare_needs_them() -> None:
    items = [product_json(i, name=f"Producto {i}") for i in range(1, 6)]
    idx = CatalogIndex()
    _packed(idx, items[:3])
    _packed(idx, items[3:])
    assert idx.names_waiting() == 5 and len(idx._queued) == 2 and idx._names == []
    assert idx.by_code("SKU-4").name == "Producto 4"  # type: ignore[union-attr]  # selling needs no name
    steps = sum(1 for _ in idx.prepare())
    assert steps >= 1 and idx.names_waiting() == 0 and not idx._queued
    assert names(idx.search("producto 5")) == ["Producto 5"]
    idx = CatalogIndex()
    _packed(idx, [product_json(1, name="Sal fina", active=False), product_json(2, name="Sal gruesa")])
    assert not idx._queued and names(idx.search("sal")) == ["Sal gruesa"]  # an inactive product: split at once


def test_a_json_page_may_be_indexed_a_slice_at_a_time() -> None:
    items = [product_json(i, name=f"Producto {i}") for i in range(1, 8)]
    data, spans = _page(items)
    idx = CatalogIndex()
    for i in range(0, len(items), 3):  # as the app indexes a feed page, a slice per task, sharing the bytes
        part = items[i:i + 3]
        idx.add_json(*_columns(part), data, array("I", spans[2 * i:2 * (i + 3)]), json.loads)  # type: ignore[arg-type]
    assert [idx.get(i).name for i in range(1, 8)] == [p["name"] for p in items]  # type: ignore[union-attr]


@given(catalogs())
def test_texts_index_answers_like_add(items: list[dict]) -> None:
    idx, packed = CatalogIndex(), CatalogIndex()
    idx.add(items)
    third = len(items) // 3  # names kept joined, names given as a list (between them: order kept), packed bytes
    _texts(packed, items[:third])
    packed.add(items[third:2 * third])
    _packed(packed, items[2 * third:])
    for item in items:
        for q in (item["barcodes"][0], item["name"], item["name"].split()[0]):
            got = packed.search(q, limit=50)
            assert [p.id for p in got] == [p.id for p in idx.search(q, limit=50)]
            assert got == idx.search(q, limit=50)


@pytest.mark.parametrize("add", [_texts, _packed])
def test_a_same_name_replacement_of_a_stored_open_finds_it_once(add: Callable) -> None:
    """The names of a stored open wait joined and not normalized: the same-name check splits and normalizes the
    one it compares, and the product stays one slot with its new data."""
    idx = CatalogIndex()
    add(idx, [product_json(1, name="Café molido", barcodes=["111"]), product_json(2, name="Café soluble")])
    idx.add([product_json(1, name="CAFE MOLIDO", price="99.00", barcodes=["111"], version=2)])
    assert idx._dead == 0  # the same slot, not a dead one and a new one
    assert sorted(names(idx.search("cafe", limit=10))) == ["CAFE MOLIDO", "Café soluble"]
    assert idx.get(1).price == Decimal("99.00") and idx.by_code("111").id == 1  # type: ignore[union-attr]
    idx.add([product_json(1, name="Café de olla", barcodes=["111"], version=3)])
    assert sorted(names(idx.search("cafe", limit=10))) == ["Café de olla", "Café soluble"]
    assert idx.search("molido") == []
