"""poscore may import only the standard library (and itself): no browser, server or third party."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import poscore

FORBIDDEN = {"js", "pyodide", "pyscript", "sqlalchemy", "fastapi", "micropip", "server", "web"}
# Modules that would give poscore I/O, a clock or randomness even though they are stdlib.
NO_IO = {"os", "io", "socket", "subprocess", "threading", "asyncio", "random", "secrets", "time",
         "uuid", "pathlib", "shutil", "tempfile", "urllib", "http", "sqlite3", "json", "logging"}


def _imports(tree: ast.AST) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, 0) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.module or "", node.level))
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__":
            found.append(("__import__", 0))
    return found


def _modules() -> list[Path]:
    files = sorted(Path(poscore.__file__).parent.glob("*.py"))
    assert len(files) > 5
    return files


def test_poscore_imports_only_the_standard_library() -> None:
    bad = []
    for path in _modules():
        for name, level in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if level:  # package-relative: another poscore module
                continue
            top = name.split(".")[0]
            if top == "__import__" or top in FORBIDDEN or top not in sys.stdlib_module_names:
                bad.append(f"{path.name}: {name}")
            elif top in NO_IO:
                bad.append(f"{path.name}: {name} (I/O, clock or randomness)")
            elif top == "poscore":
                bad.append(f"{path.name}: {name} (use a package-relative import)")
    assert bad == []


def test_every_module_says_what_it_is_for_and_what_it_must_not_do() -> None:
    for path in _modules():
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        assert doc, path.name
        assert "must not" in doc.lower() or "cannot do any i/o" in doc.lower(), path.name


def test_package_docstring_says_it_cannot_do_io() -> None:
    assert "cannot do any I/O" in " ".join((poscore.__doc__ or "").split())
