"""Talking to the PAC through satcfdi's own adapter (SW Sapien's REST/JSON API): stamp and cancel.

What it is for: `make_pac(config)` → satcfdi's `SWSapien` client, pointed at the PAC's hosts or, when the
settings give a URL, at that address (a stand-in in the tests); `stamp(pac, xml)` → (UUID, stamped XML);
`cancel(pac, xml, motive)`. Failures are sorted into `PacUnreachable` (retry later with backoff: connection
refused, timeout, a 5xx) and `PacRejected` (the PAC looked and said no: its code and message, kept on the CFDI).
What it must not do: build or seal CFDIs, touch the database, or log credentials.
"""
from __future__ import annotations

import concurrent.futures
import json
import re
from typing import Any

import requests
from satcfdi.cfdi import CFDI
from satcfdi.exceptions import ResponseError
from satcfdi.pacs import CancelReason, Environment
from satcfdi.pacs.swsapien import SWSapien

from .store import PacConfig

PACS = {"swsapien": "SW Sapien (SmarterWeb)"}
MOTIVES = {"01": "Comprobante emitido con errores con relación", "02": "Comprobante emitido con errores sin relación",
           "03": "No se llevó a cabo la operación", "04": "Operación nominativa relacionada en una factura global"}
TIMEOUT = 60.0
_EXECUTOR = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="caja-pac")
_CODE = re.compile(r"^\s*(CFDI\d{5}|\d{3})")


class PacUnreachable(Exception):
    """The PAC did not answer usefully (network, timeout, 5xx): the job retries with backoff."""


class PacRejected(Exception):
    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")


class PacPreviousStamp(Exception):
    """The PAC's "307 timbre previo": this sealed XML was stamped before (an answer was lost)."""

    def __init__(self, uuid: str | None, xml: bytes | None) -> None:
        self.uuid, self.xml = uuid, xml
        super().__init__("307 timbre previo")


class _SWSapien(SWSapien):
    """satcfdi's SW Sapien client, unchanged but for where it connects when a URL is configured."""

    def __init__(self, base_url: str | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._base_url = base_url.rstrip("/") if base_url else None

    def _host(self, service: str = "services") -> str:
        return self._base_url or str(super()._host(service))


def make_pac(config: PacConfig) -> SWSapien:
    if config.name != "swsapien":
        raise ValueError(f"PAC no soportado: {config.name}")
    env = Environment.PRODUCTION if config.production else Environment.TEST
    # A user name means user + password (the client asks SW for a token); none means the secret is a token.
    if config.user:
        return _SWSapien(config.url, user=config.user, password=config.secret, environment=env)
    return _SWSapien(config.url, token=config.secret, environment=env)


def _rejection(exc: ResponseError) -> Exception:
    response = exc.response
    if response is None or response.status_code >= 500:
        return PacUnreachable(f"PAC HTTP {getattr(response, 'status_code', '?')}")
    try:
        body = response.json()
    except (ValueError, json.JSONDecodeError):
        return PacRejected(str(response.status_code), response.text[:500])
    message = str(body.get("message") or "")
    detail = str(body.get("messageDetail") or "")
    found = _CODE.match(message)
    if found and found.group(1) == "307":
        # Timbre previo: the stamp exists at the SAT; the PAC may send it back with the error.
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        cfdi, uuid = data.get("cfdi"), data.get("uuid")
        return PacPreviousStamp(str(uuid).upper() if uuid else None, cfdi.encode() if isinstance(cfdi, str) else None)
    full = f"{message} {detail}".strip() if detail and detail != message else message
    return PacRejected(found.group(1) if found else str(response.status_code), full[:1000])


def _call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    # satcfdi's client calls requests without a timeout, so a PAC that accepts the connection and never answers
    # would hold the job forever: the call runs on a helper thread and is given up after TIMEOUT. A late answer is
    # dropped; the next attempt sends the same sealed XML and gets the same stamp back.
    future = _EXECUTOR.submit(fn, *args, **kwargs)
    try:
        return future.result(timeout=TIMEOUT)
    except concurrent.futures.TimeoutError:
        raise PacUnreachable(f"sin respuesta en {TIMEOUT:.0f} s") from None
    except ResponseError as exc:
        raise _rejection(exc) from None
    except requests.RequestException as exc:
        raise PacUnreachable(type(exc).__name__) from None


def stamp(pac: SWSapien, xml: bytes) -> tuple[str, bytes]:
    """Send the sealed XML; the same sealed XML sent again gets the same stamp back from the PAC (its
    "timbre previo" answer), which is what makes a retry after a lost answer safe."""
    try:
        doc = _call(pac.stamp, CFDI.from_string(xml))
    except PacPreviousStamp as exc:
        if exc.uuid and exc.xml:
            return exc.uuid, exc.xml
        raise
    return str(doc.document_id).upper(), bytes(doc.xml)


def cancel(pac: SWSapien, xml: bytes, motive: str, substitution: str | None = None) -> str:
    """Cancel a stamped CFDI with a SAT motive (01–04); returns the PAC's status code for the UUID."""
    ack = _call(pac.cancel, CFDI.from_string(xml), CancelReason(motive), substitution)
    return str(ack.code)
