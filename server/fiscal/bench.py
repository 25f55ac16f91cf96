"""How many CFDIs per second one core builds, seals and validates against the SAT XSD (`caja bench-cfdi`).

What it is for: the README's figure. It builds factura sales with poscore (mixed rates, IEPS, kg quantities,
discounts), seals them with a CSD-shaped test certificate and validates every XML, in one process, without a
database (the database part is the sync's, measured by `make bench`).
What it must not do: talk to a PAC or touch the shop's database.
"""
from __future__ import annotations

import random
import time
from datetime import UTC, datetime
from decimal import Decimal

from satcfdi.models import Signer

from poscore.cart import Cart
from poscore.catalog import Product
from poscore.customer import Customer
from poscore.sale import Sale, complete_sale
from poscore.tax import TaxScheme

from .build import Emisor, build_cfdi, seal
from .testcert import make_csd

RFC = "EKU9003173C9"


def _sale(rng: random.Random, n: int, lines: int) -> Sale:
    cart = Cart(True, False, price_list_id=1)
    for pid in range(1, lines + 1):
        unit = rng.choice(["pieza", "kg"])
        scheme = TaxScheme(rng.choice(["16", "8", "0", "exento"]), rng.choice([None, None, "8"]))
        price = Decimal(rng.randint(100, 50000)) / 100
        p = Product(pid, f"SKU{pid}", (), f"Producto {pid}", unit, scheme, price, None)
        qty = Decimal(rng.randint(1, 5000)) / 1000 if unit == "kg" else Decimal(rng.randint(1, 12))
        cart.add(p, qty)
        if rng.random() < 0.2:
            cart.set_discount(pid, Decimal(rng.choice([5, 10, 15])))
    customer = Customer("CLIENTE DE PRUEBA", id=1, rfc="PEPJ800101AB1", regimen_fiscal="612",
                        codigo_postal="06000", uso_cfdi="G03")
    total = cart.totals().total
    return complete_sale(cart, [{"method": "tarjeta_debito", "amount": str(total)}], f"u{n}", "T01", n,
                         "2026-12-01T12:00:00-06:00", "factura", customer)


def run(count: int = 200, lines: int = 5) -> float:
    """CFDIs per second (build + seal + XSD validation), after one warm-up."""
    cer, key, password = make_csd(RFC, "ESCUELA KEMPER URGATE")
    signer = Signer.load(certificate=cer, key=key, password=password)
    emisor = Emisor(RFC, "ESCUELA KEMPER URGATE", "601", "44100")
    rng = random.Random(1)
    sales = [_sale(rng, n, lines) for n in range(1, count + 2)]
    now = datetime.now(UTC)
    seal(build_cfdi(sales[0], "F", 0, emisor, {}, now), signer)  # warm-up: XSLT and XSD compiled once
    started = time.perf_counter()
    for n, sale in enumerate(sales[1:], start=1):
        seal(build_cfdi(sale, "F", n, emisor, {}, now), signer)
    return count / (time.perf_counter() - started)
