"""Byte-compile Python sources into a zip that zipimport loads without compiling: runs INSIDE Pyodide.

build_runtime.mjs loads this file into a Pyodide started under Node and calls it twice: once for the standard
library (python_stdlib.zip from the npm package -> python_stdlib_pyc.zip, given to ``loadPyodide({stdLibURL})``)
and once for the app (poscore/ + web/*.py -> app-<hash>.zip, put first on ``sys.path`` by the page). It must run
in Pyodide itself, never in the host CPython: the bytecode and the magic number must be Pyodide's.

Each ``x.py`` becomes ``x.pyc`` at the module path (zipimport looks there, not in ``__pycache__``), with an
unchecked-hash header (PEP 552) so nothing compares it with a source or an mtime at import time. The zip is
deterministic (sorted entries, fixed timestamps; build with PYTHONHASHSEED=0) so the same inputs give the same
bytes and the same version hash. A source that does not compile is kept as source and reported.

It must NOT import anything outside the standard library, touch the network, or know about the page.
"""

from __future__ import annotations

import importlib.util
import json
import marshal
import zipfile
from collections.abc import Iterable
from importlib._bootstrap_external import _code_to_hash_pyc  # type: ignore[attr-defined]

_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold; keeps the output byte-for-byte stable


def _info(name: str, *, stored: bool = False) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_EPOCH)
    info.compress_type = zipfile.ZIP_STORED if stored or name.endswith("/") else zipfile.ZIP_DEFLATED
    info.external_attr = (0o40755 if name.endswith("/") else 0o100644) << 16
    return info


def compile_entries(
    entries: Iterable[tuple[str, bytes]],
    out_path: str,
    *,
    filename_prefix: str,
    keep_source: bool,
    optimize: int = 0,
    stored: bool = False,
) -> dict:
    """Write ``out_path`` from (archive name, bytes) pairs; return counts and the sources that did not compile.

    ``filename_prefix + name`` becomes the code objects' ``co_filename`` (what tracebacks print). ``stored``:
    entries uncompressed, for a zip the server sends brotli- or gzip-compressed as a whole (one stream over all
    the modules compresses far better than each entry deflated alone, and importing skips the inflate).
    """
    files: dict[str, bytes] = {}
    failed: list[str] = []
    compiled = 0
    for name, data in entries:
        if name.endswith("/"):
            continue
        if name.endswith(".py"):
            try:
                code = compile(data, filename_prefix + name, "exec", dont_inherit=True, optimize=optimize)
            except (SyntaxError, ValueError) as exc:
                failed.append(f"{name}: {exc}")
                files[name] = data
                continue
            pyc = _code_to_hash_pyc(code, importlib.util.source_hash(data), checked=False)
            files[name[:-3] + ".pyc"] = bytes(pyc)
            compiled += 1
            if keep_source:
                files[name] = data
        else:
            files[name] = data
    dirs = {name[: i + 1] for name in files for i, ch in enumerate(name) if ch == "/"}
    with zipfile.ZipFile(out_path, "w", compresslevel=9) as zf:
        for name in sorted(dirs | set(files)):
            zf.writestr(_info(name, stored=stored), files.get(name, b""))
    return {"compiled": compiled, "failed": failed, "entries": len(files)}


def compile_zip(src_zip: str, out_path: str, *, filename_prefix: str, keep_source: bool = False,
                optimize: int = 0) -> str:
    """Byte-compile every module of ``src_zip`` (the stdlib zip) into ``out_path``; JSON stats.

    ``optimize=2`` is what ``python -OO`` compiles (asserts and docstrings dropped); the file is still named
    ``x.pyc`` because zipimport looks for nothing else."""
    with zipfile.ZipFile(src_zip) as zf:
        entries = [(info.filename, zf.read(info)) for info in zf.infolist()]
    return json.dumps(compile_entries(entries, out_path, filename_prefix=filename_prefix,
                                      keep_source=keep_source, optimize=optimize))


def compile_tree(names: list[str], src_dir: str, out_path: str, *, filename_prefix: str,
                 keep_source: bool = True, stored: bool = False) -> str:
    """Byte-compile the files ``names`` (relative to ``src_dir``) into ``out_path``; JSON stats."""
    entries = []
    for name in names:
        with open(f"{src_dir}/{name}", "rb") as fh:
            entries.append((name, fh.read()))
    return json.dumps(compile_entries(entries, out_path, filename_prefix=filename_prefix,
                                      keep_source=keep_source, stored=stored))


def check_pycs(zip_path: str) -> str:
    """Every .pyc in the zip carries this interpreter's magic number and unmarshals to code; JSON stats."""
    magic = importlib.util.MAGIC_NUMBER
    bad = []
    count = 0
    with zipfile.ZipFile(zip_path) as zf:
        for name in zf.namelist():
            if not name.endswith(".pyc"):
                continue
            data = zf.read(name)
            count += 1
            if data[:4] != magic or int.from_bytes(data[4:8], "little") != 0b01:
                bad.append(f"{name}: header {data[:8].hex()}")
                continue
            if not hasattr(marshal.loads(data[16:]), "co_code"):
                bad.append(f"{name}: not a code object")
    return json.dumps({"pycs": count, "bad": bad})
