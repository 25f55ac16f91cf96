#!/usr/bin/env node
// Build the POS browser runtime into the git-ignored web/vendor/ from the pinned npm packages (no CDN, no network):
//   web/vendor/pyodide/            Pyodide core files copied as is (+ their source maps)
//   web/vendor/pyodide/python_stdlib_pyc.zip   the stdlib byte-compiled INSIDE Pyodide (magic number matches),
//                                  unchecked-hash .pyc without the .py (the Pyodide test run boots on it)
//   web/vendor/pyodide/python_stdlib_pos.zip   the same compiled -OO, cut to what the POS imports: the page's stdLibURL
//   web/vendor/pyscript/           @pyscript/core dist/ copied as is
//   web/vendor/wheels/             micropip (optional add-ons only; our own code never goes through micropip)
//   web/vendor/app-<hash>.zip      poscore/ + web/**/*.py byte-compiled inside Pyodide, pyc (and .py) at module paths
//   web/vendor/manifest.json       what the page and its service worker load and precache
// The stdlib zip is rebuilt only when its inputs change (Pyodide's stdlib zip, pyc_zip.py); a normal rebuild after
// an edit of poscore/ or web/**/*.py boots Pyodide once, with the byte-compiled stdlib (which checks it), compiles the
// app, imports poscore from the new zip and writes the manifest.
// It must NOT fetch anything, write outside web/vendor/, or decide anything about how the page boots.
//
// Usage: node scripts/pyodide/build_runtime.mjs [--force]   (--force: rebuild the stdlib zip too)

import { createHash } from "node:crypto";
import fs from "node:fs";
import zlib from "node:zlib";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");
const NM = path.join(ROOT, "node_modules");
const PYODIDE_PKG = path.join(NM, "pyodide");
const PYSCRIPT_PKG = path.join(NM, "@pyscript", "core");
const WHEELS_SRC = path.join(ROOT, "var", "wheels");
const VENDOR = path.join(ROOT, "web", "vendor");
const VENDOR_PYODIDE = path.join(VENDOR, "pyodide");
const STDLIB_PYC = "python_stdlib_pyc.zip";
const STDLIB_STAMP = "python_stdlib_pyc.json";
// The same stdlib compiled as `python -OO` would (no docstrings, no asserts: CPython supports the stdlib under -OO,
// and its own -OO test run keeps it that way): what the POS's cut is taken from. It took the cut's brotli size
// 1.35 → 1.15 MB (a first visit on shop wi-fi downloads it); no module the till imports needs a stdlib docstring.
const STDLIB_PYC_OO = "python_stdlib_pyc_oo.zip";
// The POS's cut of it: only what the app, PyScript and Pyodide import (stdlib_slim.py); the full one stays for tests.
const STDLIB_POS = "python_stdlib_pos.zip";
const PYC_ZIP_PY = path.join(HERE, "pyc_zip.py");
const SLIM_PY = path.join(HERE, "stdlib_slim.py");
const KEEP_TXT = path.join(HERE, "stdlib_keep.txt");
const PYSCRIPT_PY = path.join(NM, "@pyscript", "core", "src", "stdlib", "pyscript");
// PyScript's own Python package as its bundle writes it to the FS before the page's script (src/stdlib/pyscript.js,
// the artifact core.js embeds: minified, so not the .py files above), staged here for the app zip (stagePyscriptLib).
const PYSCRIPT_LIB = path.join(NM, "@pyscript", "core", "src", "stdlib", "pyscript.js");
const PYSCRIPT_STAGED = path.join(ROOT, "var", "pyscript_lib");
// Copied as is; the .map files only spare DevTools a 404.
const CORE_FILES = [
  "pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json", "pyodide.js",
  "pyodide.mjs.map", "pyodide.js.map",
];
const ADDON_WHEELS = [/^micropip-.*\.whl$/];
// Modules every boot needs; the check imports them from the byte-compiled stdlib.
const STDLIB_CHECK = ["asyncio", "json", "decimal", "unicodedata", "zipfile"];

const force = process.argv.includes("--force");
const t0 = performance.now();
const ms = (since) => Math.round(performance.now() - since);
const log = (msg) => console.log(`[build_runtime ${String(ms(t0)).padStart(6)} ms] ${msg}`);
const sha256 = (...parts) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest("hex");
};
const readJSON = (file) => JSON.parse(fs.readFileSync(file, "utf8"));

function die(msg) {
  console.error(`build_runtime: ${msg}`);
  process.exit(1);
}

function writeAtomic(file, data) {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

// Copy only when the bytes differ, so unchanged files keep their mtime (and HTTP validators).
function copyIfChanged(src, dst) {
  const data = fs.readFileSync(src);
  if (fs.existsSync(dst) && fs.statSync(dst).size === data.length && fs.readFileSync(dst).equals(data)) return;
  writeAtomic(dst, data);
}

// Make dst an exact copy of the src directory tree (removes what src no longer has).
function syncDir(src, dst) {
  fs.mkdirSync(dst, { recursive: true });
  const names = new Set(fs.readdirSync(src));
  for (const name of fs.readdirSync(dst)) {
    // A .br/.gz beside a copied file is its precompressed variant (precompress below): kept while the file is.
    if (!names.has(name) && !names.has(name.replace(/\.(br|gz)$/, ""))) {
      fs.rmSync(path.join(dst, name), { recursive: true, force: true });
    }
  }
  for (const name of names) {
    const s = path.join(src, name);
    const d = path.join(dst, name);
    if (fs.statSync(s).isDirectory()) syncDir(s, d);
    else copyIfChanged(s, d);
  }
}

// Files under `dir` (recursively; no vendor/, __pycache__ or dot names) whose name matches `re`, as
// [path relative to dir with "/", absolute path], sorted.
function walkFiles(dir, re) {
  const out = [];
  const walk = (abs, rel) => {
    for (const ent of fs.readdirSync(abs, { withFileTypes: true })) {
      if (ent.name === "__pycache__" || ent.name === "vendor" || ent.name.startsWith(".")) continue;
      const child = path.join(abs, ent.name);
      if (ent.isDirectory()) walk(child, `${rel}${ent.name}/`);
      else if (ent.isFile() && re.test(ent.name)) out.push([`${rel}${ent.name}`, child]);
    }
  };
  if (fs.existsSync(dir)) walk(dir, "");
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

// The page's own static files (web/**/*.js, *.mjs, *.html, *.css, *.json outside vendor/, the web app manifest and
// its PNG icons), as [path under web/, absolute path], sorted: part of the app version, and what the service worker
// precaches as the shell (an installed POS opens offline with its icon).
function shellSources() {
  return walkFiles(path.join(ROOT, "web"), /\.(m?js|html|css|json|webmanifest|png)$/);
}

// PyScript writes its `pyscript` package into the working directory and imports it before every page script, from
// source: ≈130 kB of Python compiled at every open (≈0.25 s of a tablet's open). Byte-compiled into the app zip,
// which is first on sys.path, that import loads bytecode instead. Staged from the artifact, each file checked to be
// the very text the shipped bundle writes, so the bytecode is of the code PyScript would have run.
async function stagePyscriptLib() {
  const lib = (await import(pathToFileURL(PYSCRIPT_LIB).href)).default;
  const dist = path.join(PYSCRIPT_PKG, "dist");
  const bundles = fs.readdirSync(dist).filter((n) => n.endsWith(".js")).map((n) => fs.readFileSync(path.join(dist, n), "utf8"));
  fs.rmSync(PYSCRIPT_STAGED, { recursive: true, force: true });
  let files = 0;
  const write = (dir, tree) => {
    for (const [name, value] of Object.entries(tree)) {
      const target = path.join(dir, name);
      if (typeof value !== "string") {
        write(target, value);
        continue;
      }
      if (!bundles.some((b) => b.includes(JSON.stringify(value)))) die(`${target}: not the text PyScript's bundle writes`);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(target, value);
      files++;
    }
  };
  write(PYSCRIPT_STAGED, lib);
  if (!fs.existsSync(path.join(PYSCRIPT_STAGED, "pyscript", "__init__.py"))) die(`no pyscript package in ${PYSCRIPT_LIB}`);
  log(`PyScript's Python package: ${files} files staged for the app zip`);
}

// poscore/**/*.py, web/**/*.py (not web/vendor) and PyScript's package (staged), as [archive name, absolute path],
// sorted. web/ is the zip's root: web/pos.py is `pos`, web/caja_pos/screens/sell.py is `caja_pos.screens.sell`.
function appSources() {
  const out = [
    ...walkFiles(path.join(ROOT, "poscore"), /\.py$/).map(([rel, abs]) => [`poscore/${rel}`, abs]),
    ...walkFiles(path.join(ROOT, "web"), /\.py$/),
    ...walkFiles(PYSCRIPT_STAGED, /\.py$/),
  ];
  out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const names = new Set();
  for (const [name] of out) {
    if (names.has(name)) die(`two app sources map to ${name} in the app zip`);
    names.add(name);
  }
  return out;
}

// The big files are sent precompressed (server/pos_static.py picks the variant the browser accepts): brotli at its
// best setting and gzip -9 beside each, made once per content (a file whose variants are newer is left alone).
const PRECOMPRESS = /\.(wasm|m?js|json|zip)$/;
function precompress(file) {
  const data = fs.readFileSync(file);
  const mtime = fs.statSync(file).mtimeMs;
  const fresh = (f) => fs.existsSync(f) && fs.statSync(f).mtimeMs >= mtime;
  if (!fresh(`${file}.br`)) {
    writeAtomic(`${file}.br`, zlib.brotliCompressSync(data, { params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_LGWIN]: 24,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length } }));
  }
  if (!fresh(`${file}.gz`)) writeAtomic(`${file}.gz`, zlib.gzipSync(data, { level: 9 }));
}

let loadPyodide;
async function boot(label, stdLibURL, modules = "pyc_zip, stdlib_slim") {
  loadPyodide ??= (await import(pathToFileURL(path.join(VENDOR_PYODIDE, "pyodide.mjs")).href)).loadPyodide;
  const start = performance.now();
  const py = await loadPyodide({
    indexURL: `${VENDOR_PYODIDE}/`,
    ...(stdLibURL ? { stdLibURL } : {}),
    // A fixed hash seed makes marshal's output (frozenset constants) and so the zips reproducible.
    env: { HOME: "/home/pyodide", PYTHONHASHSEED: "0" },
    stdout: (s) => console.log(`  [py] ${s}`),
    stderr: (s) => console.error(`  [py] ${s}`),
  });
  log(`booted Pyodide ${py.version} (${label}) in ${ms(start)} ms`);
  py.FS.mkdirTree("/build");
  py.FS.writeFile("/build/pyc_zip.py", fs.readFileSync(PYC_ZIP_PY));
  py.FS.writeFile("/build/stdlib_slim.py", fs.readFileSync(SLIM_PY));
  py.runPython(`import sys; sys.path.insert(0, '/build'); import ${modules}`);
  return py;
}

// Run Python (vars become globals) and turn a PythonError into its message only (the full error carries
// ~100 KB of minified JS).
function run(py, code, vars = {}) {
  try {
    for (const [name, value] of Object.entries(vars)) py.globals.set(name, py.toPy(value));
    return py.runPython(code);
  } catch (err) {
    die(err?.constructor?.name === "PythonError" ? err.message : String(err?.stack ?? err));
  }
}

async function main() {
  if (!fs.existsSync(path.join(PYODIDE_PKG, "package.json"))) die("node_modules/pyodide is missing: run `npm ci`");
  if (!fs.existsSync(path.join(PYSCRIPT_PKG, "package.json"))) die("node_modules/@pyscript/core is missing: run `npm ci`");
  const pyodideVersion = readJSON(path.join(PYODIDE_PKG, "package.json")).version;
  const pyscriptVersion = readJSON(path.join(PYSCRIPT_PKG, "package.json")).version;

  // 1. Copy the runtime as is.
  fs.mkdirSync(VENDOR_PYODIDE, { recursive: true });
  for (const name of CORE_FILES) copyIfChanged(path.join(PYODIDE_PKG, name), path.join(VENDOR_PYODIDE, name));
  syncDir(path.join(PYSCRIPT_PKG, "dist"), path.join(VENDOR, "pyscript"));
  const wheelsDir = path.join(VENDOR, "wheels");
  fs.mkdirSync(wheelsDir, { recursive: true });
  const wheels = fs.existsSync(WHEELS_SRC) ? fs.readdirSync(WHEELS_SRC) : [];
  for (const re of ADDON_WHEELS) {
    const found = wheels.filter((w) => re.test(w));
    if (found.length !== 1) die(`expected one wheel matching ${re} in var/wheels (run download_wheels.py)`);
    for (const stale of fs.readdirSync(wheelsDir).filter((w) => re.test(w) && w !== found[0])) {
      fs.rmSync(path.join(wheelsDir, stale));
    }
    copyIfChanged(path.join(WHEELS_SRC, found[0]), path.join(wheelsDir, found[0]));
  }
  log(`copied pyodide ${pyodideVersion}, pyscript ${pyscriptVersion}, add-on wheels`);

  // 2. The byte-compiled stdlib, only when its inputs changed.
  const stdlibZip = path.join(VENDOR_PYODIDE, STDLIB_PYC);
  const stampFile = path.join(VENDOR_PYODIDE, STDLIB_STAMP);
  const stdlibKey = sha256(pyodideVersion, "\0", fs.readFileSync(path.join(PYODIDE_PKG, "python_stdlib.zip")),
    "\0", fs.readFileSync(PYC_ZIP_PY)).slice(0, 16);
  const stamp = fs.existsSync(stampFile) ? readJSON(stampFile) : null;
  const stdlibZipOO = path.join(VENDOR_PYODIDE, STDLIB_PYC_OO);
  const stdlibFresh = force || !fs.existsSync(stdlibZip) || !fs.existsSync(stdlibZipOO) || stamp?.key !== stdlibKey;
  if (stdlibFresh) {
    const py = await boot("source stdlib, to compile it", undefined);
    const start = performance.now();
    const stats = JSON.parse(run(py,
      "pyc_zip.compile_zip('/lib/python314.zip', '/build/stdlib.zip', filename_prefix='/lib/python314.zip/')"));
    // Pyodide's own stdlib zip is named after the Python version; refuse to guess if that ever changes.
    const [maj, min] = run(py, "import sys; list(sys.version_info[:2])").toJs();
    if (`${maj}${min}` !== "314") die(`Python ${maj}.${min}: update the /lib/python314.zip paths in this script`);
    writeAtomic(stdlibZip, py.FS.readFile("/build/stdlib.zip"));
    const statsOO = JSON.parse(run(py, "pyc_zip.compile_zip('/lib/python314.zip', '/build/stdlib_oo.zip', " +
      "filename_prefix='/lib/python314.zip/', optimize=2)"));
    if (statsOO.compiled !== stats.compiled) die(`-OO compiled ${statsOO.compiled} modules, not ${stats.compiled}`);
    writeAtomic(stdlibZipOO, py.FS.readFile("/build/stdlib_oo.zip"));
    log(`compiled it again as -OO: ${(fs.statSync(stdlibZipOO).size / 1e6).toFixed(2)} MB`);
    writeAtomic(stampFile, JSON.stringify({ key: stdlibKey, pyodide: pyodideVersion, ...stats }, null, 2));
    log(`compiled the stdlib: ${stats.compiled} modules, ${stats.failed.length} kept as source ` +
      `(${stats.failed.join("; ") || "none"}), ${(fs.statSync(stdlibZip).size / 1e6).toFixed(2)} MB ` +
      `in ${ms(start)} ms`);
  } else {
    log(`reusing ${STDLIB_PYC} (inputs unchanged)`);
  }

  // 3. One boot on the byte-compiled stdlib: it checks the stdlib, compiles the app and imports it from its zip.
  const py = await boot("byte-compiled stdlib", stdlibZip);
  run(py, `
import sys, importlib.util
for name in ${JSON.stringify(STDLIB_CHECK)}:
    mod = __import__(name)
    origin = mod.__spec__.origin
    if origin not in ("built-in",) and not origin.startswith("/lib/python314.zip/"):
        raise RuntimeError(f"{name} came from {origin}, not the stdlib zip")
    if origin != "built-in" and mod.__loader__.get_source(name) is not None:
        raise RuntimeError(f"{name} was loaded from source; the stdlib zip should hold only .pyc")
import asyncio, decimal, json, unicodedata, zipfile
assert decimal.Decimal("0.1") + decimal.Decimal("0.2") == decimal.Decimal("0.3")
assert unicodedata.normalize("NFD", "é") == "e\\u0301"
assert json.loads(json.dumps({"a": "ñ"})) == {"a": "ñ"}
async def _seven():  # asyncio.run needs JSPI, which Node lacks; step a coroutine by hand instead
    await asyncio.sleep(0)
    return 7
_coro = _seven()
_coro.send(None)
try:
    _coro.send(None)
except StopIteration as stop:
    assert stop.value == 7
else:
    raise AssertionError("coroutine did not finish")
`);
  if (stdlibFresh) {
    const check = JSON.parse(run(py, "pyc_zip.check_pycs('/lib/python314.zip')"));
    if (check.bad.length) die(`bad .pyc in the stdlib zip: ${check.bad.slice(0, 5).join("; ")}`);
    log(`checked ${check.pycs} stdlib .pyc (magic, unchecked-hash header, unmarshal)`);
  }
  log(`stdlib check passed: ${STDLIB_CHECK.join(", ")} import from ${STDLIB_PYC}`);

  await stagePyscriptLib();
  const sources = appSources();
  // The app version names everything the POS ships, its JS/HTML/CSS shell too: the service worker keeps one cache
  // per version, so a change to boot.mjs alone must reach tills that boot offline.
  const appHash = sha256(
    `pyodide ${pyodideVersion}\0`, // the bytecode is Pyodide's: a new Pyodide is a new app zip
    ...[...sources, ...shellSources().map(([rel, abs]) => [`web/${rel}`, abs])]
      .flatMap(([name, abs]) => [name, "\0", fs.readFileSync(abs), "\0"]),
  ).slice(0, 12);
  const appZipName = `app-${appHash}.zip`;
  const appZip = path.join(VENDOR, appZipName);
  py.FS.mkdirTree("/build/app");
  for (const [name, abs] of sources) {
    py.FS.mkdirTree(path.posix.dirname(`/build/app/${name}`));
    py.FS.writeFile(`/build/app/${name}`, fs.readFileSync(abs));
  }
  const appStats = JSON.parse(run(py, "pyc_zip.compile_tree(names, '/build/app', '/build/app.zip', " +
    "filename_prefix=prefix, keep_source=True, stored=True)", { names: sources.map(([n]) => n), prefix: `${appZipName}/` }));
  if (appStats.failed.length) die(`app sources that do not compile in Pyodide:\n  ${appStats.failed.join("\n  ")}`);
  const appCheck = JSON.parse(run(py, "pyc_zip.check_pycs('/build/app.zip')"));
  if (appCheck.bad.length) die(`bad .pyc in the app zip: ${appCheck.bad.join("; ")}`);
  // Import poscore (pure, safe anywhere) from the zip; web modules need the browser, so only their .pyc is checked.
  const poscoreModules = sources.map(([n]) => n).filter((n) => n.startsWith("poscore/"))
    .map((n) => n.slice(0, -3).replace(/\/__init__$/, "").replaceAll("/", "."));
  run(py, `
import importlib, sys
sys.path.insert(0, "/build/app.zip")
for name in modules:
    mod = importlib.import_module(name)
    if not mod.__file__.startswith("/build/app.zip/"):
        raise RuntimeError(f"{name} imported from {mod.__file__}, not the app zip")
`, { modules: poscoreModules });
  // PyScript writes its package into the working directory before the page's script imports it; the page puts the
  // app zip first on sys.path (boot.mjs), so the import must find the zip's bytecode, not those sources.
  run(py, `
import importlib.util, os, sys
os.makedirs("pyscript", exist_ok=True)
with open("pyscript/__init__.py", "w") as f:
    f.write("raise ImportError('compiled from source')")
sys.path[:0] = ["/build/app.zip", ""]  # as boot.mjs leaves it: the zip first, then the working directory
origin = importlib.util.find_spec("pyscript").origin
if not origin.startswith("/build/app.zip/pyscript/"):
    raise RuntimeError(f"pyscript found at {origin}, not in the app zip")
`);
  writeAtomic(appZip, py.FS.readFile("/build/app.zip"));
  log(`app ${appZipName}: ${appStats.compiled} modules, ${(fs.statSync(appZip).size / 1e3).toFixed(1)} kB, ` +
    `${poscoreModules.length} poscore modules import from it`);

  // 3b. The POS's stdlib: the byte-compiled one cut to what the app, PyScript's and Pyodide's packages import.
  py.FS.writeFile("/build/stdlib_src.zip", fs.readFileSync(path.join(PYODIDE_PKG, "python_stdlib.zip")));
  py.FS.writeFile("/build/stdlib_oo.zip", fs.readFileSync(stdlibZipOO));
  py.FS.mkdirTree("/build/pyscript_py/pyscript");
  for (const name of fs.readdirSync(PYSCRIPT_PY).filter((n) => n.endsWith(".py"))) {
    py.FS.writeFile(`/build/pyscript_py/pyscript/${name}`, fs.readFileSync(path.join(PYSCRIPT_PY, name)));
  }
  const keep = fs.readFileSync(KEEP_TXT, "utf8").split("\n").map((l) => l.replace(/#.*/, "").trim()).filter(Boolean);
  const appModules = sources.map(([n]) => n.slice(0, -3).replace(/\/__init__$/, "").replaceAll("/", "."));
  const slim = JSON.parse(run(py, "stdlib_slim.build('/build/stdlib_src.zip', '/build/stdlib_oo.zip', " +
    "'/build/stdlib_pos.zip', ['/build/app', '/build/pyscript_py'], roots, keep)",
    { roots: [...appModules, "pyscript"], keep }));
  const stdlibPos = path.join(VENDOR_PYODIDE, STDLIB_POS);
  const slimBytes = py.FS.readFile("/build/stdlib_pos.zip");
  if (!fs.existsSync(stdlibPos) || !fs.readFileSync(stdlibPos).equals(Buffer.from(slimBytes))) {
    writeAtomic(stdlibPos, slimBytes);
  }
  log(`POS stdlib ${STDLIB_POS}: ${slim.modules.length} modules, ${slim.kept} entries kept, ${slim.dropped} dropped, ` +
    `${(fs.statSync(stdlibPos).size / 1e6).toFixed(2)} MB`);
  // Boot on the cut and import every module it holds: a "-" line that removed something a kept module needs
  // (traceback needs codeop, _strptime calendar, urllib.parse ipaddress) fails the build, not a till.
  const slimPy = await boot("the POS's stdlib, to check it", stdlibPos, "stdlib_slim");
  const broken = JSON.parse(run(slimPy, "stdlib_slim.import_check('/lib/python314.zip')"));
  if (broken.length) die(`modules of ${STDLIB_POS} that do not import on it:\n  ${broken.join("\n  ")}`);
  log(`every module of ${STDLIB_POS} imports on it`);

  // 3c. Precompressed variants of what a first visit downloads, before the manifest names any of it.
  const start3c = performance.now();
  const big = [path.join(VENDOR_PYODIDE, "pyodide.asm.wasm"), path.join(VENDOR_PYODIDE, "pyodide.asm.mjs"),
    path.join(VENDOR_PYODIDE, "pyodide.mjs"), path.join(VENDOR_PYODIDE, "pyodide-lock.json"), stdlibPos, appZip,
    ...walkFiles(path.join(VENDOR, "pyscript"), PRECOMPRESS).map(([, abs]) => abs)];
  for (const file of big) precompress(file);
  log(`precompressed ${big.length} files (.br, .gz) in ${ms(start3c)} ms`);

  // 4. The manifest, last: a page never sees a manifest that names files not yet written.
  // The wasm and the stdlib zip make the runtime; PyScript's version is added so a PyScript upgrade alone also
  // renames the service worker's runtime cache.
  const runtimeVersion = sha256(fs.readFileSync(path.join(VENDOR_PYODIDE, "pyodide.asm.wasm")), "\0",
    fs.readFileSync(stdlibPos), "\0", `pyscript ${pyscriptVersion}`).slice(0, 12);
  const manifest = {
    pyodide: pyodideVersion,
    pyscript: pyscriptVersion,
    app_version: appHash,
    app_zip: appZipName,
    stdlib_zip: `pyodide/${STDLIB_POS}`,
    // What the Pyodide test run boots on (pytest and hypothesis need more of the stdlib than the POS).
    stdlib_zip_full: `pyodide/${STDLIB_PYC}`,
    runtime_version: runtimeVersion,
    // The shell the service worker precaches (paths under web/, as the page asks for them): read from the tree,
    // so a new folder or file is precached without editing sw.js.
    shell: shellSources().map(([rel]) => rel).filter((rel) => rel !== "sw.js"),
  };
  writeAtomic(path.join(VENDOR, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  // Stale app zips go only after the manifest stopped naming them.
  for (const name of fs.readdirSync(VENDOR)) {
    if (/^app-.*\.zip(\.br|\.gz)?$/.test(name) && !name.startsWith(appZipName)) fs.rmSync(path.join(VENDOR, name), { force: true });
  }
  log(`wrote web/vendor/manifest.json ${JSON.stringify(manifest)}`);
}

await main();
process.exit(0); // nothing else to wait for; do not let a lingering handle keep the build alive
