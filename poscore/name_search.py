"""Helpers of the catalog's name search over its normalized names: word rarity on a sample of the joined
names, the names in sorted order (at once or in bounded steps), the walk over names starting with a word or
with the typed phrase, the scan of the joined names for a word, and the page a search answers.

Sorting 100k names is one ~60–70 ms call in Pyodide: run on the first keystroke after a load, it froze
the till for that long. ``sort_steps`` sorts slices of the slots and merges them a few thousand at a
time, yielding between steps, so the POS can build the order in the background (one step per
main-thread task, ~5–10 ms each at 100k); ``sort_now`` is the same result in one call, for a query
that needs it before the background work is done. Both are stable: equal names keep slot order.

Must not: know about products or their dicts (catalog.py owns the index), keep a reference to the
names it was given, or yield after the last step.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
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
_STRETCH = 256  # sorted names read at once by the first step of a prefix walk; each next step reads 4x more
_STEP = 8000  # slots per sorting step: one sorted slice or one merged stretch, < 10 ms in Pyodide at 100k


def rarest(blob: str, ws: list[str]) -> tuple[int, int, str]:
    """(occurrences in the sample, sample length, word) of the word of ``ws`` rarest in a sample of ``blob``."""
    size = len(blob)
    if size <= _WINDOWS * _WINDOW:
        sample, length = blob, size
    else:
        step = size // _WINDOWS
        # The windows joined by newlines (no word holds one, so none is counted across two windows): one
        # count per word instead of one per word and window, a Python step each.
        sample = "\n".join(map(blob.__getitem__, [slice(k * step, k * step + _WINDOW) for k in range(_WINDOWS)]))
        length = _WINDOWS * _WINDOW
    count, _, word = min((sample.count(w), -len(w), w) for w in ws)
    return count, length, word


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
             seen: set, need: int, cap: int, phrase: str | None = None) -> None:
    """Hits of names starting with ``first`` that hold every word, in name order, up to ``need``: rank 0
    when ``first`` is the whole typed phrase (``phrase`` None) or the name starts with ``phrase``, else 1.

    A bisect into the sorted names finds them without reading the whole joined string (a failed
    ``find`` of a rare prefix does, ~3 ms at 100k). The names there are read in growing stretches, each
    joined once and searched with ``str.find`` for the word rarest in it, so only names holding that
    word cost a Python step: a common first word ("refresco") starts thousands of names, and testing
    each in Python was most of a 3-word query. Gives up after ``cap`` candidates that lack a word.
    ``ids`` maps a slot to its product id (-1 for a dead slot, whose name is "" and never matches).
    """
    start = bisect_left(ordered, first)
    # Normalized names are ASCII (text.py): every name starting with ``first`` sorts below first + DEL.
    end = bisect_left(ordered, first + "\x7f", start)
    others = [w for w in ws if w not in first]  # words inside ``first`` hold for every name here
    misses, stretch = 0, _STRETCH
    while start < end and len(hits) < need and misses <= cap:
        stop = min(end, start + stretch)
        stretch *= 4
        names = ordered[start:stop]
        if others:
            misses = _holding(names, start, order, ids, others, hits, seen, need, cap, misses, phrase)
        else:
            for k, name in enumerate(names):
                pid = ids[order[start + k]]
                if pid not in seen:
                    seen.add(pid)
                    hits.append((0 if phrase is None or name.startswith(phrase) else 1, name, pid))
                    if len(hits) >= need:
                        break
        start = stop


def _holding(names: list[str], base: int, order: list[int], ids: list[int], others: list[str], hits: list,
             seen: set, need: int, cap: int, misses: int, phrase: str | None) -> int:
    """prefixed's hits among ``names`` (sorted slots ``base`` on) that hold every word of ``others``;
    returns the misses so far (a jump past names lacking a word counts as one).

    The names are joined once and the words leapfrog: each ``str.find`` from the current name jumps
    to the next name holding that word, skipping in C every name in between, until one name holds
    them all. "refresco toronja ran" then costs a few steps per hit, not one per "refresco de naranja"
    or per "refresco de toronja" of another brand.
    """
    text = "\n".join(names)
    # starts[k]: where names[k] begins in text (C-level: no Python step per name)
    starts = list(accumulate(map((1).__add__, map(len, names)), initial=0))
    # Longest word first (``words`` order), usually the rarest: counting each would read the text again.
    ws, find, k, last = others, text.find, 0, len(names)
    count = len(ws)
    while k < last:
        agree = i = 0
        while agree < count:
            pos = find(ws[i], starts[k])
            if pos == -1:
                return misses
            at = bisect_right(starts, pos) - 1
            if at == k:
                agree += 1
            else:
                k, agree = at, 1
                misses += 1
                if misses > cap:
                    return misses
            i = (i + 1) % count
        name = names[k]
        pid = ids[order[base + k]]
        if pid not in seen:
            seen.add(pid)
            hits.append((0 if phrase is None or name.startswith(phrase) else 1, name, pid))
            if len(hits) >= need:
                break
        k += 1
    return misses


def scan(blob: str, starts: list[int], names: list[str], ids: list[int], needle: str, ws: list[str], phrase: str,
         hits: list, seen: set, need: int, stop_rank: int | None, cap: int) -> None:
    """Collect (rank, name, id) of names containing ``needle`` and every word of ``ws``.

    Stops early once ``need`` hits of rank <= ``stop_rank`` are in (None: never), or, for a very
    common needle, once ``need`` hits of any rank are in and ``cap`` names were checked.
    """
    first = phrase.split(" ", 1)[0]
    find = blob.find
    # Words inside the needle are implied by the match itself; check only the others.
    others = [w for w in ws if w not in needle]
    spaced = [" " + w for w in ws]
    shift = needle[0] == "\n"  # such a needle begins one character before its name
    good = 0 if stop_rank is None else sum(1 for h in hits if h[0] <= stop_rank)
    checked = 0
    pos = find(needle)
    while pos != -1:
        slot = bisect_right(starts, pos + shift) - 1
        # Continue at the newline that ends this name: one hit per product is enough.
        nxt = find(needle, starts[slot + 1] - 1)
        pid = ids[slot]
        name = names[slot]
        checked += 1
        for w in others:
            if w not in name:
                break
        else:
            if pid != -1 and pid not in seen:
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
        pos = nxt
