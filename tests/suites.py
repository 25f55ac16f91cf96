"""Which suites may be left out, and only when asked: a missing Chromium, PostgreSQL or Node fails, never skips.

What it is for: `require(suite, present, what, fix)` called where a suite needs a system program. When the program
is absent the test fails with the exact command that installs it, unless the person running the tests named the
suite in `CAJA_TEST_SKIP` (`browser`, `postgres`, `pyodide`, comma-separated), which skips it, with that reason
in the summary. A suite named there is skipped even when its program is installed: the request is explicit.
What it must not do: skip for any other reason, or guess at a suite from a test's path.
"""
from __future__ import annotations

import os

import pytest

SUITES = ("browser", "postgres", "pyodide")


def requested_skips(env: dict[str, str] | None = None) -> set[str]:
    raw = (os.environ if env is None else env).get("CAJA_TEST_SKIP", "")
    names = {n.strip() for n in raw.split(",") if n.strip()}
    unknown = names - set(SUITES)
    if unknown:
        # A typo must not quietly run (or skip) something else than what was meant.
        raise pytest.UsageError(f"CAJA_TEST_SKIP names unknown suites {sorted(unknown)}; known: {', '.join(SUITES)}")
    return names


def require(suite: str, present: bool, what: str, fix: str) -> None:
    """Skip `suite` if asked to; otherwise fail unless `present`, saying what is missing and how to install it."""
    assert suite in SUITES, suite
    if suite in requested_skips():
        pytest.skip(f"the {suite} suite is left out on request (CAJA_TEST_SKIP)")
    if not present:
        pytest.fail(f"{what} not found: {fix}\n(to leave the {suite} tests out on purpose: CAJA_TEST_SKIP={suite})",
                    pytrace=False)
