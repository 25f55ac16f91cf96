"""Opening the POS: warm reload, offline reload (service worker), after a browser restart and cold first visit,
against a bare Pyodide page (the npm runtime as shipped: loadPyodide + one runPython, bench/pages/bare.mjs) in the
same run; first paint of the shell; the longest main-thread task during the boot; JS heap and wasm memory with
the catalog loaded.

What it is for: "interactive" = the POS's own `app_ready` mark (selling screen up with the stored catalog indexed,
or the pairing screen on a cold first visit); "Python ready" = its `python_ready` mark; both in page time from
navigation start, like the bare page's `ready_ms`. Warm = same persistent profile, HTTP cache + service worker +
Code Cache warm, interpreter snapshot stored (one unmeasured visit first); offline = the same with the network
cut after the service worker controls the page; warm plain = warm with `?boot=plain` (the same app without
PyScript, for comparison); restart = the browser closed and opened again on the same profile before each visit
(online); cold = a fresh profile per run (no snapshot yet: a first visit). `snapshot_used` / `snapshot_app` count
the visits that restored a snapshot / one with the app already imported (cajaBoot.snapshotKind); `marks_ms` the
median page time of every boot mark (manifest, snapshot_read, runtime_linked, python_ready, …).
What it must NOT do: compare figures from different runs, count the unmeasured warm-up visit, or leave the
context offline.
"""
from __future__ import annotations

from typing import Any

from bench import pospage
from bench.browser import Profile, js_heap, long_tasks, wasm_memory_bytes
from bench.stats import median, ratio


def _pos_visit(page: Any, url: str, sell: bool, query: str = "") -> dict[str, Any]:
    page.goto(url + "/pos/" + query)
    (pospage.wait_sell if sell else pospage.wait_any)(page)
    f = pospage.boot_figures(page)
    f["snapshot"] = page.evaluate("() => globalThis.cajaBoot && cajaBoot.snapshot")
    # "app" (the app imported in the snapshot) or "bare" (it was not: the open imports it, slower)
    f["snapshot_kind"] = page.evaluate("() => (globalThis.cajaBoot && cajaBoot.snapshotKind) || null")
    # "app zip": PyScript's package imported as bytecode (platform.note_pyscript_origin); "source": compiled
    f["pyscript_from"] = page.evaluate("() => (globalThis.cajaBoot && cajaBoot.pyscriptFrom) || null")
    # Every boot mark (web/boot/boot.mjs, app.py) in page time: where the open's time goes, phase by phase.
    f["marks"] = page.evaluate("""() => Object.fromEntries(Object.entries(cajaBoot.marks)
        .map(([k, v]) => [k, Math.round(cajaBoot.start + v)]))""")
    lt = long_tasks(page, 0, f["app_ready_ms"])
    f["longest_task_ms"] = lt["longest_ms"]
    return f


def _bare_visit(page: Any, url: str, mode: str) -> float:
    page.goto(url + "/bench/bare.html" + ("?stdlib=pyc" if mode == "pyc" else ""))
    page.wait_for_function("() => document.documentElement.dataset.ready === '1'", polling=20)
    return float(page.evaluate("() => benchBare.ready_ms"))


def _summary(visits: list[dict[str, Any]]) -> dict[str, Any]:
    keys = ["first_contentful_paint_ms", "python_ready_ms", "app_ready_ms", "longest_task_ms"]
    out: dict[str, Any] = {k: median([v[k] for v in visits if v.get(k) is not None]) for k in keys}
    out["app_ready_ms_runs"] = [v["app_ready_ms"] for v in visits]
    out["longest_task_ms_max"] = max(v["longest_task_ms"] for v in visits)
    names = {k for v in visits for k in v.get("marks", {})}
    out["marks_ms"] = {k: median([v["marks"][k] for v in visits if k in v.get("marks", {})]) for k in sorted(names)}
    out["snapshot_used"] = sum(1 for v in visits if v.get("snapshot") == "used")
    out["snapshot_app"] = sum(1 for v in visits if v.get("snapshot_kind") == "app")
    out["pyscript_bytecode"] = sum(1 for v in visits if v.get("pyscript_from") == "app zip")
    return out


def measure(pw: Any, url: str, loaded: Profile, runs: int, cold_runs: int) -> dict[str, Any]:
    page = loaded.page
    stored = int(page.evaluate("""async () => {
        const chunks = (await (await import('/pos/idb/idb.js')).chunksList('catalog_chunks')).map((c) => JSON.parse(c));
        return chunks.reduce((s, c) => s + c.length, 0);
    }"""))
    # Warm: one unmeasured visit of each page first (HTTP cache, Code Cache, service worker installed), and the
    # interpreter's snapshot stored (web/boot/snapshot.mjs makes it in a Worker a few seconds after a boot without one).
    _pos_visit(page, url, True)
    page.wait_for_function("() => ['stored', 'used'].includes(globalThis.cajaBoot && cajaBoot.snapshot)",
                           timeout=180_000, polling=200)
    warm = [_pos_visit(page, url, True) for _ in range(runs)]
    # The same app booted without PyScript (`?boot=plain`, shell.mjs): what PyScript's own start costs here.
    _pos_visit(page, url, True, "?boot=plain")
    plain = [_pos_visit(page, url, True, "?boot=plain") for _ in range(runs)]
    memory = {"js_heap": js_heap(page), "wasm_memory_bytes": wasm_memory_bytes(page)}
    bare_warm: dict[str, list[float]] = {}
    for mode in ("source", "pyc"):
        _bare_visit(page, url, mode)
        bare_warm[mode] = [_bare_visit(page, url, mode) for _ in range(runs)]
    # Offline: the service worker must control the page before the network goes.
    page.goto(url + "/pos/")
    pospage.wait_sell(page)
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    loaded.context.set_offline(True)
    try:
        offline = [_pos_visit(page, url, True) for _ in range(runs)]
    finally:
        loaded.context.set_offline(False)
    loaded.close()
    # Restart: the browser closed and opened again on the same profile (a till's first open of the day), so
    # nothing of the last visit is in memory: the wasm code comes from the on-disk code cache.
    restart = []
    for _ in range(runs):
        restart.append(_pos_visit(loaded.open(), url, True))
        loaded.close()

    cold: list[dict[str, Any]] = []
    bare_cold: dict[str, list[float]] = {"source": [], "pyc": []}
    for _ in range(cold_runs):
        with Profile(pw) as p:
            cold.append(_pos_visit(p, url, False))
        for mode in ("source", "pyc"):
            with Profile(pw) as p:
                bare_cold[mode].append(_bare_visit(p, url, mode))

    w, o, c, rs, pl = _summary(warm), _summary(offline), _summary(cold), _summary(restart), _summary(plain)
    bw = {m: median(v) for m, v in bare_warm.items()}
    bc = {m: median(v) for m, v in bare_cold.items()}
    return {
        "runs": runs, "cold_runs": cold_runs,
        "warm": {**w, "ratio_to_bare": ratio(w["app_ready_ms"], bw["source"])},
        "offline": {**o, "ratio_to_bare": ratio(o["app_ready_ms"], bw["source"])},
        "restart": {**rs, "ratio_to_bare": ratio(rs["app_ready_ms"], bw["source"])},
        "warm_plain": {**pl, "ratio_to_bare": ratio(pl["app_ready_ms"], bw["source"])},
        "cold": {**c, "python_ready_ratio_to_bare": ratio(c["python_ready_ms"], bc["source"])},
        "bare_warm_ms": bw, "bare_warm_ms_runs": bare_warm,
        "bare_cold_ms": bc, "bare_cold_ms_runs": bare_cold,
        "memory": memory, "products_stored": stored,
    }
