"""The catalog columns JS hands Python (web/idb/catalog_cols.js, run under Node) index in poscore as the products
themselves: byte spans right with accented names, odd data refused so Python parses the chunk whole.

Must NOT build the runtime; without node it fails saying how to get it (tests/suites.py).
"""
from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from poscore.catalog import CatalogIndex
from server.api.feeds import page_json
from tests.core.poscore_data import product_json
from tests.suites import require

COLUMN_PARTS = ("ids", "active", "codes", "names", "data", "spans")  # catalog_json.js COLUMN_PARTS, printed in order

SCRIPT = Path(__file__).with_name("catalog_cols_page.mjs")
NODE = shutil.which("node")

pytestmark = [pytest.mark.pyodide]


def _page_columns(items: list[dict], stored: str | None = None) -> dict | None:
    """pageColumns of `items`, or with `stored` (a chunk's JSON text as IndexedDB holds it) storedColumns of it."""
    require("pyodide", NODE is not None, "node", "apt-get install -y nodejs npm")
    assert NODE is not None
    args = [NODE, "--no-warnings", str(SCRIPT)] + (["stored"] if stored is not None else [])
    proc = subprocess.run(args, input=json.dumps(items) if stored is None else stored, capture_output=True,
                          text=True, timeout=120, check=True)
    answer = json.loads(proc.stdout)
    return None if answer is None else {k: base64.b64decode(v) for k, v in answer.items()}


ITEMS = [product_json(1, name="Jamón serrano", barcodes=["7501"]), product_json(2, name="Piña en almíbar ñ"),
         product_json(3, name="Café ☕ molido", active=False), product_json(4, name="Pan blanco")]
# The ERP's page of ITEMS (one product per line) and the array's text in it, as the first load stores it.
ERP_PAGE = page_json({"total": 4, "version": 1}, ITEMS, None).decode()
ERP_CHUNK = ERP_PAGE[ERP_PAGE.index("["):ERP_PAGE.rindex("]") + 1]


# A chunk as the first load stores it (a page's own array text, with the ERP's spacing) and as older code stored
# it (each product serialised, joined): the same columns, found by the scan or by serialising again.
@pytest.mark.parametrize("stored", [None, ERP_CHUNK, json.dumps(ITEMS, ensure_ascii=False),
                                    "[" + ",".join(json.dumps(p) for p in ITEMS) + "]",
                                    json.dumps(ITEMS, ensure_ascii=False, indent=1)])
def test_page_columns_index_the_products_with_byte_spans(stored: str | None) -> None:
    items = ITEMS
    c = _page_columns(items, stored)
    assert c is not None
    data = c["data"]
    assert json.loads(data) == items  # the chunk's own JSON, as stored
    if stored is not None:
        assert data == stored.encode()  # found by the scan: the stored bytes themselves, nothing serialised again
    idx = CatalogIndex()
    idx.add_packed(*(c[k] for k in COLUMN_PARTS), json.loads)
    assert idx._kept.held() == [True]  # the fast path: kept as bytes
    assert [idx.get(i).name for i in (1, 2, 3, 4)] == [p["name"] for p in items]  # type: ignore[union-attr]
    assert idx.by_code("7501").name == "Jamón serrano"  # type: ignore[union-attr]
    assert [p.id for p in idx.search("pina")] == [2] and idx.search("cafe") == []


def test_odd_products_give_no_columns() -> None:
    odd = product_json(2)
    del odd["sku"]
    assert _page_columns([product_json(1), odd]) is None
    assert _page_columns([], json.dumps([product_json(1), odd])) is None
    assert _page_columns([], json.dumps({"items": []})) is None  # not a chunk
    for bars, sku in ((["75\x1f01"], "A"), (["75\x1e01"], "A"), (["7501"], "A\x1fB"), ([7501], "A")):
        assert _page_columns([product_json(1, barcodes=bars, sku=sku)]) is None  # type: ignore[arg-type]
    for pid in (-1, 2 ** 32, 1.5):  # ids travel as a Uint32Array
        assert _page_columns([product_json(1), {**product_json(2), "id": pid}]) is None
    assert _page_columns([product_json(2 ** 32 - 1)]) is not None


def test_codes_and_names_come_as_one_text_each() -> None:
    items = [product_json(1, name="Jamón", barcodes=["7501", "7502"]), product_json(2, name="Pan", barcodes=[]),
             product_json(3, name="Sal\nfina", sku="S-3")]
    c = _page_columns(items)
    assert c is not None
    assert memoryview(c["ids"]).cast("I").tolist() == [1, 2, 3]  # a Uint32Array's bytes
    assert c["active"] == b"\x01\x01\x01"
    assert c["codes"].decode() == "7501\x1e7502\x1f\x1f7500000000003\x1fSKU-1\x1fSKU-2\x1fS-3"  # codes.joined's text
    # a name with a newline: Python counts the names and parses the page
    assert c["names"].decode() == "Jamón\nPan\nSal\nfina"
    idx = CatalogIndex()
    idx.add_packed(*(c[k] for k in COLUMN_PARTS), json.loads)
    assert [idx.get(i).name for i in (1, 2, 3)] == ["Jamón", "Pan", "Sal\nfina"]  # type: ignore[union-attr]
    assert [idx.by_code(k).id for k in ("7502", "sku-2", "s-3")] == [1, 2, 3]  # type: ignore[union-attr]


def _spans(page: str) -> dict:
    require("pyodide", NODE is not None, "node", "apt-get install -y nodejs npm")
    assert NODE is not None
    proc = subprocess.run([NODE, "--no-warnings", str(SCRIPT), "spans"], input=page, capture_output=True, text=True,
                          timeout=120, check=True)
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


TRICKY = [product_json(1, name='Dulce "La, Rosa" },{"id":9} [x]'), product_json(2, name="línea\nuno ñ"),
          product_json(3, name="Café ☕", barcodes=["7501", "7502"])]


def test_the_erps_pages_give_each_product_by_line_as_the_full_scan_does() -> None:
    page = page_json({"total": 3, "version": 2, "price_list": {"id": 1, "name": '"items":[ lista'}}, TRICKY, 3)
    got = _spans(page.decode())
    assert got["line"] is not None and got["line"] == got["scan"]
    raw = page[got["line"]["start"]:got["line"]["end"]]
    spans = got["line"]["spans"]
    assert [json.loads(raw[spans[2 * i]:spans[2 * i + 1]]) for i in range(3)] == TRICKY


@pytest.mark.parametrize("page", [
    json.dumps({"total": 3, "version": 2, "items": TRICKY, "next_after": None}),  # compact, older ERPs
    json.dumps({"total": 3, "version": 2, "items": TRICKY, "next_after": None}, indent=1),  # other lines
    page_json({"total": 3, "version": 2}, TRICKY, None).decode().replace(",\n{", ", \n{", 1),  # a line not a product
])
def test_other_layouts_are_left_to_the_full_scan(page: str) -> None:
    got = _spans(page)
    assert got["line"] is None
    assert got["scan"] is not None and len(got["scan"]["spans"]) == 6
