"""The API's error shape: every 4xx/5xx under /api is `{"error": code, "message": Spanish text}`.

What it is for: `ApiError` (raise it anywhere in a request), the handlers that turn FastAPI/Starlette errors
(422 validation, malformed JSON, 404, 405, 500) into that shape, and the request body size limit.
What it must not do: decide business rules; routes choose the codes.
"""
from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("caja.api")


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status, headers=headers)


_HTTP_CODES = {
    400: ("bad_request", "Solicitud inválida."),
    401: ("unauthorized", "Terminal no autorizada."),
    403: ("forbidden", "Acceso denegado."),
    404: ("not_found", "No encontrado."),
    405: ("method_not_allowed", "Método no permitido."),
    413: ("body_too_large", "La solicitud es demasiado grande."),
}


def _describe(errors: list[Any]) -> str:
    parts = []
    for e in errors[:3]:
        loc = ".".join(str(x) for x in e.get("loc", ()) if x != "body")
        parts.append(f"{loc or 'cuerpo'}: {e.get('msg', '')}")
    return "Datos inválidos: " + "; ".join(parts)


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        if any(e.get("type") == "json_invalid" for e in errors):
            return error_response(400, "malformed_json", "El cuerpo no es JSON válido.")
        return error_response(400, "invalid_request", _describe(errors))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Any:
        code, message = _HTTP_CODES.get(exc.status_code, ("http_error", str(exc.detail)))
        return error_response(exc.status_code, code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        return error_response(500, "internal_error", "Error interno del servidor; intente más tarde.")


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
                await error_response(413, "body_too_large", "La solicitud es demasiado grande.")(scope, receive, send)
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
