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
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from server.db.types import Money, Qty, Scaled

# Explicit constraint names so Alembic migrations are reproducible on SQLite and PostgreSQL.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

TS = DateTime(timezone=True)

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
    CheckConstraint("type IN ('remision', 'factura')", name="type"),
    UniqueConstraint("series", "folio", name="uq_sales_series_folio"),
    Index("ix_sales_terminal_seq", "terminal_id", "seq"),
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

# The shop's CSD and PAC (one row, id 1; the emisor's RFC, name, régimen and CP are the `shops` row 1). The
# private key is stored decrypted from the SAT's .key and encrypted again with the server secret
# (server/fiscal/vault.py); the CSD password is not kept. PAC secrets are encrypted the same way.
fiscal_settings = Table(
    "fiscal_settings", metadata,
    Column("id", Integer, primary_key=True),
    Column("csd_number", String(20)),
    Column("csd_not_before", TS),
    Column("csd_not_after", TS),
    Column("csd_cer", LargeBinary),
    Column("csd_key", LargeBinary),
    Column("pac", String(20), nullable=False, default=""),
    Column("pac_user", String(200)),
    Column("pac_secret", LargeBinary),
    Column("pac_production", Boolean, nullable=False, default=False),
    Column("pac_url", String(300)),
    Column("updated_at", TS),
)

# One CFDI per factura sale (unique sale_id: the PAC job is idempotent by sale). States: pendiente (to seal),
# sellada (sealed, waiting for the PAC: "sin timbrar"), timbrada, rechazada (the PAC's code and message kept),
# cancelada. `xml` is the sealed XML, then the stamped one; a retry sends the same sealed XML again.
cfdis = Table(
    "cfdis", metadata,
    Column("id", Integer, primary_key=True),
    # The sale of an ingreso, or the returned sale of an egreso (then `return_id` is set): one ingreso per
    # sale (the partial unique index) and one egreso per return.
    Column("sale_id", ForeignKey("sales.id"), nullable=False),
    Column("return_id", ForeignKey("returns.id"), unique=True),
    Column("state", String(12), nullable=False),
    Column("uuid", String(36), unique=True),
    Column("xml", Text),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", TS),
    Column("lease_until", TS),
    Column("error_code", String(40)),
    Column("error_message", String(1000)),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    Column("stamped_at", TS),
    Column("cancel_motive", String(2)),
    Column("cancelled_at", TS),
    CheckConstraint("state IN ('pendiente', 'sellada', 'timbrada', 'rechazada', 'cancelada')", name="state"),
    Index("ix_cfdis_state_next", "state", "next_attempt_at"),
    Index("uq_cfdis_ingreso_sale_id", "sale_id", unique=True, sqlite_where=text("return_id IS NULL"),
          postgresql_where=text("return_id IS NULL")),
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
