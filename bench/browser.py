"""Debian Chromium through Playwright for the benchmark: persistent profiles (so the HTTP cache, the service
worker and IndexedDB behave as on a real device), a Long Tasks recorder from the first byte, and memory readings.

What it is for: `Profile(path)` context manager → a persistent context + page with `window.__benchLong` filled by
a PerformanceObserver installed before any page script; `wasm_memory_bytes(page)` sums the
WebAssembly.Memory objects the page instantiated (recorded by the same init script; no page hook needed) and
`wasm_heap_in_use_bytes(page)` asks that runtime's allocator what is live in it (mallinfo); `js_heap(page)` =
Runtime.getHeapUsage.
`EMULATION` (set by the orchestrator for a whole pass) makes every page of every profile a tablet-class device
(CDP Emulation.setCPUThrottlingRate) and/or puts it behind a slow link (CDP Network.emulateNetworkConditions);
both apply to the page's own thread and requests, not to its Workers or its service worker (Chromium's
emulation is per target), so they understate a real tablet.
What it must NOT do: let a request leave 127.0.0.1 (Chromium's background networking is off), use Playwright's
routing (it disables the HTTP cache), or sleep instead of waiting on a condition.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

LONGTASKS = """
(() => {
  window.__benchLong = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__benchLong.push([Math.round(e.startTime), Math.round(e.duration)]);
    }).observe({ type: "longtask", buffered: true });
  } catch (e) {}
  // Remember every WebAssembly.Memory the page instantiates (Pyodide's heap) for the memory figure.
  window.__benchMem = [];
  window.__benchMalloc = null; // the exports of the instance whose allocator has mallinfo (Pyodide's)
  const keep = (r) => {
    const inst = r && (r.instance || r);
    const exports = (inst && inst.exports) || {};
    for (const v of Object.values(exports)) if (v instanceof WebAssembly.Memory) window.__benchMem.push(v);
    if (!window.__benchMalloc && exports.mallinfo && exports.malloc && exports.free) window.__benchMalloc = exports;
    return r;
  };
  for (const name of ["instantiate", "instantiateStreaming"]) {
    const orig = WebAssembly[name];
    if (orig) WebAssembly[name] = function (...args) { return orig.apply(this, args).then(keep); };
  }
})();
"""


# {"cpu": rate} and/or {"net": (download bytes/s, upload bytes/s, latency ms)}; empty = the machine as it is.
EMULATION: dict[str, Any] = {}


def emulate(page: Any) -> Any:
    """Apply EMULATION to the page; returns the CDP session, which must stay open for the emulation to last."""
    if not EMULATION:
        return None
    cdp = page.context.new_cdp_session(page)
    if EMULATION.get("cpu"):
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": EMULATION["cpu"]})
    if EMULATION.get("net"):
        down, up, latency = EMULATION["net"]
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": latency,
                                                      "downloadThroughput": down, "uploadThroughput": up})
    return cdp


class Profile:
    """One device: a Chromium user-data dir kept across launches until `remove()`."""

    def __init__(self, pw: Any, root: Path | None = None) -> None:
        self.pw = pw
        self.dir = Path(tempfile.mkdtemp(prefix="bench-profile-", dir=root))
        self.context: Any = None
        self.page: Any = None
        self.cdp: Any = None

    def open(self) -> Any:
        self.context = self.pw.chromium.launch_persistent_context(
            str(self.dir), executable_path=CHROMIUM, args=ARGS, headless=True, service_workers="allow")
        self.context.add_init_script(LONGTASKS)
        self.page = self.context.pages[0] if self.context.pages else self.context.new_page()
        self.page.set_default_timeout(180_000)
        self.cdp = emulate(self.page)
        return self.page

    def close(self) -> None:
        if self.context is not None:
            self.context.close()
            self.context = None

    def remove(self) -> None:
        self.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> Any:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.remove()


def version(pw: Any) -> str:
    b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
    try:
        return str(b.version)
    finally:
        b.close()


def long_tasks(page: Any, since_ms: float = 0, until_ms: float | None = None) -> dict[str, Any]:
    """Longest task and count of tasks ≥50 ms recorded in [since, until] (page time, ms)."""
    entries = page.evaluate("window.__benchLong || []")
    sel = [d for s, d in entries if s >= since_ms and (until_ms is None or s <= until_ms)]
    return {"longest_ms": max(sel) if sel else 0, "count": len(sel), "total_ms": sum(sel)}


def js_heap(page: Any) -> dict[str, int]:
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("HeapProfiler.collectGarbage")
        h = cdp.send("Runtime.getHeapUsage")
        return {k: int(v) for k, v in h.items()}
    finally:
        cdp.detach()


def wasm_memory_bytes(page: Any) -> int:
    """Sum of the byte lengths of the WebAssembly.Memory objects the page instantiated (Pyodide's heap)."""
    return int(page.evaluate("() => (window.__benchMem || []).reduce((s, m) => s + m.buffer.byteLength, 0)"))


def wasm_heap_in_use_bytes(page: Any) -> int | None:
    """Bytes the wasm allocator has handed out and not freed (mallinfo's uordblks): the live heap of Pyodide's
    interpreter and Python objects (Pyodide has no pymalloc: every object is a malloc), beside the WebAssembly
    memory, which only grows. None when the runtime exports no mallinfo."""
    return page.evaluate("""() => {
      const ex = window.__benchMalloc, mem = (window.__benchMem || [])[0];
      if (!ex || !mem) return null;
      const p = ex.malloc(64);  // struct mallinfo: ten ints, returned through this pointer (wasm32's sret)
      ex.mallinfo(p);
      const inUse = new Uint32Array(mem.buffer, p, 10)[7];
      ex.free(p);
      return inUse;
    }""")


def nav_ms(page: Any, expr: str) -> float:
    """Evaluate an expression that yields a page-time (ms since navigation start)."""
    return float(page.evaluate(expr))


def paint(page: Any) -> dict[str, float | None]:
    return page.evaluate("""() => {
      const out = {first_paint_ms: null, first_contentful_paint_ms: null};
      for (const e of performance.getEntriesByType('paint')) {
        if (e.name === 'first-paint') out.first_paint_ms = Math.round(e.startTime);
        if (e.name === 'first-contentful-paint') out.first_contentful_paint_ms = Math.round(e.startTime);
      }
      return out;
    }""")
