"""Pairing this device with the ERP: the one-time code for a token and the terminal's settings, both stored.

Must not proceed without the ERP's answer, nor store anything but it.
"""
from __future__ import annotations

from typing import Any

from storage import Storage

from caja_pos.net.erp import Http, HttpError, NetworkError, pair
from caja_pos.text.labels import L, lang


class PairingFailed(Exception):
    """The code was refused (the ERP's message) or the ERP could not be reached (said in the till's language)."""


async def pair_terminal(http: Http, storage: Storage, code: str, device: str) -> tuple[str, dict[str, Any]]:
    """(token, terminal) after storing them; raises PairingFailed with the text to show."""
    try:
        answer = await pair(http, code, device)
    except HttpError as exc:
        raise PairingFailed(exc.text(lang())) from None
    except NetworkError:
        raise PairingFailed(L("pair_offline")) from None
    await storage.put_many({"token": answer["token"], "terminal": answer["terminal"]})
    return answer["token"], answer["terminal"]
