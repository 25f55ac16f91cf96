"""A local SMTP server for the tests: real SMTP over a TCP socket (EHLO, AUTH PLAIN/LOGIN, MAIL, RCPT, DATA,
RSET, NOOP, QUIT) in a thread, keeping what it received.

`SmtpStandIn(fail=n)` answers the first n messages with a temporary error (451), as a server under load does;
`user`/`password` make it require that login; `tls` (a server-side SSLContext) offers STARTTLS, or with
`implicit=True` speaks TLS from the first byte (port 465 style). Must not: be used outside tests (no relaying).
"""
from __future__ import annotations

import base64
import socketserver
import ssl
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Self


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes

    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)  # type: ignore[return-value]


@dataclass
class _State:
    user: str | None
    password: str | None
    fail: int
    tls: ssl.SSLContext | None = None
    implicit: bool = False
    messages: list[Received] = field(default_factory=list)
    refused: int = 0
    logins: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(socketserver.StreamRequestHandler):
    server: _Server
    secure = False

    def setup(self) -> None:
        state = self.server.state
        if state.tls is not None and state.implicit:
            self.request = self.connection = state.tls.wrap_socket(self.request, server_side=True)
            self.secure = True
        super().setup()

    def _starttls(self, tls: ssl.SSLContext) -> None:
        self._say("220 ready to start TLS")
        self.connection = tls.wrap_socket(self.connection, server_side=True)
        self.rfile, self.wfile = self.connection.makefile("rb"), self.connection.makefile("wb")
        self.secure = True

    def finish(self) -> None:
        super().finish()
        if self.secure:
            self.connection.close()  # the TLS wrapper; socketserver closes only the socket it accepted

    def _say(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def _line(self) -> str:
        return self.rfile.readline(4096).decode(errors="replace").rstrip("\r\n")

    def handle(self) -> None:
        state = self.server.state
        authed = state.user is None
        sender, recipients = "", list[str]()
        self._say("220 standin ESMTP")
        while True:
            line = self._line()
            if not line and self.rfile.closed:
                return
            verb = line[:4].upper()
            if verb in ("EHLO", "HELO"):
                offer = "250-STARTTLS\r\n" if state.tls is not None and not self.secure else ""
                self._say(f"250-standin\r\n{offer}250-AUTH PLAIN LOGIN\r\n250 8BITMIME" if verb == "EHLO"
                          else "250 standin")
            elif line.upper() == "STARTTLS" and state.tls is not None and not self.secure:
                self._starttls(state.tls)
            elif verb == "AUTH":
                authed = self._auth(line, state)
            elif verb == "MAIL":
                if not authed:
                    self._say("530 authentication required")
                    continue
                with state.lock:
                    refuse = state.refused < state.fail
                    state.refused += refuse
                if refuse:
                    self._say("451 try again later")
                    continue
                sender, recipients = line.partition(":")[2].strip().strip("<>").split(">")[0], []
                self._say("250 ok")
            elif verb == "RCPT":
                recipients.append(line.partition(":")[2].strip().strip("<>").split(">")[0])
                self._say("250 ok")
            elif verb == "DATA":
                self._say("354 go ahead")
                chunks = []
                while (part := self.rfile.readline()) not in (b".\r\n", b""):
                    chunks.append(part[1:] if part.startswith(b"..") else part)
                with state.lock:
                    state.messages.append(Received(sender, recipients, b"".join(chunks)))
                self._say("250 queued")
            elif verb in ("RSET", "NOOP"):
                self._say("250 ok")
            elif verb == "QUIT":
                self._say("221 bye")
                return
            elif not line:
                return
            else:
                self._say("502 not implemented")

    def _auth(self, line: str, state: _State) -> bool:
        parts = line.split()
        if len(parts) >= 2 and parts[1].upper() == "PLAIN":
            if len(parts) == 2:
                self._say("334 ")
                parts.append(self._line())
            _, user, password = base64.b64decode(parts[2]).decode().split("\0")
        else:
            self._say("334 VXNlcm5hbWU6")
            user = base64.b64decode(self._line()).decode()
            self._say("334 UGFzc3dvcmQ6")
            password = base64.b64decode(self._line()).decode()
        ok = user == state.user and password == state.password
        state.logins.append(user)
        self._say("235 ok" if ok else "535 authentication failed")
        return ok


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    state: _State

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that refused our certificate, or hung up, is expected in these tests: nothing to print."""


class SmtpStandIn:
    def __init__(self, fail: int = 0, user: str | None = None, password: str | None = None,
                 tls: ssl.SSLContext | None = None, implicit: bool = False) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.state = _State(user, password, fail, tls, implicit)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, name="smtp-standin", daemon=True)

    @property
    def messages(self) -> list[Received]:
        return list(self._server.state.messages)

    @property
    def refused(self) -> int:
        return self._server.state.refused

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
