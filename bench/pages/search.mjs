/**
 * Search inside Pyodide in this browser: the runtime and app zip the POS ships (byte-compiled stdlib, app zip on
 * sys.path), the catalog fetched from /api/catalog, indexed with poscore's CatalogIndex in slices and then
 * prepared (CatalogIndex.prepare, step by step) as web/caja_pos/app.py does, then every query timed inside Python with
 * time.perf_counter (no JS↔Python crossing in the timed part).
 *
 * Must NOT time anything outside the index calls, nor use another search than poscore's (the POS's own).
 */
import { loadPyodide } from "/pos/vendor/pyodide/pyodide.mjs";

const manifest = await (await fetch("/pos/vendor/manifest.json", { cache: "no-cache" })).json();
const py = await loadPyodide({ indexURL: "/pos/vendor/pyodide/", stdLibURL: `/pos/vendor/${manifest.stdlib_zip}` });
const zip = new Uint8Array(await (await fetch(`/pos/vendor/${manifest.app_zip}`)).arrayBuffer());
py.FS.mkdirTree("/app");
py.FS.writeFile("/app/app.zip", zip);
py.runPython("import sys; sys.path.insert(0, '/app/app.zip')");

const PY = `
import json, time
from poscore.catalog import CatalogIndex

def bench_search(pages_json, queries_json, slice_, limit):
    pages = json.loads(pages_json)
    idx = CatalogIndex()
    t0 = time.perf_counter()
    n = 0
    for items in pages:
        for i in range(0, len(items), slice_):
            idx.add(items[i:i + slice_])
        n += len(items)
    index_ms = (time.perf_counter() - t0) * 1000
    q = json.loads(queries_json)
    codes = q.get("barcode_by_code") or [""]
    t = time.perf_counter()
    idx.by_code(codes[-1])
    pending_ms = (time.perf_counter() - t) * 1000
    # What web/caja_pos/app.py does after a load, one step per main-thread task: merge the code pages, build the search order.
    steps = []
    prep = idx.prepare()
    while True:
        t = time.perf_counter()
        if next(prep, StopIteration) is StopIteration:
            break
        steps.append((time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    idx.search("a", limit=limit)
    first_ms = (time.perf_counter() - t) * 1000
    out = {"products": n, "index_ms": index_ms, "lookup_before_prepare_ms": pending_ms,
           "prepare_ms": sum(steps), "prepare_steps": len(steps), "prepare_longest_step_ms": max(steps, default=0),
           "first_search_ms": first_ms, "times": {}, "hits": {}}
    for kind, queries in q.items():
        ts, hits = [], 0
        for s in queries:
            if kind.endswith("by_code"):
                t = time.perf_counter(); r = idx.by_code(s); ts.append((time.perf_counter() - t) * 1000)
                hits += r is not None
            else:
                t = time.perf_counter(); r = idx.search(s, limit=limit); ts.append((time.perf_counter() - t) * 1000)
                hits += bool(r)
        out["times"][kind] = ts
        out["hits"][kind] = hits
    return json.dumps(out)
`;
py.runPython(PY);
const benchSearchPy = py.globals.get("bench_search");

globalThis.benchSearch = async (token, pageSize, queriesJson, slice, limit) => {
  const pages = [];
  let after = 0;
  for (;;) {
    const r = await fetch(`/api/catalog?since=0&after=${after}&limit=${pageSize}`,
      { headers: { Authorization: `Bearer ${token}` }, cache: "no-store" });
    const data = await r.json();
    pages.push(data.items);
    if (data.next_after === null) break;
    after = data.next_after;
  }
  return JSON.parse(benchSearchPy(JSON.stringify(pages), queriesJson, slice, limit));
};
document.documentElement.dataset.ready = "1";
