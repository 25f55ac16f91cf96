"""Check the runtime that build_runtime.mjs wrote into web/vendor/ against what the page and its service worker read.

The manifest must name files that exist, its app version must hash today's Python and page shell, the app zip
must hold exactly today's poscore/ and web/*.py sources and PyScript's package (each with an unchecked-hash .pyc
beside it), and every
.pyc must carry the same magic number as the byte-compiled stdlib (Pyodide's, not the host's). Runs in CPython,
reads files only. It must NOT build anything or start Pyodide (build_runtime.mjs already imported the stdlib and
poscore from these zips inside Pyodide, and test_core_in_pyodide boots it).
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from pathlib import Path

import pytest

from tests.suites import require

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
VENDOR = WEB / "vendor"
MANIFEST = VENDOR / "manifest.json"
PYSCRIPT_LIB = ROOT / "var" / "pyscript_lib"

pytestmark = pytest.mark.pyodide


@pytest.fixture(autouse=True)
def _runtime_built() -> None:
    require("pyodide", MANIFEST.exists(), "web/vendor/manifest.json", "run `make setup` (it builds web/vendor)")


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads(MANIFEST.read_text())


def _app_sources() -> dict[str, bytes]:
    # Same selection as build_runtime.mjs: poscore/**/*.py at their package paths, web/**/*.py with web/ as the
    # zip's root (web/caja_pos/app.py is caja_pos/app.py), never web/vendor; and PyScript's `pyscript` package as
    # its bundle writes it (staged by the build in var/pyscript_lib, checked there against the bundle).
    found = {p.relative_to(ROOT).as_posix(): p.read_bytes() for p in (ROOT / "poscore").rglob("*.py")
             if "__pycache__" not in p.parts}
    found |= {p.relative_to(WEB).as_posix(): p.read_bytes() for p in _web_files(r"\.py$")}
    found |= {p.relative_to(PYSCRIPT_LIB).as_posix(): p.read_bytes() for p in PYSCRIPT_LIB.rglob("*.py")}
    return found


def _web_files(pattern: str) -> list[Path]:
    return sorted(p for p in WEB.rglob("*") if p.is_file() and re.search(pattern, p.name)
                  and not {"vendor", "__pycache__"} & set(p.relative_to(WEB).parts))


def _pyc_headers(zf: zipfile.ZipFile) -> dict[str, bytes]:
    return {name: zf.open(name).read(16) for name in zf.namelist() if name.endswith(".pyc")}


def test_manifest_names_the_pinned_runtime(manifest: dict) -> None:
    pins = json.loads((ROOT / "package.json").read_text())["dependencies"]
    assert manifest["pyodide"] == pins["pyodide"]
    assert manifest["pyscript"] == pins["@pyscript/core"]
    assert re.fullmatch(r"[0-9a-f]{12}", manifest["app_version"])
    assert manifest["app_zip"] == f"app-{manifest['app_version']}.zip"
    assert manifest["stdlib_zip"] == "pyodide/python_stdlib_pos.zip"
    assert manifest["stdlib_zip_full"] == "pyodide/python_stdlib_pyc.zip"
    for name in ["pyodide/pyodide.mjs", "pyodide/pyodide.asm.mjs", "pyodide/pyodide.asm.wasm",
                 "pyodide/python_stdlib.zip", "pyodide/pyodide-lock.json", "pyodide/pyodide.js",
                 "pyscript/core.js", "pyscript/core.css", manifest["stdlib_zip"], manifest["stdlib_zip_full"],
                 manifest["app_zip"]]:
        assert (VENDOR / name).is_file(), name
    assert [p.name for p in VENDOR.glob("app-*.zip")] == [manifest["app_zip"]], "stale app zips left behind"
    assert len(list((VENDOR / "wheels").glob("micropip-*.whl"))) == 1


def test_runtime_version_is_the_hash_of_wasm_stdlib_and_pyscript(manifest: dict) -> None:
    digest = hashlib.sha256()
    digest.update((VENDOR / "pyodide" / "pyodide.asm.wasm").read_bytes())
    digest.update(b"\0")
    digest.update((VENDOR / manifest["stdlib_zip"]).read_bytes())
    digest.update(f"\0pyscript {manifest['pyscript']}".encode())
    assert manifest["runtime_version"] == digest.hexdigest()[:12]


# The page's own files the build hashes and the service worker precaches (build_runtime.mjs shellSources).
SHELL_FILES = r"\.(m?js|html|css|json|webmanifest|png)$"


def test_app_version_names_the_python_and_the_page_shell(manifest: dict) -> None:
    # build_runtime.mjs's hash: the service worker keeps one cache per app version, so a change to boot.mjs (or any
    # web/**/*.js, *.mjs, *.html, *.css, *.json, the web app manifest and its icons) alone must make a new version,
    # or offline tills keep the old shell.
    python = sorted(_app_sources().items())
    shell = sorted((f"web/{p.relative_to(WEB).as_posix()}", p.read_bytes()) for p in _web_files(SHELL_FILES))
    assert "web/boot/boot.mjs" in dict(shell) and "web/idb/idb.js" in dict(shell)
    digest = hashlib.sha256(f"pyodide {manifest['pyodide']}\0".encode())
    for name, data in python + shell:
        digest.update(name.encode() + b"\0" + data + b"\0")
    assert manifest["app_version"] == digest.hexdigest()[:12], "web/ changed since the build: run `make setup`"


def test_app_zip_holds_todays_sources_byte_compiled(manifest: dict) -> None:
    sources = _app_sources()
    assert "poscore/__init__.py" in sources and "pyscript/__init__.py" in sources
    with zipfile.ZipFile(VENDOR / manifest["app_zip"]) as zf:
        names = set(zf.namelist())
        assert {n for n in names if n.endswith(".py")} == set(sources), "app zip is stale: run `make setup`"
        for name, data in sources.items():
            assert zf.read(name) == data, f"{name} changed since the app zip was built: run `make setup`"
            assert name[:-3] + ".pyc" in names, name
        headers = _pyc_headers(zf)
    assert len(headers) == len(sources)
    # PEP 552 flags: 0b01 = hash-based, unchecked (zipimport never compares it with the source).
    assert {h[4:8] for h in headers.values()} == {b"\x01\x00\x00\x00"}


def test_every_pyc_has_pyodides_magic(manifest: dict) -> None:
    with zipfile.ZipFile(VENDOR / manifest["stdlib_zip_full"]) as zf:
        stdlib = _pyc_headers(zf)
        sources = [n for n in zf.namelist() if n.endswith(".py")]
    with zipfile.ZipFile(VENDOR / manifest["app_zip"]) as zf:
        app = _pyc_headers(zf)
    assert len(stdlib) > 500
    assert "json/__init__.pyc" in stdlib and "asyncio/__init__.pyc" in stdlib
    stamp = json.loads((VENDOR / "pyodide" / "python_stdlib_pyc.json").read_text())
    assert len(sources) == len(stamp["failed"]), "the stdlib zip keeps .py only for modules that did not compile"
    magics = {h[:4] for h in stdlib.values()} | {h[:4] for h in app.values()}
    assert len(magics) == 1, magics


def test_service_worker_precaches_every_shell_file(manifest: dict) -> None:
    # The build lists the shell from the tree (folders included) and sw.js precaches that list: a file moved into a
    # new folder must still open offline.
    shell = {p.relative_to(WEB).as_posix() for p in _web_files(SHELL_FILES)} - {"sw.js"}
    assert set(manifest["shell"]) == shell
    assert {"boot/shell.mjs", "boot/boot.mjs", "idb/idb.js", "idb/catalog_cols.js", "index.html"} <= shell
    assert "manifest.shell" in (WEB / "sw.js").read_text()


def test_the_pos_stdlib_is_a_cut_of_the_full_one(manifest: dict) -> None:
    # Same modules as the full byte-compiled stdlib but compiled as `python -OO` does (same bytes per module as the
    # -OO zip), stored (the server compresses the whole zip), and without what the till never runs
    # (scripts/pyodide/stdlib_keep.txt's "-" lines).
    with zipfile.ZipFile(VENDOR / manifest["stdlib_zip_full"]) as full, \
            zipfile.ZipFile(VENDOR / "pyodide" / "python_stdlib_pyc_oo.zip") as oo, \
            zipfile.ZipFile(VENDOR / manifest["stdlib_zip"]) as pos:
        names = set(pos.namelist())
        assert names < set(full.namelist())
        assert set(oo.namelist()) == set(full.namelist())
        for info in pos.infolist():
            assert info.compress_type == zipfile.ZIP_STORED, info.filename
            assert pos.read(info) == oo.read(info.filename), info.filename
        assert len(names) < len(full.namelist()) / 2
        # The docstrings are gone from what the till downloads, and only from it (the Pyodide test run keeps them).
        docstring = b"JSON (JavaScript Object Notation)"
        assert docstring in full.read("json/__init__.pyc")
        assert docstring not in pos.read("json/__init__.pyc")
        assert len(pos.read("json/__init__.pyc")) < len(full.read("json/__init__.pyc")) * 0.7
    for needed in ["json/__init__.pyc", "asyncio/__init__.pyc", "decimal.pyc", "zipfile/__init__.pyc",
                   "pyodide/__init__.pyc", "_pyodide/__init__.pyc", "encodings/utf_8.pyc"]:
        assert needed in names, needed
    for never in ["pdb.pyc", "unittest/__init__.pyc", "email/__init__.pyc", "multiprocessing/__init__.pyc"]:
        assert never not in names, never


def test_big_files_have_precompressed_twins_of_the_same_bytes(manifest: dict) -> None:
    import gzip

    import brotli
    for name in ["pyodide/pyodide.asm.wasm", "pyodide/pyodide.asm.mjs", manifest["stdlib_zip"], manifest["app_zip"],
                 "pyscript/core.js"]:
        data = (VENDOR / name).read_bytes()
        assert brotli.decompress((VENDOR / f"{name}.br").read_bytes()) == data, name
        assert gzip.decompress((VENDOR / f"{name}.gz").read_bytes()) == data, name
