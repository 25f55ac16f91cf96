"""The fault suite's end-of-session lines, from each scenario's counts (Scenario.summary in conftest.py).

What it is for: one place that turns the scenarios' counts into the `faults: …` lines, whether the scenarios ran in
this process or in pytest-xdist workers (tests/conftest.py gathers those). Must not count anything itself: the
counts come from the ERP's own database (conftest.py Scenario.count).
"""
from __future__ import annotations

from typing import Any


def ledger_lines(scenarios: list[dict[str, Any]]) -> list[str]:
    """A line per scenario attempt, then the totals over the attempts no renderer crash cut short."""
    if not scenarios:
        return []
    lines = []
    for s in scenarios:
        if s["crashed"]:
            lines.append(f"faults: {s['name']}: Chromium's renderer crashed after {s['made']} sales; this attempt "
                         "is not counted (see the chromium: line)")
            continue
        kept = (f"; {s['records']} shift records, {s['records_lost']} lost, {s['records_duplicated']} duplicated"
                if s["records"] else "")
        lines.append(f"faults: {s['name']}: {s['made']} made, {s['in_erp']} in the ERP, {s['lost']} lost, "
                     f"{s['duplicated']} duplicated{kept}")
    counted = [s for s in scenarios if not s["crashed"]]
    sales = sum(s["made"] for s in counted)
    lost = sum(s["lost"] for s in counted)
    dup = sum(s["duplicated"] for s in counted)
    lines.append(f"faults: {len({s['name'] for s in counted})} scenarios, {sales} sales, {lost} lost, "
                 f"{dup} duplicated")
    records = sum(s["records"] for s in counted)
    if records:
        lines.append(f"faults: {records} shift records, {sum(s['records_lost'] for s in counted)} lost, "
                     f"{sum(s['records_duplicated'] for s in counted)} duplicated")
    return lines
