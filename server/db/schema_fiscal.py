"""The ERP's fiscal tables: the shop's CSD and PAC settings, its mail server, the CFDIs and which remisiones a
CFDI covers. Imported through server/db/schema.py like every table.

What it must not do: hold queries or rules (server/fiscal/ does).
"""
from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    text,
)

from server.db.meta import TS, metadata

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
