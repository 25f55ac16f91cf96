"""Run tests/core inside real Pyodide under Node (scripts/pyodide/run_tests.mjs) and fail if it fails there.

This proves that poscore, the one home of every business rule, behaves the same in the browser's interpreter
(Pyodide, Python 3.14, byte-compiled stdlib from web/vendor) as in the server's CPython.
It must NOT build the runtime or download wheels (``make setup`` does), nor skip when they are merely stale:
without node or web/vendor it fails saying how to get them (tests/suites.py), unless CAJA_TEST_SKIP=pyodide.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.suites import require

ROOT = Path(__file__).resolve().parents[2]
RUNNER = ROOT / "scripts" / "pyodide" / "run_tests.mjs"
NODE = shutil.which("node")
VENDOR = ROOT / "web" / "vendor"

pytestmark = [
    pytest.mark.pyodide,
    pytest.mark.slow,
]


@pytest.fixture
def _runtime() -> None:
    require("pyodide", NODE is not None, "node", "apt-get install -y nodejs npm")
    require("pyodide", (VENDOR / "manifest.json").exists(), "web/vendor/manifest.json",
            "run `make setup` (it builds web/vendor)")

# pytest's closing line, e.g. "1 failed, 89 passed in 6.18s" or "no tests ran in 0.01s".
_SUMMARY = re.compile(r"^=*\s*(.*\b(?:passed|failed|error|errors|skipped|no tests ran)\b.*? in [\d.]+s.*?)\s*=*$")


def summary_line(output: str) -> str | None:
    """The last pytest summary line in ``output``, without the ``=`` padding."""
    found = [m[1] for line in output.splitlines() if (m := _SUMMARY.match(line.strip()))]
    return found[-1] if found else None


def test_summary_line_is_found() -> None:
    assert summary_line("x\n...\n1 failed, 89 passed in 6.18s\n") == "1 failed, 89 passed in 6.18s"
    assert summary_line("==== 3 passed, 1 skipped in 0.50s ====") == "3 passed, 1 skipped in 0.50s"
    assert summary_line("no tests ran in 0.01s") == "no tests ran in 0.01s"
    assert summary_line("Traceback ...\nRuntimeError: boom") is None


@pytest.mark.usefixtures("_runtime")
def test_core_suite_passes_inside_pyodide() -> None:
    assert NODE is not None
    # A generous guard against a hung runtime, not a timing assertion.
    proc = subprocess.run([NODE, str(RUNNER)], cwd=ROOT, capture_output=True, text=True, timeout=900,
                          check=False)
    summary = summary_line(proc.stdout) or "no pytest summary line"
    # Shown by pytest when the test fails (captured output), and with -s.
    print(proc.stdout[-20000:])
    print(proc.stderr[-5000:])
    assert proc.returncode == 0, (
        f"tests/core inside Pyodide: {summary} (runner exit {proc.returncode}; 1 = failures, 5 = no tests, "
        f"3 = runtime/wheels problem)\n{proc.stderr[-2000:]}"
    )
    assert " passed" in summary, summary
