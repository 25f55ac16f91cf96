"""The POS's layers keep one direction: screens → services → store / network → platform, and nothing imports in
a circle. Like tests/core/test_purity.py for poscore, this reads every web/**/*.py (function-level imports too, where
cycles used to hide) and fails on a wrong-way import, a cycle, or `js`/`pyodide` outside web/caja_pos/platform.py.
"""
from __future__ import annotations

import ast
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "web"

# Which layer may import which (besides itself and poscore / the standard library). The entry and the app wire
# everything; a screen never reaches the store, the network or the browser but through a service or the ui layer.
ALLOWED = {
    "entry": {"app"},
    "app": {"screens", "services", "ui", "store", "net", "platform", "text"},
    "screens": {"services", "ui", "text"},
    "ui": {"platform", "text"},
    "services": {"store", "net", "platform", "text"},
    "net": {"platform"},
    "store": set(),
    "text": set(),
    "platform": set(),
}
BROWSER = {"js", "pyodide", "pyscript", "caja_idb", "caja_catalog_cols"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(WEB).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _layer(module: str) -> str:
    if module == "pos":
        return "entry"
    if module == "storage":
        return "store"
    if module in ("caja_pos.app", "caja_pos.app_catalog"):  # the app's wiring, in two modules
        return "app"
    if module == "caja_pos.platform":
        return "platform"
    parts = module.split(".")
    assert parts[0] == "caja_pos" and len(parts) >= 2, f"{module}: put it in a layer's folder"
    return parts[1]


def _files() -> list[Path]:
    return [p for p in WEB.rglob("*.py") if not {"vendor", "__pycache__"} & set(p.relative_to(WEB).parts)]


def _sources() -> dict[str, Path]:
    """The modules, without the packages' __init__ (which hold only a docstring: see the test below)."""
    return {_module_name(p): p for p in _files() if p.name != "__init__.py"}


def _imports(path: Path, module: str) -> set[str]:
    """Every module named by an import anywhere in the file (top level or inside a function)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{module}: relative import; name the module absolutely"
            base = node.module or ""
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}  # `from caja_pos.ui import dom`
    return found


def _graph() -> dict[str, set[str]]:
    sources = _sources()
    return {name: {m for m in _imports(path, name) if m in sources and m != name} for name, path in sources.items()}


def test_every_module_is_in_a_layer() -> None:
    layers = {name: _layer(name) for name in _sources()}
    assert set(layers.values()) <= set(ALLOWED)
    assert {"pos", "storage", "caja_pos.platform", "caja_pos.app"} <= set(layers)


def test_packages_hold_no_code() -> None:
    # A package's __init__ says what its folder holds; code in it would be imported by every sibling unseen.
    for path in _files():
        if path.name == "__init__.py":
            body = ast.parse(path.read_text()).body
            assert body and ast.get_docstring(ast.Module(body=body, type_ignores=[])), f"{path}: say what it holds"
            assert all(isinstance(n, ast.Expr) or (isinstance(n, ast.ImportFrom) and n.module == "__future__")
                       for n in body), f"{path}: keep code out of __init__"


def test_imports_go_one_way() -> None:
    wrong = []
    for name, deps in _graph().items():
        for dep in deps:
            here, there = _layer(name), _layer(dep)
            if here != there and there not in ALLOWED[here]:
                wrong.append(f"{name} ({here}) imports {dep} ({there})")
    assert not wrong, "wrong-way imports:\n  " + "\n  ".join(sorted(wrong))


def test_no_import_cycles() -> None:
    graph = _graph()
    cycles: list[str] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                cycles.append(" → ".join([*path[path.index(dep):], dep]))
            elif dep not in state:
                visit(dep, [*path, dep])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert not cycles, "import cycles:\n  " + "\n  ".join(cycles)


def test_only_the_platform_touches_the_browser() -> None:
    offenders = {name for name, path in _sources().items()
                 if {m.split(".")[0] for m in _imports(path, name)} & BROWSER}
    assert offenders == {"caja_pos.platform"}


def test_the_checks_would_catch_a_wrong_way_import(tmp_path: Path) -> None:
    # The walker itself: a function-level import is found, and a screen reaching the store is a wrong-way import.
    source = tmp_path / "x.py"
    source.write_text("def f():\n    from storage import Storage\n    import js\n")
    found = _imports(source, "caja_pos.screens.x")
    assert {"storage", "js"} <= found
    assert "store" not in ALLOWED["screens"] and "js" in BROWSER
