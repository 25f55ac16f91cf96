"""Product fields and writes shared by the product form and the CSV import.

What it is for: reading product fields from text (sku, barcodes, name, unit, tax scheme, active, prices,
stock) into checked values with problem codes, and `save_product` for one product from the form. Every write
takes a new change version (server/db/changes.py) so terminals fetch the product on their next `since`, and a
replaced price goes to price_history, which the sales sync reads to accept offline sales made at the old price
for CAJA_PRICE_GRACE_DAYS. What it must not do: compute taxes (poscore.tax.TaxScheme only validates the
scheme here) or round prices (a price with more than two decimals is refused, not rounded).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, select

from poscore.money import UNITS, InvalidNumber
from poscore.tax import IVA_RATES, InvalidTax, TaxScheme
from poscore.typed import AmbiguousNumber, parse_typed
from server.db import changes
from server.db.schema import price_history, prices, product_barcodes, products, stock
from server.fiscal.catalogs import clave_prod_serv_ok, clave_unidad_ok

_MAX = Decimal(999999999)
_BARCODE_RE = re.compile(r"^[0-9A-Za-z\-_.]{1,40}$")
_SPLIT_RE = re.compile(r"[\s,;|]+")
TRUE_WORDS = {"1", "si", "sí", "s", "true", "verdadero", "yes", "y", "x", "activo"}
FALSE_WORDS = {"0", "no", "n", "false", "falso", "inactivo"}


# The parsers below are pure functions of their text and are memoized: an import of 100,000 rows repeats the
# same prices, units and tax schemes over and over (results are immutable: str, bool, Decimal, TaxScheme).


class Problem(Exception):
    """A field problem: `code` is an i18n key (p_*), `detail` the offending value or column."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code, self.detail = code, detail


def parse_sku(text: str) -> str:
    sku = text.strip()
    if not sku:
        raise Problem("p_sku_required")
    if len(sku) > 40 or len(sku.split()) != 1:
        raise Problem("p_sku_invalid", sku[:60])
    return sku


def parse_name(text: str) -> str:
    name = " ".join(text.split())
    if not name:
        raise Problem("p_name_required")
    if len(name) > 200:
        raise Problem("p_name_too_long")
    return name


@lru_cache(maxsize=256)
def parse_unit(text: str) -> str:
    unit = text.strip().lower() or "pieza"
    if unit not in UNITS:
        raise Problem("p_unit_invalid", text)
    return unit


@lru_cache(maxsize=256)
def parse_tax(iva_text: str, ieps_text: str, decimal_comma: bool = False, cuota_text: str = "",
              litres_text: str = "") -> TaxScheme:
    """IVA, and IEPS as a rate (percent) or as a cuota per litre with the litres of one unit (TipoFactor Cuota)."""
    iva = iva_text.strip().lower().rstrip("%").strip()
    if iva not in IVA_RATES:
        raise Problem("p_iva_invalid", iva_text)
    ieps = ieps_text.strip().rstrip("%").strip() or None
    if ieps is not None and "," in ieps:  # "26,5" from a decimal-comma spreadsheet
        ieps = str(_number(ieps, "p_ieps_invalid", decimal_comma))
    cuota = str(_number(cuota_text.strip().lstrip("$"), "p_cuota_invalid", decimal_comma)) if cuota_text.strip() else None
    litres = str(_number(litres_text, "p_litres_invalid", decimal_comma)) if litres_text.strip() else None
    if cuota is not None and ieps is not None:
        raise Problem("p_ieps_both", ieps_text)
    if (cuota is None) != (litres is None):
        raise Problem("p_litres_invalid" if cuota else "p_cuota_invalid", litres_text or cuota_text)
    try:
        scheme = TaxScheme(iva, ieps, cuota, litres)
    except InvalidTax:
        raise Problem("p_cuota_invalid" if cuota else "p_ieps_invalid", cuota_text or ieps_text) from None
    # The CFDI's TasaOCuota has six decimals and fits 12 characters; litres are to the millilitre.
    if scheme.ieps_cuota is not None and (Decimal(scheme.ieps_cuota) > 1000 or len(scheme.ieps_cuota) > 11):
        raise Problem("p_cuota_invalid", cuota_text)
    if scheme.litres is not None and Decimal(scheme.litres) > 1000:
        raise Problem("p_litres_invalid", litres_text)
    if scheme.ieps is not None and (Decimal(scheme.ieps) > 200 or len(scheme.ieps) > 6):
        raise Problem("p_ieps_invalid", ieps_text)
    return scheme


@lru_cache(maxsize=256)
def parse_active(text: str) -> bool:
    word = text.strip().lower()
    if word == "" or word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise Problem("p_active_invalid", text)


def parse_barcodes(text: str) -> list[str]:
    codes: list[str] = []
    for code in _SPLIT_RE.split(text.strip()):
        if not code:
            continue
        if not _BARCODE_RE.match(code):
            raise Problem("p_barcode_invalid", code[:60])
        if code not in codes:
            codes.append(code)
    return codes


def _number(text: str, code: str, decimal_comma: bool) -> Decimal:
    """What a person typed, read by poscore's one parser for typed numbers (decimal commas, thousands marks)."""
    try:
        return parse_typed(text, decimal_comma)
    except AmbiguousNumber:
        raise Problem("p_number_ambiguous", text) from None
    except InvalidNumber:
        raise Problem(code, text) from None


@lru_cache(maxsize=65536)
def parse_price(text: str, decimal_comma: bool = False) -> Decimal | None:
    """A price in pesos (blank = none). Positive, at most two decimals: prices are never rounded here.
    `decimal_comma`: the source writes decimals with a comma (a semicolon-separated spreadsheet)."""
    if not text.strip():
        return None
    d = _number(text, "p_price_invalid", decimal_comma)
    if d <= 0 or d > _MAX or d.as_tuple().exponent < -2:  # type: ignore[operator]
        raise Problem("p_price_invalid", text)
    return d.quantize(Decimal("0.01"))


@lru_cache(maxsize=65536)
def parse_stock(text: str, decimal_comma: bool = False) -> Decimal | None:
    """A stock quantity (blank = no stock record). May be negative (sales already took it below zero)."""
    if not text.strip():
        return None
    d = _number(text, "p_stock_invalid", decimal_comma)
    if abs(d) > _MAX or d.as_tuple().exponent < -3:  # type: ignore[operator]
        raise Problem("p_stock_invalid", text)
    return d.quantize(Decimal("0.001"))


@lru_cache(maxsize=4096)
def parse_sat_keys(prod_serv_text: str, unidad_text: str) -> tuple[str | None, str | None]:
    """SAT ClaveProdServ and ClaveUnidad (blank = the default of the unit when the CFDI is built), checked
    against the SAT's catalogues c_ClaveProdServ and c_ClaveUnidad, which the PAC checks too."""
    prod_serv = prod_serv_text.strip() or None
    unidad = unidad_text.strip().upper() or None
    if prod_serv is not None and not clave_prod_serv_ok(prod_serv):
        raise Problem("p_clave_prod_serv_invalid", prod_serv_text[:60])
    if unidad is not None and not clave_unidad_ok(unidad):
        raise Problem("p_clave_unidad_invalid", unidad_text[:60])
    return prod_serv, unidad


@dataclass
class ProductInput:
    sku: str
    name: str
    unit: str
    tax: TaxScheme
    active: bool
    barcodes: list[str]
    prices: dict[int, Decimal | None] = field(default_factory=dict)  # price list id -> price (None: remove)
    stock: dict[int, Decimal | None] = field(default_factory=dict)  # warehouse id -> qty (None: remove)
    sat_prod_serv: str | None = None
    sat_unidad: str | None = None


def barcode_owners(conn: Connection, codes: list[str]) -> dict[str, int]:
    if not codes:
        return {}
    return dict(conn.execute(select(product_barcodes.c.barcode, product_barcodes.c.product_id)
                             .where(product_barcodes.c.barcode.in_(codes))).all())


def check_unique(conn: Connection, data: ProductInput, product_id: int | None) -> None:
    other = conn.execute(select(products.c.id).where(products.c.sku == data.sku)).scalar()
    if other is not None and other != product_id:
        raise Problem("p_sku_taken", data.sku)
    for code, owner in barcode_owners(conn, data.barcodes).items():
        if owner != product_id:
            raise Problem("p_barcode_taken", code)


def save_product(conn: Connection, data: ProductInput, product_id: int | None, now: datetime) -> int:
    """Create or update one product with its barcodes, prices and stock, under one new version."""
    check_unique(conn, data, product_id)
    version = changes.bump(conn)
    values: dict[str, Any] = {"sku": data.sku, "name": data.name, "unit": data.unit, "iva": data.tax.iva,
                              "ieps": data.tax.ieps, "ieps_cuota": data.tax.ieps_cuota, "litres": data.tax.litres,
                              "active": data.active, "version": version,
                              "sat_clave_prod_serv": data.sat_prod_serv, "sat_clave_unidad": data.sat_unidad}
    if product_id is None:
        product_id = int(conn.execute(products.insert().values(**values).returning(products.c.id)).scalar_one())
    else:
        conn.execute(products.update().where(products.c.id == product_id).values(**values))
    conn.execute(product_barcodes.delete().where(product_barcodes.c.product_id == product_id))
    if data.barcodes:
        conn.execute(product_barcodes.insert(), [{"product_id": product_id, "barcode": c} for c in data.barcodes])
    current = {r.price_list_id: r for r in conn.execute(select(prices).where(prices.c.product_id == product_id))}
    for list_id, price in data.prices.items():
        old = current.get(list_id)
        if old is not None and old.price == price:
            continue
        if old is not None:
            # The old price stays acceptable for offline sales during the grace period.
            conn.execute(price_history.insert().values(price_list_id=list_id, product_id=product_id,
                                                       price=old.price, valid_from=old.valid_from, valid_to=now))
            conn.execute(prices.delete().where(prices.c.price_list_id == list_id, prices.c.product_id == product_id))
        if price is not None:
            conn.execute(prices.insert().values(price_list_id=list_id, product_id=product_id, price=price,
                                                valid_from=now))
    have = {r.warehouse_id: r.qty for r in conn.execute(select(stock).where(stock.c.product_id == product_id))}
    for wh_id, qty in data.stock.items():
        if have.get(wh_id) == qty:
            continue  # unchanged: do not overwrite a concurrent sale's decrement with the form's old number
        conn.execute(stock.delete().where(stock.c.warehouse_id == wh_id, stock.c.product_id == product_id))
        if qty is not None:
            conn.execute(stock.insert().values(warehouse_id=wh_id, product_id=product_id, qty=qty))
    return product_id
