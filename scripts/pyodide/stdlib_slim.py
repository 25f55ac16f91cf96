"""The POS's own standard library: the byte-compiled stdlib cut down to the modules the page can import. Runs
INSIDE Pyodide (build_runtime.mjs loads it next to pyc_zip.py).

Which modules: every stdlib module reachable by an ``import`` statement (at any depth, inside functions too, so
a lazy import on a rare path is kept) from the roots: the app's modules (poscore/, web/**/*.py), PyScript's own
Python package and Pyodide's (``pyodide``, ``_pyodide``, imported by the runtime itself), plus the names listed
in stdlib_keep.txt: modules imported by name at run time (``importlib.import_module``, codecs looked up by name),
which no ``import`` statement shows. That file's ``-name`` lines are modules the till never runs although some
import statement reaches them (debuggers, test runners, servers, mail): not followed, not shipped. ``modulefinder`` follows the imports over the *source* stdlib, so the cut
is decided by what the code says, not by what one boot happened to touch; a boot of the POS on the cut zip
(tests/e2e) checks it.

The full byte-compiled stdlib stays beside it for the Pyodide test run (pytest and hypothesis need much more).
Must NOT byte-compile (pyc_zip.py does), import anything outside the stdlib, or know about the page.
"""

from __future__ import annotations

import json
import zipfile

_ALWAYS = ("pyodide", "_pyodide")  # the runtime's own packages, imported by its JS half


# Kept (a package ships whole) but never importable here, whatever the cut: other platforms, subinterpreters,
# process pools (Pyodide has neither processes nor subinterpreters). import_check() skips them.
NOT_IMPORTABLE = ("asyncio.windows_events", "asyncio.windows_utils", "concurrent.futures.interpreter",
                  "concurrent.futures.process", "concurrent.interpreters")


def import_check(zip_path: str) -> str:
    """Import every module of the cut stdlib (run on a Pyodide booted with it): JSON list of the failures.

    A module the cut keeps but cannot import means a "-" line of stdlib_keep.txt removed something it needs.
    """
    import importlib

    failed = []
    with zipfile.ZipFile(zip_path) as zf:
        names = sorted({_module_of(n) for n in zf.namelist() if n.endswith(".pyc")} - {None})
    for name in names:
        # __main__ modules run a program when imported (asyncio's starts a REPL), "this" prints a poem.
        if name.endswith("__main__") or name in ("this", "antigravity") or any(name == x or name.startswith(x + ".") for x in NOT_IMPORTABLE):
            continue
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - every failure is reported, none stops the check
            failed.append(f"{name}: {type(exc).__name__}: {exc}")
    return json.dumps(failed)


def _module_of(entry: str) -> str | None:
    """``a/b/__init__.pyc`` -> ``a.b``; ``a/b.pyc`` -> ``a.b``; data files and directories -> None."""
    if not entry.endswith((".pyc", ".py")):
        return None
    name = entry.rsplit(".", 1)[0].replace("/", ".")
    return name.removesuffix(".__init__")


def closure(stdlib_dir: str, root_dirs: list[str], root_modules: list[str], whole: set[str],
            excludes: list[str]) -> set[str]:
    """Every stdlib module name the roots (and the whole packages) can import; a module keeps its parents."""
    import modulefinder  # here, not at the top: import_check runs on the cut stdlib, which has no modulefinder

    finder = modulefinder.ModuleFinder(path=[*root_dirs, stdlib_dir], excludes=excludes)
    for name in root_modules:
        finder.import_hook(name)
    for name in sorted(whole):
        finder.import_hook(name)
        package = finder.modules[name]
        if getattr(package, "__path__", None):
            for sub in sorted(finder.find_all_submodules(package)):
                if not _excluded(f"{name}.{sub}", excludes):
                    finder.import_hook(f"{name}.{sub}")
    names = set()
    for name, mod in finder.modules.items():
        file = getattr(mod, "__file__", None) or ""
        paths = getattr(mod, "__path__", None) or []
        if file.startswith(stdlib_dir + "/") or any(p.startswith(stdlib_dir + "/") for p in paths):
            names.add(name)
    return names


def _excluded(module: str, excludes: list[str]) -> bool:
    return any(module == x or module.startswith(x + ".") for x in excludes)


def _wanted(entry: str, modules: set[str], whole: set[str], excludes: list[str]) -> bool:
    module = _module_of(entry)
    if module is None:  # a directory or a data file: kept with the package it lives in
        module = entry.rstrip("/").rsplit("/", 1)[0].replace("/", ".") if "/" in entry.rstrip("/") else ""
        if entry.endswith("/"):
            module = entry.rstrip("/").replace("/", ".")
    if not module:
        return False
    if _excluded(module, excludes):
        return False
    return module in modules or any(module == w or module.startswith(w + ".") for w in whole)


def slim_zip(full_zip: str, out_path: str, modules: set[str], whole: set[str], excludes: list[str]) -> dict:
    """Copy from ``full_zip`` the entries of ``modules`` and of the ``whole`` packages; counts."""
    kept = dropped = 0
    with zipfile.ZipFile(full_zip) as src, zipfile.ZipFile(out_path, "w") as out:
        for info in src.infolist():
            if _wanted(info.filename, modules, whole, excludes):
                # Stored, not deflated: the server sends the whole zip brotli- or gzip-compressed (pyc_zip.py).
                copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                copy.external_attr = info.external_attr
                copy.compress_type = zipfile.ZIP_STORED
                out.writestr(copy, src.read(info))
                kept += 1
            else:
                dropped += 1
    return {"kept": kept, "dropped": dropped}


def build(src_stdlib_zip: str, full_pyc_zip: str, out_path: str, root_dirs: list[str], root_modules: list[str],
          keep: list[str]) -> str:
    """Extract the source stdlib, follow the imports from the roots, write the cut zip; JSON stats and names."""
    stdlib_dir = "/build/stdlib_src"
    with zipfile.ZipFile(src_stdlib_zip) as zf:
        zf.extractall(stdlib_dir)
    excludes = [k[1:] for k in keep if k.startswith("-")]
    whole = {*_ALWAYS, *(k for k in keep if not k.startswith("-"))}
    modules = closure(stdlib_dir, root_dirs, root_modules, whole, excludes)
    stats = slim_zip(full_pyc_zip, out_path, modules, whole, excludes)
    return json.dumps({**stats, "modules": sorted(modules)})
