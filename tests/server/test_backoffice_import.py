"""CSV import: dry run with per-row report, apply in one transaction, BOM/semicolons, bad files change nothing."""
from __future__ import annotations

import re
from typing import Any

from tests.server.backoffice_helpers import csrf_of, signed_in
from tests.server.harness import Erp, catalog_items

GOOD = (
    "sku,nombre,unidad,iva,ieps,activo,codigos_barras,precio:Público,precio:Mayoreo,existencia:Almacén Centro\n"
    "IMP-1,Refresco cola 600 ml,pieza,16,8,1,7508888888881,18.50,17.00,24\n"
    'IMP-2,"Frijol negro, a granel",kg,0,,sí,,32,,50.250\n'
    "IMP-3,Cuaderno <b>raya</b>,pieza,16,,0,7508888888882 7508888888883,45.00,40.00,\n"
)


def _post(client: Any, content: bytes, action: str = "revisar", name: str = "productos.csv") -> Any:
    token = csrf_of(client.get("/erp/importar").text)
    return client.post("/erp/importar", data={"csrf_token": token, "accion": action},
                       files={"archivo": (name, content, "text/csv")})


def _count(erp: Erp) -> int:
    return int(erp.scalar("SELECT count(*) FROM products"))


def _snapshot(erp: Erp) -> tuple[Any, ...]:
    return tuple(erp.scalar(f"SELECT count(*) FROM {t}") for t in
                 ("products", "product_barcodes", "prices", "price_history", "stock")) + (
        erp.scalar("SELECT value FROM change_counter"),)


def test_dry_run_changes_nothing_then_apply_by_token(erp: Erp) -> None:
    headers = erp.pair()
    since = erp.client.get("/api/catalog?limit=1", headers=headers).json()["version"]
    client = signed_in(erp)
    before = _snapshot(erp)
    r = _post(client, GOOD.encode())
    assert r.status_code == 200, r.text
    assert "Revisión correcta" in r.text and "3 productos nuevos, 0 actualizados, 0 sin cambios" in r.text
    assert _snapshot(erp) == before
    token = re.search(r'name="token" value="([^"]+)"', r.text)
    assert token
    r = client.post("/erp/importar", data={"csrf_token": csrf_of(r.text), "accion": "aplicar",
                                           "token": token.group(1)})
    assert r.status_code == 200 and "Importación aplicada." in r.text
    items = {p["sku"]: p for p in catalog_items(erp, headers, since=since)}
    assert set(items) == {"IMP-1", "IMP-2", "IMP-3"}
    assert items["IMP-1"]["price"] == "18.50" and items["IMP-1"]["ieps"] == "8" and items["IMP-1"]["stock"] == "24.000"
    assert items["IMP-2"]["name"] == "Frijol negro, a granel" and items["IMP-2"]["unit"] == "kg"
    assert items["IMP-2"]["stock"] == "50.250" and items["IMP-2"]["iva"] == "0" and items["IMP-2"]["ieps"] is None
    assert items["IMP-3"]["active"] is False and items["IMP-3"]["barcodes"] == ["7508888888882", "7508888888883"]
    assert items["IMP-3"]["stock"] is None and not items["IMP-3"]["sellable"]
    # The token was used up.
    r = client.post("/erp/importar", data={"csrf_token": csrf_of(r.text), "accion": "aplicar",
                                           "token": token.group(1)})
    assert r.status_code == 400


def test_reimport_updates_only_changes_with_price_history(erp: Erp) -> None:
    client = signed_in(erp)
    assert "Importación aplicada." in _post(client, GOOD.encode(), "aplicar").text
    version = erp.scalar("SELECT version FROM products WHERE sku = 'IMP-2'")
    changed = GOOD.replace("18.50,17.00,24", "19.00,17.00,30")
    r = _post(client, changed.encode(), "aplicar")
    assert "1 productos nuevos" not in r.text and "0 productos nuevos, 1 actualizados, 2 sin cambios" in r.text
    pid = erp.scalar("SELECT id FROM products WHERE sku = 'IMP-1'")
    assert erp.scalar("SELECT price FROM prices WHERE product_id = :p AND price_list_id = 1", p=pid) == 1900
    assert [tuple(r) for r in erp.sql("SELECT price_list_id, price FROM price_history WHERE product_id = :p",
                                      p=pid)] == [(1, 1850)]
    assert erp.scalar("SELECT qty FROM stock WHERE product_id = :p", p=pid) == 30000
    assert erp.scalar("SELECT version FROM products WHERE sku = 'IMP-2'") == version  # unchanged row untouched


def test_semicolons_bom_and_crlf_like_excel(erp: Erp) -> None:
    client = signed_in(erp)
    excel = GOOD.replace('"Frijol negro, a granel"', "Frijol negro a granel").replace(",", ";").replace("\n", "\r\n")
    r = _post(client, "\ufeff".encode() + excel.encode(), "aplicar")
    assert r.status_code == 200 and "Importación aplicada." in r.text
    assert erp.scalar("SELECT name FROM products WHERE sku = 'IMP-2'") == "Frijol negro a granel"
    assert erp.scalar("SELECT count(*) FROM products WHERE sku LIKE 'IMP-%'") == 3


def test_bad_rows_are_reported_by_line_and_nothing_changes(erp: Erp) -> None:
    client = signed_in(erp)
    existing_code = erp.scalar("SELECT barcode FROM product_barcodes ORDER BY id LIMIT 1")
    bad = GOOD + (
        "IMP-4,Sin IVA válido,pieza,15,,1,,10,,1\n"            # line 5
        "IMP-1,Repetido,pieza,16,,1,,10,,1\n"                   # line 6
        "IMP-5,Precio malo,pieza,16,,1,,10.555,,1\n"           # line 7
        f"IMP-6,Código ajeno,pieza,16,,1,{existing_code},10,,1\n"  # line 8
        "IMP-7,Faltan campos,pieza\n"                            # line 9
        ",Sin sku,pieza,16,,1,,10,,1\n"                          # line 10
        "IMP-8,Unidad rara,litro,16,,1,,10,,1\n"                 # line 11
    )
    before = _snapshot(erp)
    for action in ("revisar", "aplicar"):
        r = _post(client, bad.encode(), action)
        assert r.status_code == 400
        assert "no se cambió nada" in r.text
        rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]+)</td>", r.text)
        lines = {int(line): message for line, message in rows}
        assert sorted(lines) == [5, 6, 7, 8, 9, 10, 11]
        assert "IVA inválido" in lines[5] and "SKU repetido en el archivo (línea 2)" in lines[6]
        assert "Precio inválido" in lines[7] and "ya es de otro producto" in lines[8]
        assert "Número de campos" in lines[9] and "Falta el SKU" in lines[10] and "Unidad inválida" in lines[11]
        assert "Token" not in r.text and 'name="token"' not in r.text
    assert _snapshot(erp) == before


def test_malformed_files_change_nothing(erp: Erp) -> None:
    client = signed_in(erp)
    before = _snapshot(erp)
    cases = (
        ("Precio Público".encode("latin-1") + b"\nIMP,\xe9\n", "no está en UTF-8"),
        (b"", "vac"),
        (b"sku,nombre,unidad\nA,B,pieza\n", "Faltan columnas obligatorias: iva"),
        (b"sku,nombre,unidad,iva,precio:Inexistente\nA,B,pieza,16,1\n", "Columna desconocida: precio:Inexistente"),
        (b"sku,nombre,unidad,iva,color\nA,B,pieza,16,rojo\n", "Columna desconocida: color"),
        (b"sku,nombre,unidad,iva\n", "vac"),
    )
    for content, message in cases:
        r = _post(client, content, "aplicar")
        assert r.status_code == 400, content
        assert message in r.text, (content, r.text[-1500:])
    assert _snapshot(erp) == before


def test_import_page_documents_columns_and_escapes(erp: Erp) -> None:
    client = signed_in(erp)
    page = client.get("/erp/importar").text
    for column in ("sku", "nombre", "unidad", "iva", "ieps", "activo", "codigos_barras", "precio:&lt;lista&gt;",
                   "existencia:&lt;almacén&gt;"):
        assert f"<code>{column}</code>" in page
    # A bad SKU is echoed in the report, as text.
    r = _post(client, b"sku,nombre,unidad,iva\n<script>alert(1)</script> x,x,pieza,16\n")
    assert r.status_code == 400
    assert "<script>alert(1)</script>" not in r.text and "&lt;script&gt;alert(1)&lt;/script&gt; x" in r.text
    _post(client, GOOD.encode(), "aplicar")
    assert "Cuaderno &lt;b&gt;raya&lt;/b&gt;" in client.get("/erp/productos?q=IMP-3").text
