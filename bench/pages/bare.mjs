/**
 * Bare Pyodide boot: loadPyodide from /pos/vendor/pyodide/ (the files the POS ships) and one runPython, timed
 * from navigation start. `?stdlib=pyc` adds `stdLibURL` (the byte-compiled stdlib named by vendor/manifest.json).
 *
 * Must NOT load anything else (no PyScript, no app zip, no packages): it is the reference the POS is compared to.
 */
import { loadPyodide } from "/pos/vendor/pyodide/pyodide.mjs";

const params = new URLSearchParams(location.search);
const t0 = performance.now();
const options = { indexURL: "/pos/vendor/pyodide/" };
if (params.get("stdlib") === "pyc") {
  const manifest = await (await fetch("/pos/vendor/manifest.json", { cache: "no-cache" })).json();
  options.stdLibURL = `/pos/vendor/${manifest.stdlib_zip}`;
}
const py = await loadPyodide(options);
const t1 = performance.now();
const answer = py.runPython("import sys; sum(range(10)) + sys.version_info[0]");
const t2 = performance.now();
globalThis.benchBare = { module_start_ms: t0, loaded_ms: t1, ready_ms: t2, answer };
document.documentElement.dataset.ready = "1";
