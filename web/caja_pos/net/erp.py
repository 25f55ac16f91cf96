"""The ERP over HTTP: the client (which also reports reachability, for the wifi icon), its two errors and the
pairing call. Contract: docs/contract.md.

Must not store anything, compute money or touch the DOM: services (web/caja_pos/services) decide what an answer
means. The browser fetch goes through the platform module; the rest takes any object with the same `request`, so
tests/web use a fake.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol

from caja_pos import platform
from poscore.messages import answer_text

TIMEOUT_MS = 8000


class NetworkError(Exception):
    """The ERP could not be reached (offline, refused, timed out) or answered 5xx: nothing is known."""


class HttpError(Exception):
    """A 4xx answer: `{"error", "params", "message"}` from the ERP; `text(lang)` is its reason in the till's
    language (the catalogue's words for a code it knows, else the ERP's Spanish message)."""

    def __init__(self, status: int, data: dict | None) -> None:
        self.status = status
        self.answer = data if isinstance(data, dict) else {}
        self.code = self.answer.get("error", "http_error")
        self.message = self.answer.get("message") or self.code
        super().__init__(f"{status} {self.code}: {self.message}")

    def text(self, lang: str) -> str:
        return answer_text({"error": self.code, **self.answer}, lang)


class Http(Protocol):
    async def request(self, method: str, path: str, body: Any = None, token: str | None = None,
                      timeout_ms: int = TIMEOUT_MS) -> Any: ...


class BrowserHttp:
    """fetch() to our own origin. Reports every outcome to `on_reachable` (the wifi icon) at once."""

    def __init__(self, on_reachable: Callable[[bool], None]) -> None:
        self.on_reachable = on_reachable
        # Sent with every bearer call (contract: X-Caja-Pending / X-Caja-Version, shown in the back office).
        self.extra_headers: dict[str, str] = {}

    def _options(self, method: str, body: Any, token: str | None) -> dict[str, Any]:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
            headers.update(self.extra_headers)
        options: dict[str, Any] = {"method": method, "headers": headers, "cache": "no-store"}
        if body is not None:
            headers["Content-Type"] = "application/json"
            options["body"] = json.dumps(body)
        return options

    async def request(self, method: str, path: str, body: Any = None, token: str | None = None,
                      timeout_ms: int = TIMEOUT_MS) -> Any:
        status, text = await self._send(platform.fetch, path, self._options(method, body, token), timeout_ms)
        data = _json_or_none(text)
        if status >= 400:
            raise HttpError(status, data)
        return data

    async def feed_page(self, path: str, token: str, timeout_ms: int = TIMEOUT_MS) -> Any:
        """GET a feed page parsed in JS (platform.JsFeedPage, a FeedPage's interface); errors as `request`'s."""
        status, page = await self._send(platform.fetch_feed_page, path, self._options("GET", None, token), timeout_ms)
        if status >= 400:
            raise HttpError(status, _json_or_none(page))
        return page

    async def _send(self, send: Callable[..., Any], path: str, options: dict[str, Any], timeout_ms: int) -> Any:
        try:
            status, answer = await send(path, options, timeout_ms)
        except Exception as exc:  # noqa: BLE001 - TypeError (network), AbortError/TimeoutError: all mean "not reachable"
            self.on_reachable(False)
            raise NetworkError(str(exc)) from None
        if status >= 500:
            self.on_reachable(False)
            raise NetworkError(f"HTTP {status}")
        self.on_reachable(True)
        return status, answer


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


class FeedPage:
    """One page of /api/catalog or /api/customers: its header (version, next_after, total, count) and its items as
    dicts, as index columns (None here: only a page parsed in JS has them) or as the chunk stored."""

    def __init__(self, data: dict) -> None:
        self._items: list[dict] = data["items"]
        self.version = int(data["version"])
        self.next_after = None if data.get("next_after") is None else int(data["next_after"])
        self.total = int(data["total"])
        self.count = len(self._items)

    def items(self) -> list[dict]:
        return self._items

    def columns(self) -> tuple | None:
        return None

    def chunk(self) -> str:
        return json.dumps(self._items, separators=(",", ":"))


async def feed_page(http: Http, path: str, token: str) -> Any:
    """GET a feed page as a FeedPage: parsed in JS where the client can (BrowserHttp.feed_page), else from
    `request`'s answer."""
    fetch = getattr(http, "feed_page", None)
    if fetch is not None:
        return await fetch(path, token)
    return FeedPage(await http.request("GET", path, token=token))


async def pair(http: Http, code: str, device: str) -> dict:
    """POST /api/pair → {"token", "terminal"}; raises HttpError (pairing_code_invalid) or NetworkError."""
    return await http.request("POST", "/api/pair", {"code": code.strip(), "device": device})
