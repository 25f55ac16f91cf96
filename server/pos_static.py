"""Serves the POS page (web/) from the ERP process at /pos/: the shell, the app's JS and the vendored runtime.

Owned by the POS page work. What it adds over a plain StaticFiles mount, and why:
- MIME types Python's table may lack: `.wasm` must be `application/wasm` (else `loadPyodide` hangs with only a
  console warning), `.mjs` must be JavaScript (module scripts are refused otherwise).
- A Content-Security-Policy that allows only our own origin, plus `'wasm-unsafe-eval'` for Pyodide; an injected
  script must not be able to read the terminal token or send it anywhere (`connect-src 'self'`).
- Cache headers: content-hashed files (`vendor/app-<hash>.zip`) are immutable; everything else is revalidated
  (ETag) so a new version is picked up, while the service worker answers offline.
- The POS lives under /pos/; its service worker (served from /pos/sw.js with `Service-Worker-Allowed: /`) is
  scoped to the whole origin so the shop's address `/`, which redirects here, also opens the POS offline. The
  worker itself answers only `/`, `/pos` and /pos/*, never the back office (/erp) or the API (/api): web/sw.js.

Must not serve /api or /erp (those are routed before this mount) and must not answer anything from outside web/.
Python source files are not served: the browser gets the app as a byte-compiled zip.
"""
from __future__ import annotations

import mimetypes
import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
POS_PREFIX = "/pos"

# Measured with a CSP violation listener in Chromium (tests/e2e): Pyodide needs only 'wasm-unsafe-eval';
# PyScript's core injects its own <style> element, hence style-src 'unsafe-inline' (styles cannot read the
# token). No blob:/data: scripts, no eval.
CSP = "; ".join(  # noqa: FLY002 - one directive per line reads better
    [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)

_IMMUTABLE = re.compile(r"^vendor/app-[0-9a-f]{6,}\.zip$")
_HIDDEN = re.compile(r"(^|/)(__pycache__|\.[^/])|\.py$")

for _ext, _type in {
    ".wasm": "application/wasm",
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".zip": "application/zip",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
}.items():
    mimetypes.add_type(_type, _ext)


class PosStaticFiles(StaticFiles):
    """StaticFiles with the POS headers (CSP, caching, service worker scope) and no Python sources."""

    async def get_response(self, path: str, scope: Scope):  # type: ignore[no-untyped-def]
        if _HIDDEN.search(path):
            from starlette.exceptions import HTTPException

            raise HTTPException(status_code=404)
        response = await super().get_response(path, scope)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        if _IMMUTABLE.match(path):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        else:
            response.headers["Cache-Control"] = "no-cache"
        if path == "sw.js":
            response.headers["Service-Worker-Allowed"] = "/"
        return response


async def _to_pos() -> RedirectResponse:
    return RedirectResponse(POS_PREFIX + "/", status_code=307)


def mount_pos(app: FastAPI, web_dir: Path = WEB_DIR) -> None:
    """Mount web/ at /pos/; call last, after the API and back-office routes.

    `/` redirects to the POS unless the server already answers it (routes registered earlier win).
    """
    app.add_api_route("/", _to_pos, methods=["GET"], include_in_schema=False)
    app.add_api_route(POS_PREFIX, _to_pos, methods=["GET"], include_in_schema=False)
    app.mount(POS_PREFIX, PosStaticFiles(directory=web_dir, html=True, check_dir=False), name="pos")
