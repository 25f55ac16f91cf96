"""The transport floor for the chain's-morning measures: an ASGI app that answers from memory, with no database.

What it is for: run under uvicorn with the same worker count as the ERP, it serves the catalog pages the ERP
served (already gzip'd bytes, read from CAJA_BENCH_PAGES/<after>.gz) and answers POST /api/sales with a fixed
body after reading the request; the same load client against it measures what the loopback, uvicorn and the
client cost by themselves, so the ERP's figure is read next to what no ERP could beat on this machine.
What it must NOT do: look at the request beyond the path and `after`, or know anything of caja's rules.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

_DIR = Path(os.environ.get("CAJA_BENCH_PAGES", "."))
_PAGES = {int(p.stem): p.read_bytes() for p in _DIR.glob("*.gz")}
_SALES = b'{"results":[]}'


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    while True:  # read the whole body, as the ERP does before answering
        msg = await receive()
        if not msg.get("more_body"):
            break
    headers = [(b"content-type", b"application/json")]
    if scope["path"] == "/api/catalog":
        after = int(parse_qs(scope["query_string"].decode()).get("after", ["0"])[0])
        body = _PAGES.get(after)
        if body is None:
            await send({"type": "http.response.start", "status": 404, "headers": headers})
            await send({"type": "http.response.body", "body": b"{}"})
            return
        headers.append((b"content-encoding", b"gzip"))
    elif scope["path"] in ("/api/sales", "/api/health"):
        body = _SALES
    else:
        body = b"{}"
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
