"""The browser, seen from the POS's Python: the only module that imports `js`, `pyodide` and the JS modules
boot.mjs registers (`caja_idb`, `caja_catalog_cols`).

Why one module: every other layer (screens, services, the store, the network client) then runs in CPython too,
where tests drive them with fakes, and the browser's quirks are handled once — JS `null` arrives in Python as
`JsNull`, not None (`present` turns it into None); a listener needs a proxy that someone must destroy (`listen`
returns the function that destroys it).

In CPython (tests, the build's checks) the browser names are None: importing this module is safe anywhere, calling
what needs the browser is not.

Must not hold app logic, text for the cashier or business rules: only the narrow, typed door to the browser.
"""
from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

try:
    import js  # type: ignore[import-not-found]
    from pyodide.ffi import JsNull, create_proxy, to_js  # type: ignore[import-not-found]
except ImportError:  # CPython: tests and tools import the layers above without a browser
    js = None
    JsNull = type(None)
    create_proxy = to_js = None

try:
    import caja_catalog_cols  # type: ignore[import-not-found]  # web/idb/catalog_cols.js, registered by boot.mjs
    import caja_idb  # type: ignore[import-not-found]  # web/idb/idb.js, registered by boot.mjs
except ImportError:
    caja_idb = caja_catalog_cols = None

IN_BROWSER = js is not None


def present(value: Any) -> Any:
    """`value`, or None when it is missing: JS `null` and `undefined` arrive as JsNull/None, and a JsNull is
    truthy-looking and `is not None`, so a missing element must be turned into None before anyone tests it."""
    if value is None or isinstance(value, JsNull):
        return None
    return value


# ---------- the document ----------
def document() -> Any:
    return js.document


def window() -> Any:
    return js.window


def by_id(element_id: str) -> Any:
    """The element with this id, or None (never JsNull)."""
    return present(js.document.getElementById(element_id))


def listen(target: Any, event: str, handler: Callable[[Any], Any], capture: bool = False) -> Callable[[], None]:
    """Add an event listener through a proxy; returns the function that removes it AND destroys the proxy
    (a proxy left alive keeps the handler, and the screen it closes over, alive for the page's life)."""
    proxy = create_proxy(handler)
    target.addEventListener(event, proxy, capture)
    _count_proxies(+1)

    def remove() -> None:
        target.removeEventListener(event, proxy, capture)
        proxy.destroy()
        _count_proxies(-1)

    return remove


def js_function(fn: Callable[..., None]) -> Any:
    """`fn` as a function JavaScript may call, kept for the page's lifetime: made once by its owner, never one per
    call (outside a browser: `fn` itself)."""
    return fn if create_proxy is None else create_proxy(fn)


_live_proxies = [0]  # listener proxies alive now


def _count_proxies(delta: int) -> None:
    _live_proxies[0] += delta
    boot = _boot()
    if boot is not None:  # the soak benchmark reads it from the page (globalThis.cajaBoot.live_proxies)
        boot.live_proxies = _live_proxies[0]


def live_proxies() -> int:
    return _live_proxies[0]


def set_lang_attr(code: str) -> None:
    js.document.documentElement.lang = "es-MX" if code == "es" else "en"


def set_root_flag(name: str, value: str) -> None:
    """A `data-*` flag on <html> that tests and the benchmark wait on (pyReady, paired, pyError)."""
    setattr(js.document.documentElement.dataset, name, value)


def print_page() -> None:
    js.window.print()


def is_online() -> bool:
    return bool(js.navigator.onLine)


def is_secure() -> bool:
    """False on plain http at a LAN address: no service worker, so the till cannot open offline."""
    return bool(getattr(js.window, "isSecureContext", True))


# ---------- time ----------
_ZONES: dict[int, timezone] = {}  # by UTC offset in minutes: a sale's click makes no new one


def now() -> datetime:
    """Device time with the browser's UTC offset (Pyodide's own clock has no time zone)."""
    offset = -int(js.Date.new().getTimezoneOffset())
    zone = _ZONES.get(offset)
    if zone is None:
        zone = _ZONES[offset] = timezone(timedelta(minutes=offset))
    return datetime.now(zone).replace(microsecond=0)


def perf_now() -> float:
    """Milliseconds on the page's monotonic clock."""
    return float(js.performance.now())


# ---------- boot figures (boot.mjs's globalThis.cajaBoot) ----------
def _boot() -> Any:
    return present(getattr(js, "cajaBoot", None)) if IN_BROWSER else None


def mark(name: str) -> None:
    boot = _boot()
    if boot is not None:
        setattr(boot.marks, name, int(js.performance.now() - boot.start))


def note_pyscript_origin() -> None:
    """cajaBoot.pyscriptFrom: "app zip" when PyScript's package was imported as the app zip's bytecode, "source" when
    PyScript's own sources were compiled (the zip was not first on sys.path: boot.mjs); unset without PyScript
    (`?boot=plain`). For the boot tests and the bench: the slower open would otherwise go unnoticed."""
    boot = _boot()
    module = sys.modules.get("pyscript")
    if boot is not None and module is not None:
        boot.pyscriptFrom = "app zip" if str(getattr(module, "__file__", "")).startswith("/app/app.zip/") else "source"


def boot_info() -> tuple[dict, dict]:
    """(marks, manifest) of this boot, as plain dicts ({} when unknown)."""
    boot = _boot()
    if boot is None:
        return {}, {}
    marks = present(getattr(boot, "marks", None))
    manifest = present(getattr(boot, "manifest", None))
    as_dict = js.JSON.stringify
    return (json.loads(str(as_dict(marks))) if marks is not None else {},
            json.loads(str(as_dict(manifest))) if manifest is not None else {})


def app_version() -> str | None:
    return boot_info()[1].get("app_version") or None


# ---------- network ----------
async def fetch(path: str, options: dict[str, Any], timeout_ms: int) -> tuple[int, str]:
    """fetch() to our own origin: (status, body text); raises on a network error or the timeout."""
    options = {**options, "signal": js.AbortSignal.timeout(timeout_ms)}
    response = await js.fetch(path, to_js(options, dict_converter=js.Object.fromEntries))
    text = await response.text()
    return int(response.status), str(text)


def broadcast_channel(name: str, on_message: Callable[[], Any]) -> Callable[[str], None] | None:
    """A BroadcastChannel to the other tabs: returns its `post`, or None where the browser has none. Kept for the
    page's life (one per page)."""
    if not hasattr(js, "BroadcastChannel"):
        return None
    channel = js.BroadcastChannel.new(name)
    proxy = create_proxy(lambda event: on_message())
    channel.onmessage = proxy
    _keep.append((channel, proxy))
    return channel.postMessage


# The parts of a chunk's index columns as bytes, in CatalogIndex.add_packed's order (catalog_json.js COLUMN_PARTS).
COLUMN_PARTS = ("ids", "active", "codes", "names", "data", "spans")

_keep: list[Any] = []  # page-lifetime objects (the tab channel) that must not be collected


# ---------- the JS modules boot.mjs registered ----------
def idb() -> Any:
    """web/idb/idb.js: the IndexedDB functions storage.py and the outbox wrap (JSON strings in and out)."""
    return caja_idb


async def take_catalog_columns() -> tuple[Callable[[int, int], bytes], list[dict]] | None:
    """The stored catalog as the boot Worker split it (web/idb/catalog_cols.js): (read(start, end) → those bytes
    of its buffer, one dict per chunk: {ids, active, codes, names, data, spans} or {raw}, each a [start, end)
    span), or None when the
    Worker did not run. Read span by span: the whole buffer copied into the wasm heap at once would stay its
    high-water mark."""
    answer = present(await caja_catalog_cols.take())
    if not answer:
        return None
    buffer = answer.buffer

    def read(start: int, end: int) -> bytes:
        return bytes(js.Uint8Array.new(buffer, start, end - start).to_bytes())

    return read, answer.chunks.to_py()


class JsFeedPage:
    """A feed page fetched and parsed in JS (catalog_cols.js fetchPage), with the interface of net/erp.py's
    FeedPage: the header as attributes; the index columns, the dicts or the stored chunk on demand."""

    def __init__(self, page: Any) -> None:
        self._page = page
        self.version = int(page.version)
        after = present(page.next_after)
        self.next_after = None if after is None else int(after)
        self.total = int(page.total)
        self.count = int(page.count)

    def items(self) -> list[dict]:
        return json.loads(str(caja_catalog_cols.pageText(self._page)))  # type: ignore[no-any-return]

    def columns(self) -> tuple | None:
        """The page's index columns as bytes (COLUMN_PARTS: ids, active, codes, names, the page's UTF-8 JSON, each
        product's span in it; CatalogIndex.add_packed's arguments), or None."""
        c = present(caja_catalog_cols.pageColumns(self._page))
        if c is None:
            return None
        return tuple(getattr(c, part).to_bytes() for part in COLUMN_PARTS)

    def chunk(self) -> Any:
        # idb.js chunkAppend stores its chunk without it crossing into Python (nor, most often, into this thread)
        return self._page


async def fetch_feed_page(path: str, options: dict[str, Any], timeout_ms: int) -> tuple[int, JsFeedPage | str]:
    """GET a feed page parsed in JS: (status, the page) when ok, else (status, the body text)."""
    options = {**options, "signal": js.AbortSignal.timeout(timeout_ms)}
    page = await caja_catalog_cols.fetchPage(path, to_js(options, dict_converter=js.Object.fromEntries))
    status = int(page.status)
    if 200 <= status < 300:
        return status, JsFeedPage(page)
    return status, str(page.error)


def has_webcrypto() -> bool:
    """WebCrypto's SubtleCrypto exists only in a secure context (HTTPS or localhost)."""
    crypto = present(getattr(js, "crypto", None)) if IN_BROWSER else None
    return crypto is not None and present(getattr(crypto, "subtle", None)) is not None


# ---------- files ----------
def download_text(name: str, mime: str, text: str) -> None:
    caja_idb.downloadText(name, mime, text)


def console_error(*parts: Any) -> None:
    if IN_BROWSER:
        js.console.error(" ".join(str(p) for p in parts))
    else:
        print(*parts)
