#!/usr/bin/env node
// Run pytest INSIDE Pyodide under Node, to prove poscore behaves the same there as in CPython.
// Loads Pyodide from web/vendor/pyodide/ with the byte-compiled stdlib (what the page boots), installs the pinned
// wheels of var/wheels/ with micropip by emfs path (deps=False: nothing is resolved, so nothing is fetched), mounts
// the repository at /proj and runs pytest there; the exit code is pytest's. Python sees only the env given here.
// It must NOT fetch anything, write into the repository (no .pytest_cache, no __pycache__, no .hypothesis), or
// build anything: `make setup` (build_runtime.mjs + download_wheels.py) makes its inputs.
//
// Usage: node scripts/pyodide/run_tests.mjs [pytest args...]
//   default args: tests/core -q -p no:cacheprovider --confcutdir=tests/core
// Exit codes: pytest's (0 passed, 1 failed, 5 no tests, ...); 3 when the runtime or the wheels are missing or
// Pyodide itself failed.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const VENDOR_PYODIDE = path.join(ROOT, "web", "vendor", "pyodide");
const STDLIB_PYC = path.join(VENDOR_PYODIDE, "python_stdlib_pyc.zip");
const WHEELS = path.join(ROOT, "var", "wheels");
// --confcutdir: tests/core is self-contained (its own conftest); a tests/conftest.py written for the browser
// tests (playwright fixtures) must not be imported into Pyodide, which lacks those packages.
const DEFAULT_ARGS = ["tests/core", "-q", "-p", "no:cacheprovider", "--confcutdir=tests/core"];

const t0 = performance.now();
// Wall clock and this process's CPU time: on a loaded machine the wall clock alone says little.
const elapsed = () => {
  const { user, system } = process.cpuUsage();
  return `${((performance.now() - t0) / 1000).toFixed(1)} s, cpu ${((user + system) / 1e6).toFixed(1)} s`;
};
const note = (msg) => process.stderr.write(`[run_tests ${elapsed()}] ${msg}\n`);

function fail(msg) {
  process.stderr.write(`run_tests: ${msg}\n`);
  process.exit(3);
}

// A PythonError's full text drags ~100 KB of minified JS along; its message holds the Python traceback.
const describe = (err) => (err?.constructor?.name === "PythonError" ? err.message : String(err?.stack ?? err));

async function main() {
  for (const file of ["pyodide.mjs", "pyodide.asm.wasm"].map((f) => path.join(VENDOR_PYODIDE, f)).concat(STDLIB_PYC)) {
    if (!fs.existsSync(file)) fail(`${path.relative(ROOT, file)} is missing: run \`make setup\``);
  }
  const wheels = fs.existsSync(WHEELS) ? fs.readdirSync(WHEELS).filter((w) => w.endsWith(".whl")).sort() : [];
  const micropip = wheels.find((w) => w.startsWith("micropip-"));
  if (!micropip || !wheels.some((w) => w.startsWith("pytest-"))) {
    fail("var/wheels has no micropip or pytest wheel: run `make setup` (scripts/pyodide/download_wheels.py)");
  }
  const args = process.argv.length > 2 ? process.argv.slice(2) : DEFAULT_ARGS;

  const { loadPyodide } = await import(pathToFileURL(path.join(VENDOR_PYODIDE, "pyodide.mjs")).href);
  const py = await loadPyodide({
    indexURL: `${VENDOR_PYODIDE}/`,
    stdLibURL: STDLIB_PYC,
    env: {
      HOME: "/home/pyodide",
      // belt and braces beside the tests' own database=None profile: never write .hypothesis into the repo
      HYPOTHESIS_STORAGE_DIRECTORY: "/tmp/hypothesis",
      PYTHONDONTWRITEBYTECODE: "1",
    },
  });
  // Raw byte streams: pytest's output reaches our stdout exactly as written, not re-batched per line.
  const sink = (fd) => ({ write: (buf) => fs.writeSync(fd, buf) });
  py.setStdout(sink(1));
  py.setStderr(sink(2));
  note(`Pyodide ${py.version} up (byte-compiled stdlib)`);

  py.mountNodeFS("/wheels", WHEELS);
  py.mountNodeFS("/proj", ROOT);
  await py.loadPackage(path.join(WHEELS, micropip), {
    messageCallback: () => {},
    errorCallback: (msg) => process.stderr.write(`${msg}\n`),
  });
  const others = wheels.filter((w) => w !== micropip).map((w) => `emfs:/wheels/${w}`);
  py.globals.set("wheel_urls", py.toPy(others));
  await py.runPythonAsync(`
import micropip
await micropip.install(wheel_urls, deps=False)
`);
  note(`installed ${others.length + 1} wheels: ${wheels.map((w) => w.split("-").slice(0, 2).join(" ")).join(", ")}`);

  py.globals.set("pytest_args", py.toPy(args));
  const rc = py.runPython(`
import os, sys
os.chdir("/proj")
sys.path.insert(0, "/proj")
sys.dont_write_bytecode = True
import pytest
int(pytest.main(list(pytest_args)))
`);
  note(`pytest ${args.join(" ")} exited ${rc}`);
  return rc;
}

let code;
try {
  code = await main();
} catch (err) {
  process.stderr.write(`run_tests: ${describe(err)}\n`);
  code = 3;
}
process.exit(code);
