"""The bench's lean HTTP client (bench/rawhttp.py) reads answers as a real server sends them: uvicorn's
Content-Length answers from the ERP app and chunked ones from an app that sets no length, on one kept-alive
connection, request after request."""
from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from bench import rawhttp
from server.app import create_app
from tests.server.harness import Erp


async def _no_length_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Echoes the request body in two parts without a Content-Length: uvicorn sends it chunked."""
    assert scope["type"] == "http"
    body = b""
    while True:
        msg = await receive()
        body += msg.get("body", b"")
        if not msg.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 201, "headers": [(b"x-path", scope["path"].encode())]})
    await send({"type": "http.response.body", "body": b"got:", "more_body": True})
    await send({"type": "http.response.body", "body": body})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _serving(app: Any) -> Iterator[str]:
    """`app` under a real uvicorn on a free loopback port, for the test's length."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    t = threading.Thread(target=server.run, daemon=True)
    t.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline and t.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        t.join(timeout=5)


@pytest.fixture
def served() -> Iterator[str]:
    with _serving(_no_length_app) as url:
        yield url


@pytest.fixture
def erp_url(erp: Erp) -> Iterator[str]:
    app = create_app(erp.settings)
    try:
        with _serving(app) as url:
            yield url
    finally:
        app.state.engine.dispose()


def test_chunked_answers_on_one_kept_alive_connection(served: str) -> None:
    async def run() -> list[tuple[int, bytes]]:
        conn = rawhttp.Connection(served)
        await conn.open()
        try:
            big = b"x" * 200_000  # more than one read of the stream
            return [await conn.send(conn.request_bytes("POST", "/a", {"Content-Type": "text/plain"}, b"hola")),
                    await conn.send(conn.request_bytes("POST", "/b", {}, big)),
                    await conn.send(conn.request_bytes("GET", "/c", {}))]
        finally:
            await conn.close()

    first, second, third = asyncio.run(run())
    assert first == (201, b"got:hola")
    assert second == (201, b"got:" + b"x" * 200_000)
    assert third == (201, b"got:")


def test_content_length_answers_from_the_erp(erp_url: str) -> None:
    async def run() -> tuple[tuple[int, bytes], tuple[int, bytes]]:
        conn = rawhttp.Connection(erp_url)
        await conn.open()
        try:
            health = await conn.send(conn.request_bytes("GET", "/api/health", {}))
            refused = await conn.send(conn.request_bytes("POST", "/api/sales", {
                "Authorization": "Bearer nope", "Content-Type": "application/json"}, b'{"sales": []}'))
            return health, refused
        finally:
            await conn.close()

    (status, body), (refused, why) = asyncio.run(run())
    assert status == 200 and isinstance(json.loads(body), dict)
    assert refused == 401 and json.loads(why)["error"] == "unauthorized"


def test_only_plain_http_urls() -> None:
    with pytest.raises(ValueError):
        rawhttp.Connection("https://127.0.0.1:8443")
