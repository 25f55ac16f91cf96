"""How a stored sale's state and time read in the till's language: "Sincronizada · Folio R-12", "Rechazada ·
<reason>", "01/12/2026 16:05". Shared by the Ventas window, the returns screen and the sync panel.

Must not decide a state (poscore.lifecycle does) nor render the ERP's reasons itself (poscore.messages does).
"""
from __future__ import annotations

from datetime import datetime

from caja_pos.text.labels import L, lang
from poscore.lifecycle import PENDING, REJECTED, SYNCED
from poscore.messages import answer_text, t
from poscore.numbering import folio_label


def state_text(record: dict) -> str:
    """'Sincronizada · Folio R-12', 'Rechazada · <reason>', 'Pendiente'…"""
    state = record.get("state", PENDING)
    text = t(state, lang())
    if state == SYNCED and record.get("series") and record.get("folio") is not None:
        text += f" · {L('folio')} {folio_label(record['series'], int(record['folio']))}"
    elif state == REJECTED:
        text += f" · {rejection_text(record)}"
    return text


def rejection_text(record: dict) -> str:
    """Why the ERP refused a sale or a return, in the till's language: its code and parameters rendered from the
    catalogue as the ERP rendered its Spanish message (poscore.messages.answer_text)."""
    return answer_text(record, lang())


def when_text(iso: str | None) -> str:
    try:
        return datetime.fromisoformat(iso or "").strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return iso or ""
