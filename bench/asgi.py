"""The ERP exactly as `caja serve` builds it (server.asgi:app), plus bench/pages mounted at /bench/.

What it is for: the raw-JS floor and the bare Pyodide pages must be on the POS's origin, so they fetch the same
/api pages and the same /pos/vendor runtime files with the same headers, without CORS or a proxy in the way.
(Playwright's page.route would do it too, but routing disables Chromium's HTTP cache, which the boot figures need.)
GET /bench/bytes answers how many response body bytes (as sent, compressed or not) the server has sent so far,
so a measure can count what a visit cost on the wire, service worker downloads included.
What it must NOT do: change anything of the app it wraps; /bench is added after every route of create_app.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from server.asgi import app as erp
from server.pos_static import PosStaticFiles  # same MIME table (wasm, mjs) and cache headers as /pos

PAGES = Path(__file__).resolve().parent / "pages"


class _BenchPages(PosStaticFiles):
    """Same headers as the POS (CSP included): the floor and bare pages run under the POS's own rules."""


erp.mount("/bench", _BenchPages(directory=PAGES, html=True), name="bench")


class _CountBytes:
    """Outermost ASGI layer: adds up every response body as it leaves (after the app's compression)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.sent = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/bench/bytes":
            body = str(self.sent).encode()
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"text/plain"), (b"cache-control", b"no-store")]})
            await send({"type": "http.response.body", "body": body})
            return

        async def counted(msg: dict[str, Any]) -> None:
            if msg["type"] == "http.response.body":
                self.sent += len(msg.get("body", b""))
            await send(msg)

        await self.inner(scope, receive, counted)


app = _CountBytes(erp)

__all__ = ["app"]
