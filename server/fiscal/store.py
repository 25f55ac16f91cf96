"""The shop's fiscal set-up in the database: emisor (the `shops` row), CSD and PAC (`fiscal_settings` row 1).

What it is for: `emisor(conn)`, `branches(conn)` and `emisor_for_cfdi(conn, emisor, cfdi_id)` (each branch's
LugarExpedicion: its own CP, or the shop's), `signer(conn, secret)`, `csd_status(conn)`, `pac_config(conn, secret)` for the
CFDI job and the pages; `save_emisor`, `save_csd`, `save_pac` for the Datos fiscales page.
What it must not do: return the private key or the PAC secret to a page, or log them.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from satcfdi.models import Signer
from sqlalchemy import Connection, select

from server.db.engine import as_utc, utcnow
from server.db.schema import branches as branches_table
from server.db.schema import cfdis, fiscal_settings, returns, sales, shops, terminals

from .build import Emisor
from .certificate import CsdInfo
from .vault import open_key, seal_key

SHOP_ID = 1
ROW_ID = 1


@dataclass(frozen=True)
class PacConfig:
    name: str  # "swsapien"
    user: str
    secret: str  # password or token
    production: bool
    url: str | None  # a stand-in's address (tests, a PAC's sandbox mirror); None: the PAC's own hosts


@dataclass(frozen=True)
class CsdStatus:
    number: str
    not_before: datetime
    not_after: datetime


def settings_row(conn: Connection) -> Any:
    """The fiscal_settings row (or None): for the page, which shows only what is not secret."""
    return conn.execute(select(fiscal_settings).where(fiscal_settings.c.id == ROW_ID)).first()



def pac_config_missing(conn: Connection) -> bool:
    row = settings_row(conn)
    return row is None or not row.pac or row.pac_secret is None


def upsert(conn: Connection, **values: Any) -> None:
    values["updated_at"] = utcnow()
    if settings_row(conn) is None:
        conn.execute(fiscal_settings.insert().values(id=ROW_ID, pac="", pac_production=False, **values))
    else:
        conn.execute(fiscal_settings.update().where(fiscal_settings.c.id == ROW_ID).values(**values))


def emisor(conn: Connection) -> Emisor | None:
    shop = conn.execute(select(shops).where(shops.c.id == SHOP_ID)).first()
    if shop is None or not (shop.rfc and shop.name and shop.regimen_fiscal and shop.codigo_postal):
        return None
    return Emisor(shop.rfc, shop.name, shop.regimen_fiscal, shop.codigo_postal)


@dataclass(frozen=True)
class Branch:
    id: int
    name: str
    codigo_postal: str | None  # its own CP, or None: the shop's
    lugar_expedicion: str  # the CP its CFDIs carry


def branches(conn: Connection) -> list[Branch]:
    """Every branch with the CP its CFDIs are issued from (LugarExpedicion; Anexo 20: the CP of the place of
    issue, which also fixes the CFDI's time zone)."""
    shop_cp = conn.execute(select(shops.c.codigo_postal).where(shops.c.id == SHOP_ID)).scalar() or ""
    return [Branch(int(r.id), r.name, r.codigo_postal, r.codigo_postal or shop_cp)
            for r in conn.execute(select(branches_table).order_by(branches_table.c.id))]


def branch(conn: Connection, branch_id: int) -> Branch | None:
    return next((b for b in branches(conn) if b.id == branch_id), None)


def save_branch_cp(conn: Connection, branch_id: int, codigo_postal: str | None) -> bool:
    """A branch's own CP (None: the shop's); False when there is no such branch."""
    res = conn.execute(branches_table.update().where(branches_table.c.id == branch_id)
                       .values(codigo_postal=codigo_postal or None))
    return res.rowcount == 1


def branch_of_cfdi(conn: Connection, cfdi_id: int) -> int | None:
    """The branch a CFDI is issued from: a global's own; an egreso to a global, that global's; a return's egreso,
    the returning till's; a sale's CFDI, the selling till's."""
    row = conn.execute(select(cfdis.c.kind, cfdis.c.branch_id, cfdis.c.sale_id, cfdis.c.return_id,
                              cfdis.c.related_id).where(cfdis.c.id == cfdi_id)).first()
    if row is None:
        return None
    if row.kind == "global":
        return row.branch_id
    if row.return_id is not None:
        return conn.execute(select(terminals.c.branch_id).join(returns, returns.c.terminal_id == terminals.c.id)
                            .where(returns.c.id == row.return_id)).scalar()
    if row.sale_id is not None:
        return conn.execute(select(terminals.c.branch_id).join(sales, sales.c.terminal_id == terminals.c.id)
                            .where(sales.c.id == row.sale_id)).scalar()
    if row.related_id is not None:
        return conn.execute(select(cfdis.c.branch_id).where(cfdis.c.id == row.related_id)).scalar()
    return row.branch_id


def emisor_for_cfdi(conn: Connection, shop: Emisor, cfdi_id: int) -> Emisor:
    """The emisor with the LugarExpedicion of the branch the CFDI is issued from (the shop's CP when the branch
    has none of its own)."""
    branch_id = branch_of_cfdi(conn, cfdi_id)
    found = branch(conn, branch_id) if branch_id is not None else None
    if found is None or not found.codigo_postal:
        return shop
    return replace(shop, lugar_expedicion=found.codigo_postal)


def save_emisor(conn: Connection, rfc: str, name: str, regimen_fiscal: str, codigo_postal: str) -> None:
    values = {"rfc": rfc, "name": name, "regimen_fiscal": regimen_fiscal, "codigo_postal": codigo_postal}
    if conn.execute(select(shops.c.id).where(shops.c.id == SHOP_ID)).first() is None:
        conn.execute(shops.insert().values(id=SHOP_ID, address="", **values))
    else:
        conn.execute(shops.update().where(shops.c.id == SHOP_ID).values(**values))


def save_csd(conn: Connection, secret: str, info: CsdInfo, cer: bytes, key_der: bytes) -> None:
    upsert(conn, csd_number=info.number, csd_not_before=info.not_before, csd_not_after=info.not_after,
            csd_cer=cer, csd_key=seal_key(secret, key_der))


def csd_status(conn: Connection) -> CsdStatus | None:
    row = settings_row(conn)
    if row is None or row.csd_cer is None:
        return None
    return CsdStatus(row.csd_number, as_utc(row.csd_not_before), as_utc(row.csd_not_after))  # type: ignore[arg-type]


def signer(conn: Connection, secret: str) -> Signer | None:
    row = settings_row(conn)
    if row is None or row.csd_cer is None or row.csd_key is None:
        return None
    return Signer.load(certificate=bytes(row.csd_cer), key=open_key(secret, bytes(row.csd_key)), password=None)


def save_pac(conn: Connection, secret: str, name: str, user: str, password: str | None, production: bool,
             url: str | None) -> None:
    values: dict[str, Any] = {"pac": name, "pac_user": user or None, "pac_production": production,
                              "pac_url": url or None}
    if password:  # an empty field keeps the stored secret (it is never shown back)
        values["pac_secret"] = seal_key(secret, password.encode())
    upsert(conn, **values)


def pac_config(conn: Connection, secret: str) -> PacConfig | None:
    row = settings_row(conn)
    if row is None or not row.pac or row.pac_secret is None:
        return None
    return PacConfig(row.pac, row.pac_user or "", open_key(secret, bytes(row.pac_secret)).decode(),
                     bool(row.pac_production), row.pac_url)
