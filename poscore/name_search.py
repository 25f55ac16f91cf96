"""Helpers of the catalog's name search over its normalized names: word rarity on a sample of the joined
names, the names in sorted order (at once or in bounded steps), and the walk over names starting with a word.

Sorting 100k names is one ~60–70 ms call in Pyodide: run on the first keystroke after a load, it froze
the till for that long. ``sort_steps`` sorts slices of the slots and merges them a few thousand at a
time, yielding between steps, so the POS can build the order in the background (one step per
main-thread task, ~5–10 ms each at 100k); ``sort_now`` is the same result in one call, for a query
that needs it before the background work is done. Both are stable: equal names keep slot order.

Must not: know about products or their dicts (catalog.py owns the index), keep a reference to the
names it was given, or yield after the last step.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from heapq import merge
from itertools import islice

# Words are counted on _WINDOWS windows of _WINDOW characters spread evenly over the joined names
# (catalogs arrive grouped by category, so the first characters alone said "rare" for a word that fills
# a later category, and its full scan took ~0.8 s; many small windows catch any cluster longer than the
# stride, ~800 names at 100k).
_WINDOWS = 128
_WINDOW = 1 << 11
_STEP = 8000  # slots per sorting step: one sorted slice or one merged stretch, < 10 ms in Pyodide at 100k


def rarest(blob: str, ws: list[str]) -> tuple[int, int, str]:
    """(occurrences in the sample, sample length, word) of the word of ``ws`` rarest in a sample of ``blob``."""
    size = len(blob)
    if size <= _WINDOWS * _WINDOW:
        windows = [(0, size)]
    else:
        step = size // _WINDOWS
        windows = [(k * step, k * step + _WINDOW) for k in range(_WINDOWS)]
    sample = sum(end - start for start, end in windows)
    count, _, word = min((sum(blob.count(w, a, b) for a, b in windows), -len(w), w) for w in ws)
    return count, sample, word


def sort_now(names: list[str]) -> tuple[list[int], list[str]]:
    """(slots of ``names`` sorted by name, the names in that order)."""
    order = sorted(range(len(names)), key=names.__getitem__)
    return order, list(map(names.__getitem__, order))


def sort_steps(names: list[str], order: list[int], ordered: list[str]) -> Iterator[None]:
    """Fill the empty lists ``order`` and ``ordered`` as ``sort_now(names)`` does, yielding after each step.

    ``names`` must not change until the iterator is exhausted; a caller that sees a change stops
    iterating and throws both lists away.
    """
    key = names.__getitem__
    runs = []
    for start in range(0, len(names), _STEP):
        runs.append(sorted(range(start, min(start + _STEP, len(names))), key=key))
        yield
    merged = merge(*runs, key=key)
    while len(order) < len(names):
        stretch = list(islice(merged, _STEP))
        order.extend(stretch)
        ordered.extend(map(key, stretch))
        if len(order) < len(names):
            yield


def prefixed(ordered: list[str], order: list[int], ids: list[int], first: str, ws: list[str], hits: list,
             seen: set, need: int, cap: int) -> None:
    """Rank-1 hits: names starting with ``first`` that hold every word, in name order, up to ``need``.

    A bisect into the sorted names finds them without reading the whole joined string (a failed
    ``find`` of a rare prefix does, ~3 ms at 100k). Gives up after ``cap`` names that lack a word.
    ``ids`` maps a slot to its product id (-1 for a dead slot, whose name is "" and never matches).
    """
    i, end, misses = bisect_left(ordered, first), len(ordered), 0
    while i < end and len(hits) < need and misses <= cap:
        name = ordered[i]
        if not name.startswith(first):
            break
        pid = ids[order[i]]
        if all(w in name for w in ws) and pid not in seen:
            seen.add(pid)
            hits.append((1, name, pid))
        else:
            misses += 1
        i += 1
