"""The browser, PostgreSQL and Pyodide suites fail when their programs are missing; they skip only when asked."""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests import suites

TESTS = Path(__file__).resolve().parent


def test_missing_program_fails_with_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CAJA_TEST_SKIP", raising=False)
    with pytest.raises(pytest.fail.Exception, match=r"apt-get install -y chromium[\s\S]*CAJA_TEST_SKIP=browser"):
        suites.require("browser", False, "/usr/bin/chromium", "apt-get install -y chromium")
    suites.require("browser", True, "/usr/bin/chromium", "apt-get install -y chromium")  # present: runs


def test_a_suite_named_in_caja_test_skip_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAJA_TEST_SKIP", "browser, postgres")
    for present in (False, True):
        with pytest.raises(pytest.skip.Exception, match="on request"):
            suites.require("postgres", present, "initdb", "apt-get install -y postgresql")
    with pytest.raises(pytest.fail.Exception):
        suites.require("pyodide", False, "node", "apt-get install -y nodejs npm")


def test_an_unknown_suite_name_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAJA_TEST_SKIP", "browsers")
    with pytest.raises(pytest.UsageError, match="browsers"):
        suites.require("browser", True, "/usr/bin/chromium", "apt-get install -y chromium")


def test_no_test_skips_on_its_own() -> None:
    """Every skip goes through tests/suites.py: a bare skip is how a green run hid 21 untested browser tests."""
    pattern = re.compile(r"pytest\.skip\(|\.skipif\(|importorskip\(")
    offenders = [f"{p.relative_to(TESTS)}:{n}" for p in TESTS.rglob("*.py")
                 if p.name not in ("suites.py", "test_suites.py")
                 for n, line in enumerate(p.read_text().splitlines(), 1) if pattern.search(line)]
    assert offenders == []


def test_system_deps_script_is_what_make_test_and_ci_run() -> None:
    root = TESTS.parent
    assert "scripts/system_deps.sh" in (root / "Makefile").read_text()
    assert "scripts/system_deps.sh" in (root / ".ci" / "run").read_text()


def test_system_deps_stops_a_non_root_user_with_the_exact_command(tmp_path: Path) -> None:
    """Without root it cannot install: it names the missing package in the apt-get line and fails."""
    script = (TESTS.parent / "scripts" / "system_deps.sh").read_text()
    script = script.replace("/usr/bin/chromium", str(tmp_path / "no-chromium"))  # as on a machine without it
    as_user = ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []
    env = {k: v for k, v in os.environ.items() if k != "CAJA_TEST_SKIP"}

    def run(**extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*as_user, "bash", "-s"], input=script, capture_output=True, text=True, check=False,
                              env={**env, **extra}, timeout=60)

    r = run()
    assert r.returncode == 1
    [apt] = [line for line in r.stderr.splitlines() if "sudo apt-get install -y" in line]
    assert "chromium" in apt.split() and "CAJA_TEST_SKIP=browser" in r.stderr
    r = run(CAJA_TEST_SKIP="browser")
    assert r.returncode == 0, r.stderr  # asked to leave the browser suite out: its packages are not required
