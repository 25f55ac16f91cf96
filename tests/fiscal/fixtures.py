"""Shared fixtures of the fiscal tests: the emisor, a signer made from a suite-made CSD, sales to invoice."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from satcfdi.models import Signer

from poscore.cart import Cart
from poscore.catalog import Product
from poscore.customer import Customer
from poscore.sale import Sale, complete_sale
from poscore.tax import TaxScheme
from server.fiscal.build import Emisor
from server.fiscal.testcert import make_csd

RFC = "EKU9003173C9"
NAME = "ESCUELA KEMPER URGATE"
EMISOR = Emisor(RFC, NAME, "601", "26015")
CUSTOMER = Customer("Juan Pérez Pérez", id=5, rfc="PEPJ800101AB1", regimen_fiscal="612", codigo_postal="06000",
                    uso_cfdi="G03")
# The same customer having asked for IEPS broken out on their CFDIs (LIEPS art. 19 fr. II).
CUSTOMER_DESGLOSE = replace(CUSTOMER, ieps_breakdown=True)
_signer: Signer | None = None


def signer() -> Signer:
    global _signer
    if _signer is None:
        cer, key, password = make_csd(RFC, NAME)
        _signer = Signer.load(certificate=cer, key=key, password=password)
    return _signer


def factura(lines: list[tuple[str, Decimal, Decimal, Decimal, TaxScheme]], include_tax: bool = True,
            payments: list[dict] | None = None, customer: Customer = CUSTOMER) -> Sale:
    """A factura sale made the way the till makes it: (unit, qty, price, discount %, taxes) per line."""
    cart = Cart(include_tax, False, price_list_id=1)
    for pid, (unit, qty, price, disc, scheme) in enumerate(lines, start=1):
        p = Product(pid, f"SKU{pid}", (f"75{pid:011d}",), f"Producto {pid}", unit, scheme, price, None)
        cart.add(p, qty)
        if disc:
            cart.set_discount(pid, disc)
    total = cart.totals().total
    pays = payments or ([{"method": "efectivo", "amount": str(total)}] if total else [])
    return complete_sale(cart, pays, "u-1", "T01", 1, "2026-11-27T16:14:00-06:00", "factura", customer)
