"""POST /api/cfdis: the stamped CFDIs of a till's own sales, so its ticket of a factura can show the UUID and the
SAT's verification QR once the PAC stamped it (contract: CFDI).

The till asks for the uuids of its synced facturas that have no UUID yet (at most `MAX_ASKED` at a time); the ERP
answers those of this terminal that are stamped: {"cfdis": [{"sale", "uuid", "qr"}]}, where `qr` is the SAT
verification address (satcfdi's `verifica_url`: id, re, rr, tt, fe) the ticket draws as a QR. A sale of another
terminal, unknown, or not stamped yet is simply absent: the till asks again later.
What it must not do: stamp, wait for the PAC, or answer another terminal's sales.
"""
from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel
from sqlalchemy import and_, select

from server.db.engine import read_tx
from server.db.schema import cfdis, sales

from .deps import TerminalRef, current_terminal, engine
from .errors import ApiError

router = APIRouter(prefix="/api")
MAX_ASKED = 200
_UUID = re.compile(r"[0-9A-Za-z-]{1,36}", re.ASCII)


class CfdisIn(BaseModel):
    sales: list[str]


def verification_url(xml: str) -> str:
    """The SAT's verification address of a stamped CFDI (Anexo 20: the QR printed on its representation)."""
    from satcfdi.cfdi import CFDI  # the fiscal library stays out of the sync path's imports until asked

    return str(CFDI.from_string(xml.encode()).verifica_url)  # a property


@router.post("/cfdis")
def stamped_cfdis(request: Request, body: CfdisIn,
                  t: Annotated[TerminalRef, Depends(current_terminal)]) -> dict[str, Any]:
    if len(body.sales) > MAX_ASKED:
        raise ApiError(413, "batch_too_large", max=MAX_ASKED)
    # A sale's uuid is letters, digits and dashes: anything else (a NUL byte PostgreSQL refuses) is no sale's.
    asked = [u for u in body.sales if _UUID.fullmatch(u)]
    if not asked:
        return {"cfdis": []}
    with read_tx(engine(request)) as conn:
        rows = list(conn.execute(
            select(sales.c.uuid.label("sale"), cfdis.c.uuid, cfdis.c.xml)
            .join(cfdis, and_(cfdis.c.sale_id == sales.c.id, cfdis.c.return_id.is_(None)))
            .where(sales.c.uuid.in_(asked), sales.c.terminal_id == t.id, cfdis.c.state == "timbrada",
                   cfdis.c.kind.in_(("factura", "autofactura")))))
    return {"cfdis": [{"sale": r.sale, "uuid": r.uuid, "qr": verification_url(r.xml)} for r in rows]}
