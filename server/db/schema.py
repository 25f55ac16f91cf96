"""The ERP's tables (SQLAlchemy Core). Migrations in server/migrations/ create exactly these.

What it is for: one place naming every table and column, used by the queries and by Alembic autogenerate.
What it must not do: hold queries or rules. Money is `Money()` (cents), quantities `Qty()` (thousandths):
see server/db/types.py for why not Numeric.

Change versions: `change_counter` is one row whose value is bumped (row-locked) by every transaction that
changes a product, price, stock or customer; the changed rows take the new value as their `version`, so a
terminal asking `since=<v>` gets everything changed after v. Because the bump takes a row lock held until
commit, versions are handed out in commit order on PostgreSQL; SQLite writers are serialised anyway.
"""
from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from server.db.meta import TS, metadata

# Tables kept in their own modules, re-exported (__all__ lists them) so every query imports its tables from here.
from server.db.schema_fiscal import cfdi_sales, cfdis, fiscal_settings, mail_settings
from server.db.schema_shifts import authorizations, cash_movements, corte_lines, cortes, shifts
from server.db.types import Money, Qty, Scaled

__all__ = [
    "TS",
    "authorizations",
    "cash_movements",
    "cfdi_sales",
    "cfdis",
    "corte_lines",
    "cortes",
    "fiscal_settings",
    "mail_settings",
    "metadata",
    "shifts",
]

change_counter = Table(
    "change_counter", metadata,
    Column("id", Integer, primary_key=True),
    Column("value", BigInteger, nullable=False),
)

shops = Table(
    "shops", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("rfc", String(13), nullable=False),
    Column("regimen_fiscal", String(3), nullable=False),
    Column("address", String(400), nullable=False),
    Column("codigo_postal", String(5), nullable=False),
)

branches = Table(
    "branches", metadata,
    Column("id", Integer, primary_key=True),
    Column("shop_id", ForeignKey("shops.id"), nullable=False),
    Column("name", String(200), nullable=False),
    # The branch's LugarExpedicion (its CP, which also fixes its time zone: c_CodigoPostal's huso horario);
    # NULL takes the shop's CP.
    Column("codigo_postal", String(5)),
)

warehouses = Table(
    "warehouses", metadata,
    Column("id", Integer, primary_key=True),
    Column("branch_id", ForeignKey("branches.id"), nullable=False),
    Column("name", String(200), nullable=False),
)

price_lists = Table(
    "price_lists", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("includes_tax", Boolean, nullable=False),
)

products = Table(
    "products", metadata,
    Column("id", Integer, primary_key=True),
    Column("sku", String(40), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("unit", String(5), nullable=False),
    Column("iva", String(6), nullable=False),
    Column("ieps", String(6), nullable=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("version", BigInteger, nullable=False),
    # SAT c_ClaveProdServ and c_ClaveUnidad for the CFDI; NULL takes the default of the unit (H87/KGM) and,
    # for the product key, 01010101 "No existe en el catálogo".
    Column("sat_clave_prod_serv", String(8), nullable=True),
    Column("sat_clave_unidad", String(3), nullable=True),
    # IEPS as a fixed amount per litre (TipoFactor Cuota; flavoured drinks) instead of the `ieps` rate: pesos per
    # litre, and the litres in one unit sold (poscore.tax).
    Column("ieps_cuota", String(12), nullable=True),
    Column("litres", String(12), nullable=True),
    CheckConstraint("unit IN ('pieza', 'kg')", name="unit"),
    CheckConstraint("iva IN ('16', '8', '0', 'exento')", name="iva"),
    Index("ix_products_version_id", "version", "id"),
)

product_barcodes = Table(
    "product_barcodes", metadata,
    Column("id", Integer, primary_key=True),
    Column("product_id", ForeignKey("products.id"), nullable=False, index=True),
    Column("barcode", String(40), nullable=False, unique=True),
)

prices = Table(
    "prices", metadata,
    Column("price_list_id", ForeignKey("price_lists.id"), primary_key=True),
    Column("product_id", ForeignKey("products.id"), primary_key=True),
    Column("price", Money(), nullable=False),
    Column("valid_from", TS, nullable=False),
    Index("ix_prices_product_id", "product_id"),
)

# Earlier prices, kept so a sale made offline at yesterday's price is still accepted (CAJA_PRICE_GRACE_DAYS).
price_history = Table(
    "price_history", metadata,
    Column("id", Integer, primary_key=True),
    Column("price_list_id", ForeignKey("price_lists.id"), nullable=False),
    Column("product_id", ForeignKey("products.id"), nullable=False),
    Column("price", Money(), nullable=False),
    Column("valid_from", TS, nullable=False),
    Column("valid_to", TS, nullable=False),
    Index("ix_price_history_list_product", "price_list_id", "product_id"),
)

stock = Table(
    "stock", metadata,
    Column("warehouse_id", ForeignKey("warehouses.id"), primary_key=True),
    Column("product_id", ForeignKey("products.id"), primary_key=True),
    Column("qty", Qty(), nullable=False),
    Index("ix_stock_product_id", "product_id"),
)

customers = Table(
    "customers", metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("name", String(300), nullable=False),
    Column("rfc", String(13)),
    Column("regimen_fiscal", String(3)),
    Column("codigo_postal", String(5)),
    Column("uso_cfdi", String(4)),
    Column("email", String(254)),
    Column("price_list_id", ForeignKey("price_lists.id")),
    Column("active", Boolean, nullable=False, default=True),
    Column("version", BigInteger, nullable=False),
    Column("created_by_terminal_id", Integer),
    # The customer asked for IEPS broken out on their CFDIs and tickets (LIEPS art. 19 fr. II); otherwise it is
    # folded into the prices.
    Column("ieps_breakdown", Boolean, nullable=False, server_default=text("false")),
    Index("ix_customers_version_id", "version", "id"),
)

folio_series = Table(
    "folio_series", metadata,
    Column("series", String(10), primary_key=True),
    Column("last_folio", BigInteger, nullable=False, default=0),
)

terminals = Table(
    "terminals", metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(10), nullable=False, unique=True),
    Column("name", String(100), nullable=False),
    Column("branch_id", ForeignKey("branches.id"), nullable=False),
    Column("warehouse_id", ForeignKey("warehouses.id"), nullable=False),
    Column("price_list_id", ForeignKey("price_lists.id"), nullable=False),
    Column("series_remision", ForeignKey("folio_series.series"), nullable=False),
    Column("series_factura", ForeignKey("folio_series.series"), nullable=False),
    Column("stock_enforced", Boolean, nullable=False, default=False),
    Column("token_hash", String(64), unique=True),
    Column("device", String(200)),
    Column("paired_at", TS),
    Column("last_contact_at", TS),
    Column("reported_pending", Integer),
    Column("app_version", String(40)),
    Column("active", Boolean, nullable=False, default=True),
    # The last POST /api/sales batch: when, and how many sales it accepted and rejected (back office).
    Column("last_sync_at", TS),
    Column("last_sync_accepted", Integer),
    Column("last_sync_rejected", Integer),
    # Whether the till's page last reported a secure context (X-Caja-Secure-Context): False means it was opened
    # over plain http on a LAN address, so it cannot open offline; the back office shows "sin HTTPS".
    Column("secure_context", Boolean),
    # The key a till signs its tickets' self-invoicing codes with (poscore.autofactura): given at pairing,
    # so a ticket printed offline carries a code the ERP can check and nobody can forge from other tickets.
    Column("ticket_key", String(64)),
)

pairing_codes = Table(
    "pairing_codes", metadata,
    Column("id", Integer, primary_key=True),
    Column("terminal_id", ForeignKey("terminals.id"), nullable=False),
    Column("code_hash", String(64), nullable=False, unique=True),
    Column("created_at", TS, nullable=False),
    Column("expires_at", TS, nullable=False),
    Column("used_at", TS),
    # Failed pairing attempts (from anywhere) since the code was made: past a budget the code is dead.
    Column("failures", Integer, nullable=False, server_default="0"),
)

sales = Table(
    "sales", metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("terminal_id", ForeignKey("terminals.id"), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("number", String(40), nullable=False),
    Column("type", String(10), nullable=False),
    Column("customer_id", ForeignKey("customers.id")),
    Column("cashier", String(100)),
    Column("price_list_id", ForeignKey("price_lists.id"), nullable=False),
    Column("device_time", String(40), nullable=False),
    Column("received_at", TS, nullable=False),
    Column("series", String(10), nullable=False),
    Column("folio", BigInteger, nullable=False),
    Column("subtotal", Money(), nullable=False),
    Column("discount", Money(), nullable=False),
    Column("tax_total", Money(), nullable=False),
    Column("total", Money(), nullable=False),
    Column("status", String(20), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("body", Text, nullable=False),
    # Accepted but worth a look (comma-separated reasons: a local number another sale already had, a device
    # clock far ahead of the server's). Never a reason to drop a sale: the goods left the shop.
    Column("review", String(200)),
    # Who sold it and in which shift (optional: tills from before shifts send neither).
    Column("cashier_id", Integer),
    Column("shift_uuid", String(36), index=True),
    CheckConstraint("type IN ('remision', 'factura')", name="type"),
    UniqueConstraint("series", "folio", name="uq_sales_series_folio"),
    Index("ix_sales_terminal_seq", "terminal_id", "seq"),
    # Self-invoicing finds a ticket by its code among the sales of the total the customer typed.
    Index("ix_sales_total", "total"),
)

sale_lines = Table(
    "sale_lines", metadata,
    Column("id", Integer, primary_key=True),
    Column("sale_id", ForeignKey("sales.id"), nullable=False, index=True),
    Column("line_no", Integer, nullable=False),
    Column("product_id", ForeignKey("products.id"), nullable=False, index=True),
    Column("qty", Qty(), nullable=False),
    Column("unit_price", Money(), nullable=False),
    Column("discount_pct", Scaled(4), nullable=False),
    Column("subtotal", Money(), nullable=False),
    Column("discount", Money(), nullable=False),
    Column("total", Money(), nullable=False),
)

sale_payments = Table(
    "sale_payments", metadata,
    Column("id", Integer, primary_key=True),
    Column("sale_id", ForeignKey("sales.id"), nullable=False, index=True),
    Column("method", String(30), nullable=False),
    Column("sat_code", String(2), nullable=False),
    Column("amount", Money(), nullable=False),
    Column("reference", String(100)),
)

# Returns (devoluciones) of synced sales, from any till: their own folio series, the stock back in the
# returning till's warehouse, the amounts as poscore.returns computed them. `body` is the RETURN as sent.
returns = Table(
    "returns", metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("sale_id", ForeignKey("sales.id"), nullable=False, index=True),
    Column("terminal_id", ForeignKey("terminals.id"), nullable=False),
    Column("warehouse_id", ForeignKey("warehouses.id"), nullable=False),
    Column("series", String(10), nullable=False),
    Column("folio", BigInteger, nullable=False),
    Column("device_time", String(40), nullable=False),
    Column("received_at", TS, nullable=False),
    Column("reason", String(500), nullable=False),
    Column("refund_method", String(30), nullable=False),
    Column("cashier", String(100)),
    Column("authorizer", String(100)),
    Column("subtotal", Money(), nullable=False),
    Column("discount", Money(), nullable=False),
    Column("tax_total", Money(), nullable=False),
    Column("total", Money(), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("body", Text, nullable=False),
    # The shift whose drawer paid the refund (tills with cashiers send it): its corte counts the refund.
    Column("shift_uuid", String(36), index=True),
    # Undone in the back office (so that its sale can be cancelled): the stock taken out again, its egreso
    # cancelled; the row stays for the audit and counts no more as returned.
    Column("undone_at", TS),
    Column("undone_by", ForeignKey("users.id")),
    Column("undo_reason", String(500)),
    UniqueConstraint("series", "folio", name="uq_returns_series_folio"),
)

return_lines = Table(
    "return_lines", metadata,
    Column("id", Integer, primary_key=True),
    Column("return_id", ForeignKey("returns.id"), nullable=False, index=True),
    Column("line_no", Integer, nullable=False),  # the sale's line (sale_lines.line_no, from 1)
    Column("product_id", ForeignKey("products.id"), nullable=False),
    Column("qty", Qty(), nullable=False),
    Column("subtotal", Money(), nullable=False),
    Column("discount", Money(), nullable=False),
    Column("total", Money(), nullable=False),
)

# A synced sale cancelled in the back office (its stock put back; a factura's CFDI cancelled with the SAT
# motive first). One per sale; the sale's status becomes 'cancelada'.
sale_cancellations = Table(
    "sale_cancellations", metadata,
    Column("id", Integer, primary_key=True),
    Column("sale_id", ForeignKey("sales.id"), nullable=False, unique=True),
    Column("user_id", ForeignKey("users.id"), nullable=False),
    Column("reason", String(500), nullable=False),
    Column("sat_motive", String(2)),
    Column("cancelled_at", TS, nullable=False),
)

# Audit of sales the cashier cancelled offline before they were synced (they never get a folio).
voids = Table(
    "voids", metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("terminal_id", ForeignKey("terminals.id"), nullable=False),
    Column("sale_uuid", String(36), nullable=False, index=True),
    Column("number", String(40)),
    Column("cancelled_at", String(40), nullable=False),
    Column("cashier", String(100)),
    Column("total", Money()),
    Column("reason", String(500)),
    Column("received_at", TS, nullable=False),
    Column("body", Text, nullable=False),
    Column("cashier_id", Integer),
    Column("shift_uuid", String(36)),
    Column("review", String(200)),
)

# Stock that went below zero through a sale: accepted (the goods left), flagged for the back office.
stock_negative = Table(
    "stock_negative", metadata,
    Column("id", Integer, primary_key=True),
    Column("warehouse_id", ForeignKey("warehouses.id"), nullable=False),
    Column("product_id", ForeignKey("products.id"), nullable=False),
    Column("sale_id", ForeignKey("sales.id"), nullable=False),
    Column("qty_after", Qty(), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("resolved_at", TS),
)

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("is_admin", Boolean, nullable=False, default=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", TS, nullable=False),
    # "admin" changes things; "contador" (the accountant) reads everything and changes nothing.
    Column("role", String(20), nullable=False, server_default="admin"),
    # Cashiers (role "cajero" or "supervisor") sign in at a till with a PIN, never to the back office: their
    # password_hash is unusable. pin_hash is poscore.pin's PBKDF2 verifier text; shop_id is the shop whose
    # tills list them. deactivated_at says since when a cashier may no longer sell (a record made before it,
    # synced later, is fine; one made after it is kept and flagged).
    Column("pin_hash", String(200)),
    Column("shop_id", ForeignKey("shops.id")),
    Column("deactivated_at", TS),
)

# Signed-in back-office sessions: the cookie carries a random id whose hash is here, so signing out, a password
# change or an idle pause ends a session on the server, not only in the browser that holds the cookie.
user_sessions = Table(
    "user_sessions", metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", TS, nullable=False),
    Column("last_seen_at", TS, nullable=False),
    Column("expires_at", TS, nullable=False),
)
