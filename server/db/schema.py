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

from typing import Any

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
    # The shop's period for the factura global (c_Periodicidad), and whether the ERP issues it by itself once
    # each period closes (regla 2.7.1.21: within 24 hours); off = by hand or `caja factura-global`.
    Column("global_periodicidad", String(2), nullable=False, server_default="04"),
    Column("global_auto", Boolean, nullable=False, server_default=text("false")),
    # The public self-invoicing page as customers reach it (printed on remisiones with its QR); NULL = none.
    Column("autofactura_url", String(300)),
    # A customer self-invoicing a ticket already in a stamped global: true = an egreso E/01 against the global for
    # that ticket, then the customer's CFDI; false = a clear refusal (the shop replaces the global instead).
    Column("autofactura_egreso", Boolean, nullable=False, server_default=text("false")),
)

# The shop's outgoing mail server (row 1), for sending CFDIs to customers. The password is sealed like the CSD key
# (server/fiscal/vault.py: AES-GCM under the server secret) and never shown again. security: starttls, ssl, none.
mail_settings = Table(
    "mail_settings", metadata,
    Column("id", Integer, primary_key=True),
    Column("host", String(255), nullable=False),
    Column("port", Integer, nullable=False),
    Column("security", String(8), nullable=False),
    Column("username", String(255)),
    Column("secret", LargeBinary),
    Column("sender", String(254), nullable=False),
    Column("sender_name", String(200)),
    Column("updated_at", TS),
    CheckConstraint("security IN ('starttls', 'ssl', 'none')", name="security"),
)

# One CFDI per factura sale (unique sale_id: the PAC job is idempotent by sale). States: pendiente (to seal),
# sellada (sealed, waiting for the PAC: "sin timbrar"), timbrada, rechazada (the PAC's code and message kept),
# cancelada. `xml` is the sealed XML, then the stamped one; a retry sends the same sealed XML again.
cfdis = Table(
    "cfdis", metadata,
    Column("id", Integer, primary_key=True),
    # factura: the CFDI of a factura sale; autofactura: a remisión invoiced by its customer (receptor = the JSON
    # the customer typed); global: the público en general CFDI of a period (no sale: its remisiones are the
    # `cfdi_sales` rows); egreso: the credit note E/01 that takes one ticket back out of a stamped global.
    Column("kind", String(12), nullable=False, server_default="factura"),
    # The sale of an ingreso (none for a global), or the returned sale of an egreso for a return (then
    # `return_id` is set): one ingreso per sale (the partial unique index) and one egreso per return.
    Column("sale_id", ForeignKey("sales.id")),
    Column("return_id", ForeignKey("returns.id"), unique=True),
    Column("receptor", Text),
    Column("period_key", String(20)),
    # The branch a global covers (its remisiones are those of that branch's tills); NULL for other kinds.
    Column("branch_id", Integer),
    # A global that replaces a cancelled one (TipoRelacion 04) names it; the old one is cancelled with motive 01
    # and the new UUID once the new one is stamped.
    Column("replaces_id", Integer),
    # An egreso names the global it credits (TipoRelacion 01); a self-invoice that needed one names its egreso,
    # and is sealed only once that egreso is stamped.
    Column("related_id", Integer),
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
    # Email delivery of a stamped ingreso to its customer, decided once when it is stamped: NULL (not a CFDI that
    # is mailed, or stamped before email existed), pendiente, enviado, error (retried with backoff while
    # `mail_next_at` is set; final when it is NULL), sin_correo (no address), sin_smtp (no SMTP configured then).
    # `mail_sent_at` is written once the server accepted the message: a sent CFDI is never mailed again.
    Column("mail_state", String(12)),
    Column("mail_to", String(254)),
    Column("mail_attempts", Integer, nullable=False, server_default="0"),
    Column("mail_next_at", TS),
    Column("mail_sent_at", TS),
    Column("mail_error", String(300)),
    CheckConstraint("state IN ('pendiente', 'sellada', 'timbrada', 'rechazada', 'cancelada')", name="state"),
    CheckConstraint("kind IN ('factura', 'autofactura', 'global', 'egreso')", name="kind"),
    Index("ix_cfdis_state_next", "state", "next_attempt_at"),
    Index("ix_cfdis_mail_state", "mail_state", "mail_next_at"),
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

# Which CFDI covers which remisión. A remisión is in at most one live CFDI: the partial unique index over the
# rows not released enforces it in the database, on SQLite and PostgreSQL. Cancelling a global releases its rows
# (released_at), which is what lets its replacement or the customer's own factura take the remisión.
cfdi_sales = Table(
    "cfdi_sales", metadata,
    Column("id", Integer, primary_key=True),
    Column("cfdi_id", ForeignKey("cfdis.id"), nullable=False, index=True),
    Column("sale_id", ForeignKey("sales.id"), nullable=False),
    Column("released_at", TS),
    Index("ix_cfdi_sales_live", "sale_id", unique=True, sqlite_where=text("released_at IS NULL"),
          postgresql_where=text("released_at IS NULL")),
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


def _synced(name: str, *columns: Column[Any] | CheckConstraint, **kw: Any) -> Table:
    """A table of records a till syncs by uuid: the columns every one of them has, then its own.

    `content_hash` answers a replay (same content: duplicate; other content: uuid_conflict); `review` holds
    why an accepted record is worth a look (a cashier deactivated before the record's time).
    """
    return Table(
        name, metadata,
        Column("id", Integer, primary_key=True),
        Column("uuid", String(36), nullable=False, unique=True),
        Column("terminal_id", ForeignKey("terminals.id"), nullable=False),
        Column("cashier_id", ForeignKey("users.id"), nullable=False),
        *columns,
        Column("content_hash", String(64), nullable=False),
        Column("body", Text, nullable=False),
        Column("review", String(200)),
        Column("received_at", TS, nullable=False),
        **kw,
    )


# A shift (turno): opened with a float by a cashier at a terminal; closed by its Corte Z.
shifts = _synced(
    "shifts",
    Column("opened_at", String(40), nullable=False),
    Column("opening_float", Money(), nullable=False),
)

# Entradas and salidas de efectivo during a shift, with the reason the cashier gave.
cash_movements = _synced(
    "cash_movements",
    Column("shift_uuid", String(36), nullable=False, index=True),
    Column("kind", String(10), nullable=False),
    Column("amount", Money(), nullable=False),
    Column("reason", String(200), nullable=False),
    Column("at", String(40), nullable=False),
    CheckConstraint("kind IN ('entrada', 'salida')", name="kind"),
)

# Corte X (a reading) or Z (the close) of a shift; its expected and counted amounts by method in corte_lines.
cortes = _synced(
    "cortes",
    Column("shift_uuid", String(36), nullable=False, index=True),
    Column("kind", String(1), nullable=False),
    Column("at", String(40), nullable=False),
    CheckConstraint("kind IN ('X', 'Z')", name="kind"),
)

corte_lines = Table(
    "corte_lines", metadata,
    Column("id", Integer, primary_key=True),
    Column("corte_id", ForeignKey("cortes.id"), nullable=False, index=True),
    Column("method", String(30), nullable=False),
    Column("expected", Money(), nullable=False),
    Column("counted", Money(), nullable=False),
    Column("difference", Money(), nullable=False),
)

# A supervisor's PIN given at a till: who authorized what, for which cashier.
authorizations = _synced(
    "authorizations",
    Column("supervisor_id", ForeignKey("users.id"), nullable=False),
    Column("shift_uuid", String(36), index=True),
    Column("action", String(20), nullable=False),
    Column("subject", String(100)),
    Column("at", String(40), nullable=False),
)
