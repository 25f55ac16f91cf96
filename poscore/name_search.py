"""Helpers of the catalog's name search over its normalized names: word rarity on a sample of the joined
names, the names in sorted order (at once or in bounded steps), the walk over names starting with a word or
with the typed phrase, the scan of the joined names for a word, and the page a search answers.

Sorting 100k names is one ~60–70 ms call in Pyodide: run on the first keystroke after a load, it froze
the till for that long. ``sort_steps`` sorts slices of the slots and merges them a few thousand at a
time, yielding between steps, so the POS can build the order in the background (one step per
main-thread task, a few ms each at 100k, ≤ ~40 ms on a tablet); ``sort_now`` is the same result in one
call, for a query that needs it before the background work is done. Both are stable: equal names keep
slot order.
The sorted names are also kept joined (``NameOrder``, ≈5 MB at 100k): a prefix walk searches that text
instead of joining what it reads at each keystroke. Walks and scans leapfrog: each word's ``str.find``
jumps to the next name holding it, so a name lacking a word costs no Python step.

Must not: know about products or their dicts (catalog.py owns the index), keep a reference to the
names it was given, or yield after the last step.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from heapq import merge
from itertools import accumulate, islice
from typing import Any, NamedTuple


class SearchPage(NamedTuple):
    """One page of a name search: the products, how many more match, and whether that number is exact
    (otherwise ``more`` is 1 and means "at least one more")."""

    products: list[Any]
    more: int
    exact: bool

# Words are counted on _WINDOWS windows of _WINDOW characters spread evenly over the joined names
# (catalogs arrive grouped by category, so the first characters alone said "rare" for a word that fills
# a later category, and its full scan took ~0.8 s; many small windows catch any cluster longer than the
# stride, ~800 names at 100k).
_WINDOWS = 128
_WINDOW = 1 << 11
_COUNTS_KEPT = 4096  # words whose sample count is kept (WordCounts)
_STEP = 8000  # slots per sorted slice (a C sort: < 10 ms in Pyodide at 100k), or per step of start_steps
# slots per merged stretch: heapq.merge is Python, ≈ 100–130 ms a tablet's task for 8000 of 100k names
_MERGED = 2000


class WordCounts:
    """Word rarity on a sample of the joined names: the sample is cut once per joined string and each word
    counted once (a cashier's every keystroke repeats the words before it, and counting one word on the
    sample is ≈0.2 ms, most of a common 3-word query's estimate). Built anew with the joined names."""

    def __init__(self, blob: str) -> None:
        size = len(blob)
        if size <= _WINDOWS * _WINDOW:
            self.sample, self.length = blob, size
        else:
            step = size // _WINDOWS
            # The windows joined by newlines (no word holds one, so none is counted across two windows).
            self.sample = "\n".join(map(blob.__getitem__, [slice(k * step, k * step + _WINDOW)
                                                              for k in range(_WINDOWS)]))
            self.length = _WINDOWS * _WINDOW
        self._counts: dict[str, int] = {}

    def count(self, word: str) -> int:
        """Occurrences of ``word`` in the sample."""
        found = self._counts.get(word)
        if found is None:
            if len(self._counts) >= _COUNTS_KEPT:  # typed words are unbounded; the sample is not rebuilt daily
                self._counts.clear()
            found = self._counts[word] = self.sample.count(word)
        return found

    def rarest(self, ws: list[str]) -> tuple[int, int, str]:
        """(occurrences in the sample, sample length, word) of the word of ``ws`` rarest in the sample."""
        count, _, word = min((self.count(w), -len(w), w) for w in ws)
        return count, self.length, word


def sort_now(names: list[str]) -> tuple[list[int], list[str]]:
    """(slots of ``names`` sorted by name, the names in that order)."""
    order = sorted(range(len(names)), key=names.__getitem__)
    return order, list(map(names.__getitem__, order))


class NameOrder(NamedTuple):
    """The names in sorted order, for prefix walks: slots by name, the names in that order, and those names
    joined by newlines with where each begins in that text (and a sentinel: one past the last name's end + 1).
    The joined text is what a walk searches with ``str.find``; joining the stretch it needs at every query was
    a third of a common 3-word query."""

    order: list[int]
    ordered: list[str]
    text: str
    starts: array


def name_order(names: list[str]) -> NameOrder:
    """``NameOrder`` of ``names``, at once (``order_steps`` is the same in steps)."""
    order, ordered = sort_now(names)
    starts = array("q")
    for _ in start_steps(ordered, starts):
        pass
    return NameOrder(order, ordered, "\n".join(ordered), starts)


def order_steps(names: list[str], done: list[NameOrder]) -> Iterator[None]:
    """``name_order(names)`` in bounded steps (``sort_steps``, ``start_steps``, then the join), yielding between
    them, as ``sort_steps`` does; the result is appended to the empty ``done``. ``name_order`` sorts at once
    instead (one C sort: a first keystroke before this is done should not pay for heapq.merge)."""
    order: list[int] = []
    ordered: list[str] = []
    yield from sort_steps(names, order, ordered)
    yield
    starts = array("q")
    yield from start_steps(ordered, starts)
    yield
    done.append(NameOrder(order, ordered, "\n".join(ordered), starts))


def start_steps(ordered: list[str], starts: array, at: int = 0) -> Iterator[None]:
    """Fill the empty ``starts`` with where each of ``ordered`` begins in ``"\\n".join(ordered)`` (plus ``at``) and
    a sentinel one past the end + 1, ``_STEP`` names per step, yielding between steps: each offset is a new int
    object, ≈10–25 ms for 100k in CPython, a tablet's 100–200 ms task at once."""
    for k in range(0, len(ordered), _STEP):
        if k:
            yield
        starts.extend(accumulate(map((1).__add__, map(len, ordered[k:k + _STEP])), initial=at))
        at = starts.pop()  # where the next name begins: the first offset of the next step
    starts.append(at)


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
        stretch = list(islice(merged, _MERGED))
        order.extend(stretch)
        ordered.extend(map(key, stretch))
        if len(order) < len(names):
            yield


def prefixed(names: NameOrder, ids: list[int], first: str, ws: list[str], hits: list, seen: set, need: int,
             cap: int, phrase: str | None = None) -> None:
    """Hits of names starting with ``first`` that hold every word, in name order, up to ``need``: rank 0
    when ``first`` is the whole typed phrase (``phrase`` None) or the name starts with ``phrase``, else 1.

    A bisect into the sorted names finds them without reading the whole joined string (a failed
    ``find`` of a rare prefix does, ~3 ms at 100k). Their joined text is searched with ``str.find`` for
    the other words, so only names holding them cost a Python step: a common first word ("refresco")
    starts thousands of names, and testing each in Python was most of a 3-word query. Gives up after
    ``cap`` candidates that lack a word. ``ids`` maps a slot to its product id (-1 for a dead slot,
    whose name is "" and never matches).
    """
    ordered, order, find, starts = names.ordered, names.order, names.text.find, names.starts
    lo = bisect_left(ordered, first)
    # Normalized names are ASCII (text.py): every name starting with ``first`` sorts below first + DEL.
    hi = bisect_left(ordered, first + "\x7f", lo)
    others = [w for w in ws if w not in first]  # words inside ``first`` hold for every name here (none: each is a hit)
    limit = starts[hi] - 1  # where the last name of the range ends: no word is found past it
    k, misses = lo, 0
    while k < hi:
        k, jumps = leapfrog(find, starts, others, k, hi, limit, cap - misses)  # a jump: names lacking a word
        misses += jumps
        if k == -1:
            return
        pid = ids[order[k]]
        if pid not in seen:
            seen.add(pid)
            name = ordered[k]
            hits.append((0 if phrase is None or name.startswith(phrase) else 1, name, pid))
            if len(hits) >= need:
                return
        k += 1


def leapfrog(find: Any, starts: Sequence[int], look: list[str], k: int, hi: int, limit: int,
             budget: int) -> tuple[int, int]:
    """(the first name from ``k`` below ``hi`` that holds every word of ``look``, or -1 when none does or
    after more than ``budget`` jumps; the jumps made), in a text whose name ``j`` begins at ``starts[j]``
    (``find`` is its ``str.find``; no word is looked for past ``limit``).

    Each ``str.find`` from the current name jumps to the next name holding that word, skipping in C
    every name in between, until one name holds them all: "refresco toronja ran" costs a few steps
    per hit, not one per "refresco de naranja" or per "refresco de toronja" of another brand.
    """
    count, agree, i, jumps = len(look), 0, 0, 0
    while agree < count:
        pos = find(look[i], starts[k], limit)
        if pos == -1:
            return -1, jumps
        at = bisect_right(starts, pos, k, hi) - 1
        if at == k:
            agree += 1
        else:
            k, agree = at, 1
            jumps += 1
            if jumps > budget:
                return -1, jumps
        i = (i + 1) % count
    return k, jumps


def scan(blob: str, starts: Sequence[int], names: list[str], ids: list[int], needle: str, ws: list[str], phrase: str,
         hits: list, seen: set, need: int, stop_rank: int | None, cap: int) -> None:
    """Collect (rank, name, id) of names containing ``needle`` and every word of ``ws``, in slot order.

    Stops early once ``need`` hits of rank <= ``stop_rank`` are in (None: never), or, for a very
    common needle, once ``need`` hits of any rank are in and ``cap`` names were passed over.
    The needle and the other words leapfrog (``leapfrog``): "chorizo abuelita paq" steps from
    a name holding one word to the next holding the other, not through each of the ~500 "chorizo".
    """
    first = phrase.split(" ", 1)[0]
    find = blob.find
    # Words inside the needle are implied by the match itself; check only the others.
    look = [needle] + [w for w in ws if w not in needle]
    spaced = [" " + w for w in ws]
    good = 0 if stop_rank is None else sum(1 for h in hits if h[0] <= stop_rank)
    checked, slot, last, end = 0, 0, len(starts) - 1, len(blob)
    while slot < last:
        slot, jumps = leapfrog(find, starts, look, slot, last, end, end)  # no budget: the cap is on hits
        checked += jumps
        if slot == -1:
            return
        pid = ids[slot]
        if pid != -1 and pid not in seen:
            name = names[slot]
            if name.startswith(phrase):
                rank = 0
            elif name.startswith(first):
                rank = 1
            else:
                padded = " " + name
                rank = 2 if all(w in padded for w in spaced) else 3
            seen.add(pid)
            hits.append((rank, name, pid))
            if stop_rank is not None and rank <= stop_rank:
                good += 1
                if good >= need:
                    return
            if stop_rank is not None and checked > cap and len(hits) >= need:
                return
        slot += 1
