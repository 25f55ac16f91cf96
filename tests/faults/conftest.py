"""Fault-injection suite: the e2e fixtures (a real ERP subprocess, persistent Debian
Chromium profiles) reused by import, plus a ledger that counts, per scenario, the sales the cashier made and
how many of them the ERP holds — read from the ERP's own SQLite file, never from the browser's claim — and
prints `faults: N scenarios, M sales, L lost, D duplicated` at the end of the session.

One module per scenario, test_0N_*.py (N = 1..8 for sales, 9 for returns). The plain e2e versions of two of them
stay in tests/e2e (test_sync_tabs.py: two tabs; test_pos_offline.py: a commit refused at its first write); the ones here
inject the fault harder and count.
"""
from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import crashed
from tests.e2e.conftest import Browser, ErpProcess, browser, erp, playwright
from tests.e2e.harness import erp_rows
from tests.faults.ledger import ledger_lines

__all__ = ["browser", "erp", "playwright"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/faults" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


# ---------- the ERP's side, read directly (tests/e2e/harness.erp_rows) ----------
def folio_gaps(erp: ErpProcess) -> dict[str, list[int]]:
    """Per series, the folios missing between 1 and the highest one (must be empty), plus any used twice."""
    out: dict[str, list[int]] = {}
    for series, in erp_rows(erp, "SELECT DISTINCT series FROM sales"):
        folios = [f for f, in erp_rows(erp, "SELECT folio FROM sales WHERE series = ? ORDER BY folio", series)]
        missing = sorted(set(range(1, max(folios) + 1)) - set(folios))
        twice = sorted({f for f in folios if folios.count(f) > 1})
        if missing or twice:
            out[series] = missing + twice
    return out


def half_saved(erp: ErpProcess) -> list[str]:
    """Sales stored without lines or payments, or whose lines/payments do not add up to the total."""
    return [n for n, in erp_rows(erp, """
        SELECT s.number FROM sales s
        WHERE NOT EXISTS (SELECT 1 FROM sale_lines l WHERE l.sale_id = s.id)
           OR NOT EXISTS (SELECT 1 FROM sale_payments p WHERE p.sale_id = s.id)
           OR (SELECT SUM(l.total) FROM sale_lines l WHERE l.sale_id = s.id) != s.total""")]


# ---------- the ledger ----------
@dataclass
class Scenario:
    name: str
    erp: ErpProcess | None = None
    made: list[str] = field(default_factory=list)  # local numbers shown on "Venta guardada"
    in_erp: int = 0
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    counted: bool = False
    crashed: bool = False  # Chromium's renderer crashed in this attempt: rerun, left out of the totals
    # Shift records the till made (ERP table, uuid): shifts, cash_movements, cortes, authorizations.
    records: list[tuple[str, str]] = field(default_factory=list)
    records_lost: list[str] = field(default_factory=list)
    records_duplicated: list[str] = field(default_factory=list)

    def sold(self, number: str) -> str:
        self.made.append(number)
        return number

    def recorded(self, table: str, uuid: str) -> None:
        self.records.append((table, uuid))

    def count(self) -> None:
        """Count in the ERP's database: each number made must be there exactly once (by number and by uuid)."""
        assert self.erp is not None
        self.in_erp, self.lost, self.duplicated = 0, [], []
        for number in self.made:
            rows = erp_rows(self.erp, "SELECT uuid FROM sales WHERE number = ?", number)
            self.in_erp += len(rows)
            if not rows:
                self.lost.append(number)
            elif len(rows) > 1 or len({u for u, in rows}) != len(rows):
                self.duplicated.append(number)
        self.records_lost, self.records_duplicated = [], []
        for table, uuid in self.records:
            n = len(erp_rows(self.erp, f"SELECT id FROM {table} WHERE uuid = ?", uuid))
            if n == 0:
                self.records_lost.append(f"{table}:{uuid}")
            elif n > 1:
                self.records_duplicated.append(f"{table}:{uuid}")
        self.counted = True

    def summary(self) -> dict[str, Any]:
        """What the end-of-session lines need (tests/faults/ledger.py), as plain data a worker can send."""
        return {"name": self.name, "crashed": self.crashed, "made": len(self.made), "in_erp": self.in_erp,
                "lost": len(self.lost), "duplicated": len(self.duplicated), "records": len(self.records),
                "records_lost": len(self.records_lost), "records_duplicated": len(self.records_duplicated)}

    def assert_exactly_once(self) -> None:
        self.count()
        assert len(set(self.made)) == len(self.made), f"a local number was shown twice: {self.made}"
        assert self.lost == [], f"lost: {self.lost}"
        assert self.duplicated == [], f"duplicated: {self.duplicated}"
        assert self.in_erp == len(self.made)
        assert len(set(self.records)) == len(self.records), f"a shift record was made twice: {self.records}"
        assert self.records_lost == [], f"shift records lost: {self.records_lost}"
        assert self.records_duplicated == [], f"shift records duplicated: {self.records_duplicated}"


LEDGER: list[Scenario] = []


@pytest.fixture
def ledger(request: pytest.FixtureRequest, erp: ErpProcess) -> Iterator[Scenario]:
    scenario = Scenario(request.node.module.__name__.rsplit(".", 1)[-1], erp)
    LEDGER.append(scenario)
    yield scenario
    if crashed(request.node):
        scenario.crashed = True
        return
    if not scenario.counted:  # the test failed before counting: count what the ERP holds anyway
        try:
            scenario.count()
        except Exception:  # noqa: BLE001 - the ERP may be down after a failure; the summary says so
            scenario.lost = list(scenario.made)


def pytest_sessionfinish(session: pytest.Session) -> None:
    # Under pytest-xdist this process is a worker with no terminal: its scenarios go to the controller, which
    # prints them with every other worker's (tests/conftest.py pytest_testnodedown).
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["faults_ledger"] = [s.summary() for s in LEDGER]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for line in ledger_lines([s.summary() for s in LEDGER]):
        terminalreporter.write_line(line)


# ---------- killing processes we started, by id ----------
def chromium_pid(profile: Path) -> int:
    """The main Chromium process of a persistent context (the one holding `--user-data-dir=<profile>`)."""
    wanted = f"--user-data-dir={profile}"
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        args = [a.decode(errors="replace") for a in argv]
        if wanted in args and not any(a.startswith("--type=") for a in args):
            return int(entry.name)
    raise AssertionError(f"no Chromium process for {profile}")


def kill_browser(b: Browser) -> None:
    """SIGKILL the browser of a persistent context (a crash, not a clean close) and forget the context."""
    pid = chromium_pid(b.profile)
    os.kill(pid, signal.SIGKILL)
    context, b.context = b.context, None
    with contextlib.suppress(Exception):  # "Target closed" is expected after a kill
        context.close()  # Playwright's side only: the browser is already gone


# ---------- killing the ERP inside a sales batch's transaction ----------
class BatchTrap:
    """Holds the ERP inside the next sales batch's transaction, at a known point, so the test can kill it there.

    `arm()` arms the ERP's `sales_batch` pause point (server/testhooks.py; `caja serve` runs with
    CAJA_TEST_HOOKS, tests/e2e/conftest.py): the next batch with new sales writes everything (folios, sales,
    lines, payments, stock) and then waits, uncommitted, until killed. `wait()` returns what the ERP wrote down
    when it got there ({"pid", "sales"}) once it has, so the kill lands inside the transaction every time, on a
    loaded machine as on an idle one: no freezing and looking, no luck.
    """

    def __init__(self, erp: ErpProcess) -> None:
        self.erp = erp
        self.arm_file = erp.hooks / "sales_batch.arm"
        self.reached = erp.hooks / "sales_batch.reached"

    def arm(self) -> None:
        self.reached.unlink(missing_ok=True)
        self.arm_file.touch()

    def wait(self, timeout_s: float = 240) -> dict[str, Any]:
        """Until the ERP is paused inside the batch (the condition is the file it writes there)."""
        deadline = time.monotonic() + timeout_s
        while not self.reached.exists():
            assert time.monotonic() < deadline, "the till's batch never reached the ERP's pause point"
            assert self.erp.proc is not None and self.erp.proc.poll() is None, "the ERP exited"
            time.sleep(0.05)
        return dict(json.loads(self.reached.read_text()))
