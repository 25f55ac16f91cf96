"""CSV import of numbers as spreadsheets write them: a semicolon file from Excel in Spanish carries decimal commas
("23,50"), which are read as such; what stays ambiguous is refused with the exact way to write it."""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from tests.server.backoffice_helpers import csrf_of, signed_in
from tests.server.harness import Erp

HEADER = "sku;nombre;unidad;iva;ieps;activo;codigos_barras;precio:Público;precio:Mayoreo;existencia:Almacén Centro"


def _post(client: Any, content: str, action: str) -> Any:
    token = csrf_of(client.get("/erp/importar").text)
    return client.post("/erp/importar", data={"csrf_token": token, "accion": action},
                       files={"archivo": ("productos.csv", "\ufeff".encode() + content.encode(), "text/csv")})


def _problems(html: str) -> dict[int, tuple[str, str]]:
    return {int(n): (m, v) for n, m, v in re.findall(r"<tr><td>(\d+)</td><td>([^<]+)</td><td>([^<]*)</td>", html)}


def test_excel_es_mx_semicolons_with_decimal_commas_are_imported(erp: Erp) -> None:
    client = signed_in(erp)
    excel = (f"{HEADER}\r\n"
             "DEC-1;Jamón de pavo;kg;0;;1;;23,50;1.234,50;12,250\r\n"
             "DEC-2;Refresco 600 ml;pieza;16;26,5;1;;18,5;17.00;24\r\n")
    r = _post(client, excel, "aplicar")
    assert r.status_code == 200 and "Importación aplicada." in r.text, _problems(r.text)
    rows = {sku: (Decimal(p) / 100, Decimal(m) / 100) for sku, p, m in erp.sql(  # stored in cents
        "SELECT p.sku, a.price, b.price FROM products p JOIN prices a ON a.product_id = p.id AND a.price_list_id = 1 "
        "JOIN prices b ON b.product_id = p.id AND b.price_list_id = 2 WHERE p.sku LIKE 'DEC-%'")}
    assert rows == {"DEC-1": (Decimal("23.50"), Decimal("1234.50")), "DEC-2": (Decimal("18.50"), Decimal("17.00"))}
    assert Decimal(erp.scalar("SELECT s.qty FROM stock s JOIN products p ON p.id = s.product_id "
                              "WHERE p.sku = 'DEC-1'")) / 1000 == Decimal("12.250")  # in thousandths
    assert erp.scalar("SELECT ieps FROM products WHERE sku = 'DEC-2'") == "26.5"


def test_a_decimal_comma_in_a_comma_file_is_read_when_it_can_only_be_decimal(erp: Erp) -> None:
    client = signed_in(erp)
    text = HEADER.replace(";", ",") + '\nDEC-3,Queso,kg,0,,1,,"23,50",,"1,5"\n'
    r = _post(client, text, "aplicar")
    assert r.status_code == 200, _problems(r.text)
    assert Decimal(erp.scalar("SELECT a.price FROM prices a JOIN products p ON p.id = a.product_id "
                              "WHERE p.sku = 'DEC-3' AND a.price_list_id = 1")) / 100 == Decimal("23.50")


def test_what_stays_ambiguous_or_wrong_says_exactly_what_to_write(erp: Erp) -> None:
    client = signed_in(erp)
    excel = (f"{HEADER}\n"
             "DEC-4;Clavo;kg;16;;1;;10;;1.234\n"        # line 2: thousands or 3 decimals?
             "DEC-5;Tornillo;pieza;16;;1;;23,505;;1\n")  # line 3: three decimals in a price
    r = _post(client, excel, "revisar")
    assert r.status_code == 400
    problems = _problems(r.text)
    message, value = problems[2]
    assert "escriba los miles sin separador (1234) y los decimales con coma (1,234)" in message and value == "1.234"
    message, value = problems[3]
    assert "como 23.50 (o 23,50 en un archivo separado por punto y coma)" in message and value == "23,505"
    assert erp.scalar("SELECT count(*) FROM products WHERE sku LIKE 'DEC-%'") == 0
