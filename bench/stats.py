"""Small statistics for the benchmark: median and nearest-rank percentiles, rounded for the table.

Must NOT do I/O or time anything itself.
"""
from __future__ import annotations

import math
import statistics
from collections.abc import Sequence


def median(xs: Sequence[float]) -> float | None:
    return float(statistics.median(xs)) if xs else None


def pct(xs: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100)."""
    if not xs:
        return None
    s = sorted(xs)
    k = max(0, min(len(s) - 1, math.ceil(p / 100 * len(s)) - 1))
    return float(s[k])


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


def r(x: float | None, nd: int = 1) -> float | None:
    return None if x is None else round(x, nd)
