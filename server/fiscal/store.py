"""The shop's fiscal set-up in the database: emisor (the `shops` row), CSD and PAC (`fiscal_settings` row 1).

What it is for: `emisor(conn)`, `signer(conn, secret)`, `csd_status(conn)`, `pac_config(conn, secret)` for the
CFDI job and the pages; `save_emisor`, `save_csd`, `save_pac` for the Datos fiscales page.
What it must not do: return the private key or the PAC secret to a page, or log them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from satcfdi.models import Signer
from sqlalchemy import Connection, select

from server.db.engine import as_utc, utcnow
from server.db.schema import fiscal_settings, shops

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
