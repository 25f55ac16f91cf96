"""The demo shop is deterministic (same seed, same rows) and has what the issue asks for."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from server.db.engine import make_engine, write_tx
from server.db.migrate import upgrade
from server.demo.seed import ean13, seed


def _seeded(path: Path, **kw: int) -> list[tuple[object, ...]]:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with write_tx(engine) as conn:
        seed(conn, **kw)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text(
            "SELECT p.sku, p.name, p.unit, p.iva, p.ieps, p.active, pr.price, s.qty FROM products p "
            "LEFT JOIN prices pr ON pr.product_id = p.id AND pr.price_list_id = 1 "
            "LEFT JOIN stock s ON s.product_id = p.id ORDER BY p.id"))]
        rows += [tuple(r) for r in conn.execute(text("SELECT uuid, name, rfc FROM customers ORDER BY id"))]
        rows += [tuple(r) for r in conn.execute(text("SELECT name, includes_tax FROM price_lists ORDER BY id"))]
    engine.dispose()
    return rows


def test_same_seed_same_shop_other_seed_other_shop(tmp_path: Path) -> None:
    a = _seeded(tmp_path / "a.db", n_products=400, n_customers=30, seed=5)
    b = _seeded(tmp_path / "b.db", n_products=400, n_customers=30, seed=5)
    c = _seeded(tmp_path / "c.db", n_products=400, n_customers=30, seed=6)
    assert a == b
    assert a != c
    assert a[-3:] == [("Público", True), ("Mayoreo", True), ("Neto", False)]


def test_counts_and_variety(tmp_path: Path) -> None:
    rows = _seeded(tmp_path / "d.db", n_products=3000, n_customers=10, seed=1)
    products = rows[:3000]
    assert len({r[0] for r in products}) == 3000  # unique SKUs
    assert {r[3] for r in products} == {"16", "0", "exento"}
    assert any(r[4] == "8" for r in products) and any(r[2] == "kg" for r in products)
    # Flavoured drinks pay IEPS per litre (TipoFactor Cuota), with the litres of the bottle; no rate besides.
    engine = make_engine(f"sqlite:///{tmp_path / 'd.db'}")
    with engine.connect() as conn:
        drinks = list(conn.execute(text("SELECT name, ieps, ieps_cuota, litres FROM products "
                                        "WHERE name LIKE 'Refresco%600 ml%'")))
    engine.dispose()
    assert drinks and all((r[1], r[2], r[3]) == (None, "3.0818", "0.6") for r in drinks)
    assert all(r[6] is None or r[6] % 50 == 0 for r in products)  # shelf prices end in .00 or .50


def test_ean13_check_digit() -> None:
    assert ean13("750100000001") == "7501000000012"  # 7+15+0+3+0+...+3 = 28 → 2
    assert ean13("400638133393") == "4006381333931"  # the classic GS1 example
