"""Serves the POS page (web/) from the ERP process at /pos/: the shell, the app's JS and the vendored runtime.

Owned by the POS page work. What it adds over a plain StaticFiles mount, and why:
- MIME types Python's table may lack: `.wasm` must be `application/wasm` (else `loadPyodide` hangs with only a
  console warning), `.mjs` must be JavaScript (module scripts are refused otherwise).
- A Content-Security-Policy that allows only our own origin, plus `'wasm-unsafe-eval'` for Pyodide; an injected
  script must not be able to read the terminal token or send it anywhere (`connect-src 'self'`).
- Cache headers: content-hashed files (`vendor/app-<hash>.zip`) are immutable; everything else is revalidated
  (ETag) so a new version is picked up, while the service worker answers offline.
- Precompressed variants: the runtime's big files (the 9.6 MB wasm, the stdlib and app zips, the JS) are built
  at set-up as `<file>.br` and `<file>.gz` beside them (scripts/pyodide/build_runtime.mjs); the browser gets
  brotli when it accepts it, else gzip -9, with `Content-Encoding`, `Vary: Accept-Encoding` and the variant's own
  ETag (a cache must never answer a brotli body to a client that asked for gzip). Compressing them per request
  (GZipMiddleware, level 5) cost CPU on every first visit and sent a quarter more bytes over the shop's wi-fi.
- The POS lives under /pos/; its service worker (served from /pos/sw.js with `Service-Worker-Allowed: /`) is
  scoped to the whole origin so the shop's address `/`, which redirects here, also opens the POS offline. The
  worker itself answers only `/`, `/pos` and /pos/*, never the back office (/erp) or the API (/api): web/sw.js.

Must not serve /api or /erp (those are routed before this mount) and must not answer anything from outside web/.
Python source files are not served: the browser gets the app as a byte-compiled zip.
"""
from __future__ import annotations

import mimetypes
import re
import stat
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from starlette.datastructures import Headers
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

# Accept-Encoding tokens in our order of preference, and the suffix of the file built for each.
_VARIANTS = (("br", ".br"), ("gzip", ".gz"))
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
        # The plain file's `Vary: Accept-Encoding` comes from the app's GZipMiddleware, which adds it to every answer.
        response = await self._precompressed(path, scope) or await super().get_response(path, scope)
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


    async def _precompressed(self, path: str, scope: Scope):  # type: ignore[no-untyped-def]
        """The file's brotli or gzip variant when one was built and the browser accepts it, else None."""
        if scope["method"] not in ("GET", "HEAD") or path.endswith((".br", ".gz")):
            return None
        accepted = _accepted(Headers(scope=scope).get("accept-encoding", ""))
        for token, suffix in _VARIANTS:
            if token not in accepted:
                continue
            full_path, stat_result = self.lookup_path(path + suffix)
            if not full_path or stat_result is None or not stat.S_ISREG(stat_result.st_mode):
                continue
            response = self.file_response(full_path, stat_result, scope)
            response.headers["Vary"] = "Accept-Encoding"  # same URL, other bytes for another Accept-Encoding
            if response.status_code == 200:
                response.headers["Content-Encoding"] = token
                response.headers["Content-Type"] = _media_type(path)
            return response
        return None


def _accepted(header: str) -> set[str]:
    """The codings an Accept-Encoding header allows (a `;q=0` one is refused)."""
    out = set()
    for part in header.split(","):
        token, _, params = part.strip().partition(";")
        if params.replace(" ", "") in ("q=0", "q=0.0", "q=0.00", "q=0.000"):
            continue
        out.add(token.strip().lower())
    return out


def _media_type(path: str) -> str:
    media_type, _ = mimetypes.guess_type(path)
    if media_type is None:
        return "application/octet-stream"
    return f"{media_type}; charset=utf-8" if media_type.startswith("text/") else media_type


async def _to_pos() -> RedirectResponse:
    return RedirectResponse(POS_PREFIX + "/", status_code=307)


def mount_pos(app: FastAPI, web_dir: Path = WEB_DIR) -> None:
    """Mount web/ at /pos/; call last, after the API and back-office routes.

    `/` redirects to the POS unless the server already answers it (routes registered earlier win).
    """
    app.add_api_route("/", _to_pos, methods=["GET"], include_in_schema=False)
    app.add_api_route(POS_PREFIX, _to_pos, methods=["GET"], include_in_schema=False)
    app.mount(POS_PREFIX, PosStaticFiles(directory=web_dir, html=True, check_dir=False), name="pos")
