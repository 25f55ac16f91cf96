"""Chromium renderer crashes across the whole suite: named, explained and rerun once, never hidden.

Chromium's renderer has crashed ("Target crashed" / "Page crashed") about once in a few hundred POS boots here,
at random points (a first boot, a click after a sale, a 100k load) and never when repeated on purpose: 0 in 60+
deliberate repeats of the tests it hit, each making an interpreter snapshot. Those tests are then rerun once by
pytest-rerunfailures (`--only-rerun` in pyproject.toml: nothing else is ever rerun); a second crash fails. Every
crash is printed at the end of the run with the lines Chromium wrote to stderr around it (DEBUG=pw:browser, see
tests/e2e/conftest.py), so the cause can be read off a CI log.

Must not: rerun any other failure, or let a crashed attempt count in the faults ledger (tests/faults/conftest.py
leaves it out of the totals and says so).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

CRASH = re.compile(r"(Target|Page) crashed")
# Chromium's stderr lines that say nothing about a crash (no D-Bus in the sandbox, the launcher script's test).
NOISE = re.compile(r"dbus|Failed to connect to the bus|unexpected operator|Fontconfig")
CRASHED = pytest.StashKey[bool]()
CRASHES: list[tuple[str, list[str]]] = []  # (test id, Chromium's last stderr lines)


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
        CRASHES.append((item.nodeid, chromium_lines(report.capstderr)))


def crashed(item: pytest.Item) -> bool:
    """The current attempt of this test ended in a Chromium renderer crash."""
    return item.stash.get(CRASHED, False)


def pytest_runtest_setup(item: pytest.Item) -> None:
    item.stash[CRASHED] = False  # a rerun starts clean


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for nodeid, lines in CRASHES:
        terminalreporter.write_line(f"chromium: renderer crashed in {nodeid}; rerun once "
                                    f"(Chromium's last stderr lines: {len(lines)})")
        for line in lines:
            terminalreporter.write_line(f"  {line[:300]}")
