"""The API's error shape: every 4xx/5xx under /api is `{"error": code, "params": {...}, "message": text}`.

`error` is a code of poscore.messages (the one catalogue the POS and the back office render too), `params` what
its text names, and `message` that text in the request's language: Spanish, or English when Accept-Language
prefers it (`request_lang`). A batch's per-record rejections get the same treatment (`speak`).
What it is for: `ApiError` (raise it anywhere in a request), the handlers that turn FastAPI/Starlette errors
(422 validation, malformed JSON, 404, 405, 500) into that shape, and the request body size limit.
What it must not do: decide business rules, or hold words (routes choose the codes, poscore.messages has texts).
"""
from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from poscore.messages import LANGS, render

log = logging.getLogger("caja.api")


class ApiError(Exception):
    def __init__(self, status: int, code: str, headers: dict[str, str] | None = None, **params: Any) -> None:
        super().__init__(code)
        self.status, self.code, self.params, self.headers = status, code, params, headers


def request_lang(headers: Any) -> str:
    """The catalogue language an Accept-Language header prefers (RFC 9110 §12.5.4: weights, then order), else
    Spanish, the ERP's language."""
    best, best_q = "es", -1.0
    for part in (headers.get("accept-language") or "").split(","):
        tag, _, weight = part.strip().partition(";")
        lang = tag.strip().lower().split("-")[0]
        try:
            q = float(weight.strip().removeprefix("q=")) if weight.strip().startswith("q=") else 1.0
        except ValueError:
            q = 0.0
        if lang in LANGS and q > best_q and q > 0:
            best, best_q = lang, q
    return best


def error_response(status: int, code: str, lang: str = "es", headers: dict[str, str] | None = None,
                   **params: Any) -> JSONResponse:
    return JSONResponse({"error": code, "params": params, "message": render(code, lang, params)},
                        status_code=status, headers=headers)


def speak(results: list[dict[str, Any]], request: Request) -> list[dict[str, Any]]:
    """A batch's results with each rejection's `message` in the request's language (the sync services write it
    in Spanish)."""
    lang = request_lang(request.headers)
    if lang != "es":
        for r in results:
            if r.get("status") == "rejected" and r.get("error"):
                r["message"] = render(r["error"], lang, r.get("params"))
    return results


_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 413: "body_too_large"}


def _describe(errors: list[Any]) -> str:
    """Which fields pydantic refused and why, as it says it (a field name reads the same in every language)."""
    parts = []
    for e in errors[:3]:
        loc = ".".join(str(x) for x in e.get("loc", ()) if x != "body")
        parts.append(f"{loc or 'body'}: {e.get('msg', '')}")
    return "; ".join(parts)


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, request_lang(request.headers), headers=exc.headers,
                              **exc.params)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        lang = request_lang(request.headers)
        errors = list(exc.errors())
        if any(e.get("type") == "json_invalid" for e in errors):
            return error_response(400, "malformed_json", lang)
        return error_response(400, "invalid_request", lang, detail=_describe(errors))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Any:
        lang, headers = request_lang(request.headers), getattr(exc, "headers", None)
        code = _HTTP_CODES.get(exc.status_code)
        if code is None:
            return error_response(exc.status_code, "http_error", lang, headers=headers, http_status=exc.status_code)
        return error_response(exc.status_code, code, lang, headers=headers)

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        return error_response(500, "internal_error", request_lang(request.headers))


class BodyLimit:
    """Refuse request bodies over `max_bytes` with 413, whether or not a Content-Length was sent."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                lang = request_lang({k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", ())})
                await error_response(413, "body_too_large", lang)(scope, receive, send)
                return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # Starlette's HTTPException, not ApiError: FastAPI turns any other exception raised while it
                    # reads the body into a 400 "error parsing the body", and re-raises only this one.
                    raise StarletteHTTPException(413)
            return message

        await self.app(scope, limited, send)
