"""Chromium renderer crashes across the whole suite: named, explained and rerun once, never hidden.

Chromium's renderer crashed ("Target crashed" / "Page crashed") in two CI runs and a bench run. Its crash
dumps showed the cause: its sampling heap profiler walking frame pointers past the end of a JSPI stack Python
ran on; the POS now starts Pyodide without JSPI (web/boot/stack_switching.mjs, proven by
tests/e2e/test_no_jspi.py). Should a renderer crash anyway, a browser test (tests/e2e, tests/faults) is rerun
once by pytest-rerunfailures (its `flaky` mark with `only_rerun`, set below: nothing else is ever rerun); a
second crash fails, and a module with `RERUN_ON_CRASH = False` (test_no_jspi.py) is never rerun. Every crash
is printed at the end of the run with the lines Chromium wrote to stderr around it (DEBUG=pw:browser, see
tests/e2e/conftest.py); its minidump is in ~/.config/chromium/Crash Reports/pending/.

Also here, for every suite: the hypothesis profile (random locally, a fixed seed when CI=true).

Must not: rerun any other failure, or let a crashed attempt count in the faults ledger (tests/faults/conftest.py
leaves it out of the totals and says so).
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import settings

# Hypothesis draws at random on a developer's machine (new inputs each run find new bugs) and from a fixed seed
# in CI (`CI=true`, as CI services and .ci/run set it), so a CI failure is the code's, reproducible, never luck.
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
settings.register_profile("caja", derandomize=IN_CI, database=None if IN_CI else settings.default.database)
settings.load_profile("caja")

CRASH = re.compile(r"(Target|Page) crashed")
# Chromium's stderr lines that say nothing about a crash (no D-Bus in the sandbox, the launcher script's test).
NOISE = re.compile(r"dbus|Failed to connect to the bus|unexpected operator|Fontconfig")
CRASHED = pytest.StashKey[bool]()
CRASHES: list[tuple[str, str, list[str]]] = []  # (test id, "rerun once" | "failed", Chromium's last stderr lines)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        browser_test = "tests/e2e/" in item.nodeid or "tests/faults/" in item.nodeid
        if browser_test and getattr(item.module, "RERUN_ON_CRASH", True):
            item.add_marker(pytest.mark.flaky(reruns=1, only_rerun=[CRASH.pattern]))


def chromium_lines(stderr: str, keep: int = 12) -> list[str]:
    """Chromium's own stderr lines in a test's captured output, without the noise; the last `keep`."""
    lines = [line for line in stderr.splitlines() if "[err]" in line and not NOISE.search(line)]
    return lines[-keep:]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.failed and CRASH.search(str(report.longrepr)):
        item.stash[CRASHED] = True
        marks = [m for m in item.iter_markers("flaky") if m.kwargs.get("only_rerun")]
        attempt = getattr(item, "execution_count", 1)
        what = "rerun once" if marks and attempt <= marks[0].kwargs["reruns"] else "failed"
        CRASHES.append((item.nodeid, what, chromium_lines(report.capstderr)))


def crashed(item: pytest.Item) -> bool:
    """The current attempt of this test ended in a Chromium renderer crash."""
    return item.stash.get(CRASHED, False)


def pytest_runtest_setup(item: pytest.Item) -> None:
    item.stash[CRASHED] = False  # a rerun starts clean


# Under pytest-xdist (`make test` runs two workers) the tests run in worker processes without a terminal: each sends
# its crashes and its fault-suite counts to this process when it ends, and the summary below prints them all.
FAULTS: list[dict[str, Any]] = []  # tests/faults/conftest.py Scenario.summary() of every worker's scenarios


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["crashes"] = CRASHES


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    out = getattr(node, "workeroutput", {})
    CRASHES.extend((nodeid, what, list(lines)) for nodeid, what, lines in out.get("crashes", []))
    FAULTS.extend(out.get("faults_ledger", []))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    from tests.faults.ledger import ledger_lines

    for line in ledger_lines(FAULTS):
        terminalreporter.write_line(line)
    for nodeid, what, lines in CRASHES:
        terminalreporter.write_line(f"chromium: renderer crashed in {nodeid}; {what} "
                                    f"(Chromium's last stderr lines: {len(lines)})")
        for line in lines:
            terminalreporter.write_line(f"  {line[:300]}")
