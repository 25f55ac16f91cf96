"""What `caja serve` does so slow or numerous clients cannot stop it: an h11 protocol with a header deadline
and a body idle timeout, the open-file limit raised to what the system allows, and accept errors logged once
per interval instead of once per attempt.

Why: uvicorn has no timeout for reading a request. A client that opens a socket and sends half a header
(slowloris) holds a connection and a file descriptor for as long as it likes; a thousand of them use up the
default soft limit of 1024 descriptors, after which every accept fails, /api/health included, and asyncio logs
a traceback for every failed accept (hundreds of MB a minute). Here a request head must arrive whole within
HEAD_TIMEOUT_S of its first byte (or of the connection opening), and a body may not pause longer than
BODY_IDLE_S; otherwise the connection is closed. Once the request is read, no timer runs: a slow handler or a
big export is not cut.
What it must not do: touch requests that arrive at a normal pace, or drop log lines other than repeats.
"""
from __future__ import annotations

import asyncio
import logging
import os
import resource
import time

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

HEAD_TIMEOUT_S = float(os.environ.get("CAJA_HEAD_TIMEOUT_S", "10"))
BODY_IDLE_S = float(os.environ.get("CAJA_BODY_IDLE_S", "15"))


class GuardedH11Protocol(H11Protocol):
    _guard: asyncio.TimerHandle | None = None
    _guard_kind: str = ""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm("head", HEAD_TIMEOUT_S)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._watch()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _watch(self) -> None:
        state = self.conn.their_state
        if state is h11.SEND_BODY:
            self._arm("body", BODY_IDLE_S)  # re-armed on every chunk: only a pause is cut
        elif state is h11.IDLE and self.conn.trailing_data[0]:
            if self._guard_kind != "head":  # trickled bytes never extend the head's deadline
                self._arm("head", HEAD_TIMEOUT_S)
        else:
            self._disarm()  # request read (or between requests, where uvicorn's keep-alive timer applies)

    def _arm(self, kind: str, seconds: float) -> None:
        self._disarm()
        self._guard_kind = kind
        self._guard = self.loop.call_later(seconds, self._expired)

    def _disarm(self) -> None:
        if self._guard is not None:
            self._guard.cancel()
        self._guard, self._guard_kind = None, ""

    def _expired(self) -> None:
        kind = self._guard_kind
        self._guard, self._guard_kind = None, ""
        if kind == "body" and self.flow.read_paused:
            self._arm("body", BODY_IDLE_S)  # we stopped reading (the app is behind): not the client's pause
            return
        if not self.transport.is_closing():
            self.transport.close()


def raise_open_file_limit() -> tuple[int, int]:
    """Soft RLIMIT_NOFILE up to the hard limit (the soft default, 1024, is what a connection flood hits first)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
    if target > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return soft, hard


class RepeatFilter(logging.Filter):
    """Lets one record of a kind through per `interval_s`, then says how many it held back."""

    def __init__(self, interval_s: float = 30.0) -> None:
        super().__init__()
        self.interval_s = interval_s
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = f"{record.name}:{record.levelno}:{record.msg!s:.80}"
        now = time.monotonic()
        if now - self._last.get(key, -1e9) < self.interval_s:
            self._held[key] = self._held.get(key, 0) + 1
            return False
        held = self._held.pop(key, 0)
        if len(self._last) > 1000:
            self._last.clear()
        self._last[key] = now
        if held:
            record.msg = f"{record.msg} ({held} repeticiones omitidas en {self.interval_s:.0f} s)"
        if record.exc_info and isinstance(record.exc_info[1], OSError):
            # A traceback per failed accept (out of descriptors) is what fills a disk; the message says enough.
            record.exc_info, record.exc_text = None, None
        return True


def quiet_repeats(*names: str) -> None:
    for name in names:
        logging.getLogger(name).addFilter(RepeatFilter())

