"""Slow and numerous clients against a real `caja serve` (loopback only, a bounded number of sockets).

Proves that 1,100 connections each holding an unfinished request head, opened against a server started with
the common default soft limit of 1,024 open files, do not stop /api/health from answering, that the server
closes those connections once the head deadline passes, that a body which stops arriving is cut too, and that
the log stays small while it happens. The deadlines are shortened through the environment so the test waits
seconds, not minutes; every wait polls a condition with a deadline.
"""
from __future__ import annotations

import logging
import resource
import selectors
import socket
import time
from pathlib import Path

import httpx
import pytest

from server.http_guard import RepeatFilter
from tests.server.procs import Served, caja, caja_env

SLOW = 1100


def _open_slow(port: int, n: int) -> list[socket.socket]:
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")  # never finished
        socks.append(s)
    return socks


def _wait_closed(socks: list[socket.socket], deadline_s: float) -> int:
    """Wait until the server has closed every socket (recv gives b'' or an error); returns how many it closed."""
    sel = selectors.DefaultSelector()
    for s in socks:
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
    open_ = len(socks)
    deadline = time.monotonic() + deadline_s
    while open_ and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=0.5):
            sock = key.fileobj
            assert isinstance(sock, socket.socket)
            try:
                data = sock.recv(4096)
            except OSError:
                data = b""
            if not data:
                sel.unregister(sock)
                open_ -= 1
    sel.close()
    return len(socks) - open_


def test_repeated_accept_errors_are_logged_once_per_interval_without_tracebacks() -> None:
    logger = logging.getLogger("caja.test.accept")
    logger.propagate = False
    seen: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = seen.append  # type: ignore[method-assign]
    logger.addHandler(handler)
    logger.addFilter(RepeatFilter(interval_s=3600))
    try:
        err = OSError(24, "Too many open files")
        for _ in range(10_000):
            logger.error("socket.accept() out of system resource", exc_info=(OSError, err, None))
        logger.error("something else")
    finally:
        logger.removeHandler(handler)
    assert [r.getMessage() for r in seen] == ["socket.accept() out of system resource", "something else"]
    assert seen[0].exc_info is None


@pytest.mark.slow
def test_slow_heads_neither_stop_the_server_nor_stay_open(tmp_path: Path) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    # The hard limit is the machine's (ulimit -Hn; 1,048,576 on Debian's default): a lower one is a set-up to fix,
    # not a reason to report green without the test.
    assert hard >= SLOW + 200, f"the hard open-file limit ({hard}) is below what this test opens: raise ulimit -Hn"
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, SLOW + 200), hard))
    env = caja_env(f"sqlite:///{tmp_path / 'caja.db'}", tmp_path)
    env.update(CAJA_HEAD_TIMEOUT_S="4", CAJA_BODY_IDLE_S="4")
    assert caja("migrate", env=env).returncode == 0
    served = Served(env, soft_nofile=1024)
    socks: list[socket.socket] = []
    try:
        served.wait_healthy()
        socks = _open_slow(served.port, SLOW)
        started = time.monotonic()
        r = httpx.get(served.url + "/api/health", timeout=3)
        assert r.status_code == 200 and time.monotonic() - started < 3
        closed = _wait_closed(socks, deadline_s=30)
        assert closed == SLOW, f"{SLOW - closed} slow connections still open"
        # A body that stops arriving is cut as well.
        body = socket.create_connection(("127.0.0.1", served.port), timeout=5)
        body.sendall(b"POST /api/pair HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 1000\r\n\r\n{\"code\":")
        try:
            assert _wait_closed([body], deadline_s=30) == 1
        finally:
            body.close()
        assert httpx.get(served.url + "/api/health", timeout=3).status_code == 200
    finally:
        for s in socks:
            s.close()
        rc = served.stop()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert rc == 0
    assert sum(len(line) for line in served.output) < 200_000, "the log grew with the slow connections"
