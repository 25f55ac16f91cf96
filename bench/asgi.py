"""The ERP exactly as `caja serve` builds it (server.asgi:app), plus bench/pages mounted at /bench/.

What it is for: the raw-JS floor and the bare Pyodide pages must be on the POS's origin, so they fetch the same
/api pages and the same /pos/vendor runtime files with the same headers, without CORS or a proxy in the way.
(Playwright's page.route would do it too, but routing disables Chromium's HTTP cache, which the boot figures need.)
What it must NOT do: change anything of the app it wraps; /bench is added after every route of create_app.
"""
from __future__ import annotations

from pathlib import Path

from server.asgi import app
from server.pos_static import PosStaticFiles  # same MIME table (wasm, mjs) and cache headers as /pos

PAGES = Path(__file__).resolve().parent / "pages"


class _BenchPages(PosStaticFiles):
    """Same headers as the POS (CSP included): the floor and bare pages run under the POS's own rules."""


app.mount("/bench", _BenchPages(directory=PAGES, html=True), name="bench")

__all__ = ["app"]
