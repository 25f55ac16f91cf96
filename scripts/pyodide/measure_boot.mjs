#!/usr/bin/env node
// Measure, under Node, how long loadPyodide takes from web/vendor with the npm source stdlib and with our
// byte-compiled one (stdLibURL), and how long importing the app's poscore from app-<hash>.zip takes after that.
// Each boot runs in a fresh Node process (no warm JIT or caches shared between runs); prints medians and JSON.
// It is a measurement for the README/bench, never a test: it asserts nothing and must NOT write any file.
//
// Usage: node scripts/pyodide/measure_boot.mjs [runs=5]

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const SELF = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(SELF), "../..");
const VENDOR = path.join(ROOT, "web", "vendor");
const VENDOR_PYODIDE = path.join(VENDOR, "pyodide");

// A rebuild may replace the app zip under us (make reruns the build on every edit): re-read the manifest then.
function readAppZip() {
  for (let attempt = 0; ; attempt++) {
    const manifest = JSON.parse(fs.readFileSync(path.join(VENDOR, "manifest.json"), "utf8"));
    try {
      return [manifest, fs.readFileSync(path.join(VENDOR, manifest.app_zip))];
    } catch (err) {
      if (err.code !== "ENOENT" || attempt >= 5) throw err;
    }
  }
}

async function one(mode) {
  const [manifest, appZip] = readAppZip();
  const { loadPyodide } = await import(pathToFileURL(path.join(VENDOR_PYODIDE, "pyodide.mjs")).href);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const py = await loadPyodide({
    indexURL: `${VENDOR_PYODIDE}/`,
    ...(mode === "pyc" ? { stdLibURL: path.join(VENDOR, manifest.stdlib_zip) } : {}),
  });
  const boot = performance.now() - t0;
  const c1 = process.cpuUsage(c0); // all threads of this process, wasm compile threads included
  py.FS.writeFile("/app.zip", appZip);
  const t1 = performance.now();
  py.runPython(`
import sys, zipfile, importlib
sys.path.insert(0, "/app.zip")
for name in zipfile.ZipFile("/app.zip").namelist():
    if name.startswith("poscore/") and name.endswith(".pyc"):
        importlib.import_module(name[:-4].removesuffix("/__init__").replace("/", "."))
`);
  const app = performance.now() - t1;
  console.log(JSON.stringify({
    mode, boot_ms: Math.round(boot), boot_cpu_ms: Math.round((c1.user + c1.system) / 1000),
    poscore_import_ms: Math.round(app),
  }));
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

if (process.argv[2] === "--one") {
  await one(process.argv[3]);
  process.exit(0);
}
const runs = Number(process.argv[2] ?? 5);
const results = { source: [], pyc: [] };
for (let i = 0; i < runs; i++) {
  for (const mode of ["source", "pyc"]) {
    const out = execFileSync(process.execPath, [SELF, "--one", mode], { encoding: "utf8" });
    results[mode].push(JSON.parse(out.trim().split("\n").pop()));
  }
}
const report = {};
for (const [mode, rs] of Object.entries(results)) {
  report[mode] = {
    runs: rs.length,
    boot_ms_median: median(rs.map((r) => r.boot_ms)),
    boot_ms: rs.map((r) => r.boot_ms),
    boot_cpu_ms_median: median(rs.map((r) => r.boot_cpu_ms)),
    poscore_import_ms_median: median(rs.map((r) => r.poscore_import_ms)),
  };
}
report.stdlib_zip_bytes = fs.statSync(path.join(VENDOR_PYODIDE, "python_stdlib_pyc.zip")).size;
report.source_stdlib_zip_bytes = fs.statSync(path.join(VENDOR_PYODIDE, "python_stdlib.zip")).size;
report.app_zip_bytes = readAppZip()[1].length;
console.log(`loadPyodide under Node, median of ${runs}: source stdlib ${report.source.boot_ms_median} ms ` +
  `(cpu ${report.source.boot_cpu_ms_median} ms), byte-compiled stdlib ${report.pyc.boot_ms_median} ms ` +
  `(cpu ${report.pyc.boot_cpu_ms_median} ms); poscore import from the app zip ` +
  `${report.pyc.poscore_import_ms_median} ms (after the byte-compiled boot)`);
console.log(JSON.stringify(report));
