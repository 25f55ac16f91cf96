"""A local stand-in for SW Sapien's REST API (the protocol satcfdi's `SWSapien` client speaks), on loopback.

What it is for: the fiscal tests stamp and cancel through the production adapter code against this server.
It does what the PAC does that matters here: checks the bearer token, validates the XML against the SAT XSD,
answers a configured rejection for a receptor RFC ({"status": "error", "message": "CFDI40145 - ..."}, HTTP 400),
adds a TimbreFiscalDigital 1.1 signed with its own PAC-shaped certificate, gives the same stamp back for the
same sello (SW's "timbre previo"), and cancels by UUID with a motive.
What it must not do: reach the network beyond 127.0.0.1.
"""
from __future__ import annotations

import json
import threading
import uuid as uuidlib
from datetime import datetime
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from lxml import etree
from satcfdi.cfdi import CFDI
from satcfdi.create.cfd.tfd11 import TimbreFiscalDigital
from satcfdi.models import Signer

from server.fiscal.testcert import make_csd

TOKEN = "token-de-prueba"


class _Proveedor:
    """What TimbreFiscalDigital asks of the PAC's signer; satcfdi reads the PAC's RFC through a deprecated
    pyOpenSSL call (a warning, an error under this suite's settings), so it is given here instead."""

    rfc_pac = "LSO1306189R5"

    def __init__(self, signer: Signer) -> None:
        self.certificate_number = signer.certificate_number
        self.sign_sha256 = signer.sign_sha256


class StandIn:
    def __init__(self) -> None:
        cer, key, password = make_csd("SPR190613I52", "PAC DE PRUEBA", unit="PACLSO1306189R5",
                                      number="00001000000509846663", key_slot=2)
        self.pac_signer = Signer.load(certificate=cer, key=key, password=password)
        self.stamped: dict[str, tuple[str, str]] = {}  # sello -> (uuid, xml)
        self.reject_rfc: dict[str, tuple[str, str]] = {}  # receptor RFC -> (code, message)
        self.status_override: int | None = None  # e.g. 503 while "down"
        self.previous_as_307 = False  # answer a repeated sello as SW's "307 timbre previo" error (with the stamp)
        self.requests: list[str] = []
        self.cancelled: dict[str, str] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _stamp(self, xml: bytes) -> tuple[int, dict[str, Any]]:
        try:
            cfdi = CFDI.from_string(xml)
            cfdi.to_xml(validate=True)
        except (etree.LxmlError, ValueError) as exc:
            return 400, {"status": "error", "message": "301 - XML mal formado", "messageDetail": str(exc)[:300]}
        rfc = cfdi["Receptor"]["Rfc"]
        if rfc in self.reject_rfc:
            code, message = self.reject_rfc[rfc]
            return 400, {"status": "error", "message": f"{code} - {message}", "messageDetail": None}
        sello = cfdi["Sello"]
        if sello not in self.stamped:
            uuid = str(uuidlib.uuid4()).upper()
            cfdi["Complemento"] = TimbreFiscalDigital(proveedor=_Proveedor(self.pac_signer),  # type: ignore[arg-type]
                                                      uuid=uuid,
                                                      fecha_timbrado=datetime(2026, 12, 1, 12, 0, 0),
                                                      sello_cfd=sello)
            self.stamped[sello] = (uuid, cfdi.xml_bytes().decode())
        elif self.previous_as_307:
            uuid, stamped = self.stamped[sello]
            return 400, {"status": "error", "message": "307. El comprobante contiene un timbre previo.",
                         "messageDetail": None, "data": {"uuid": uuid, "cfdi": stamped}}
        uuid, stamped = self.stamped[sello]
        return 200, {"status": "success", "data": {"uuid": uuid, "cfdi": stamped}}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                standin.requests.append(self.path)
                if standin.status_override is not None:
                    self._answer(standin.status_override, {"status": "error", "message": "Servicio no disponible"})
                    return
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    self._answer(401, {"status": "error", "message": "AU2000 - Token inválido"})
                    return
                if self.path == "/v4/cfdi33/stamp/v4":
                    msg = BytesParser(policy=HTTP).parsebytes(
                        b"Content-Type: " + self.headers["Content-Type"].encode() + b"\r\n\r\n" + body)
                    xml = next(p.get_payload(decode=True) for p in msg.iter_parts()
                               if p.get_param("name", header="content-disposition") == "xml")
                    self._answer(*standin._stamp(xml))
                    return
                parts = self.path.strip("/").split("/")
                if parts[:2] == ["cfdi33", "cancel"] and len(parts) >= 5:
                    uuid, motive = parts[3], parts[4]
                    standin.cancelled[uuid] = motive
                    self._answer(200, {"status": "success",
                                       "data": {"acuse": "<Acuse/>", "uuid": {uuid: "201"}}})
                    return
                self._answer(404, {"status": "error", "message": "404 - no encontrado"})

        return Handler
