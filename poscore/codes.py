"""Barcodes and SKUs (upper-cased) → product id, for the catalog's O(1) scan lookup, filled cheaply on a load.

A dict of 200k codes (100k products) costs ~0.1 s of one main-thread task to fill in Pyodide, and so does even
listing each code's owner (a Python object per product): most of a warm open's indexing of codes. So a page of
codes arrives as one joined text (``add_text``, or ``add_columns`` from lists: a few C calls, owners implied by
position), and pages are merged into the dict later, one per step (``merge_one``, from ``CatalogIndex.prepare``).
Until then a lookup searches the pending pages, newest first, with ``str.rfind`` (in C, ~1 ms for 100k codes), so a scan
finds its product from the first moment and the answer is the same as the dict's would be.

Changes to single codes (a product replaced or removed by a refresh) are written as small dicts queued after the
pages (``write``, ``drop``), so they never force the merge of every pending page into the dict: a warm open whose
stored catalog ends with a day's delta chunk would otherwise merge 200k codes at once (~0.1 s) instead of in
``prepare``'s steps.

Must not: hold products or decide which code wins between products (the catalog does, by the order of its
writes: a later write wins, as ``dict.update`` does).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain, repeat

SEP = "\x1f"  # ends each product's barcodes and each SKU in a page's text: no code the fast path keeps contains it
_RS = "\x1e"  # between the barcodes of one product (the same place as SEP in the text searched)

# A pending page: (its codes upper-cased, each product's barcodes then each SKU between SEPs, for rfind; the same
# text with _RS between one product's barcodes, whose SEPs before a place count the product; the product ids).
_Page = tuple[str, str, Sequence[int]]
# Single writes queued after the pages: code -> its new owner, None for no owner, or (pid,) for "no owner if the
# owner was pid" (a product forgetting its codes: a code another product took since stays with that one; deciding
# it at once would search every pending page, ~1 ms each at 100k products).
_Writes = dict[str, int | tuple[int] | None]


def joined(bars: Sequence[list[str]], skus: Sequence[str]) -> str | None:
    """A page's codes as one text (``CodeIndex.add_text``): each product's barcodes joined by _RS, then each SKU,
    all between SEPs; None when a code is not a string or holds a separator (it would read as two codes)."""
    try:
        text = SEP.join(chain(map(_RS.join, bars), skus))
        lens = list(map(len, bars))
    except TypeError:
        return None
    if text.count(SEP) != max(0, len(bars) + len(skus) - 1) or text.count(_RS) != sum(lens) - len(bars) + lens.count(0):
        return None
    return text


class CodeIndex:
    """Upper-cased code → product id: a dict older than every pending page, plus the pending pages."""

    def __init__(self) -> None:
        self._dict: dict[str, int] = {}
        self._pages: list[_Page | _Writes] = []  # oldest first

    def add_columns(self, pids: Sequence[int], bars: Sequence[list[str]], skus: Sequence[str]) -> bool:
        """Keep the codes of a page of products: ``bars[i]`` the barcodes and ``skus[i]`` the SKU of ``pids[i]``,
        written in that order (every barcode, then every SKU: a later one wins); an empty code is no code. Returns
        False, keeping nothing, when a code is not a string or holds a space or a separator: the caller writes those
        into ``merged()`` itself. ``pids`` must not change afterwards (it is kept)."""
        text = joined(bars, skus)
        return text is not None and len(bars) == len(skus) == len(pids) and self.add_text(pids, text)

    def add_text(self, pids: Sequence[int], text: str) -> bool:
        """``add_columns`` with the codes already joined as ``joined`` does (web/idb/catalog_json.js writes them so:
        a page's codes cost Python one string, not a list per product). Whatever the text's separators say is what
        it means: its producer refuses a code holding one. False, keeping nothing, when the text does not have one
        barcode segment and one SKU segment per product, or holds a space."""
        n = len(pids)
        if type(text) is not str or text.count(SEP) != max(0, 2 * n - 1) or " " in text:
            return False
        if n:
            counted = SEP + text.upper() + SEP
            self._pages.append((counted.replace(_RS, SEP), counted, pids))
        return True

    def owner(self, key: str) -> int | None:
        """The product id of this upper-cased code, or None: the latest write wins; never a product for ""."""
        return self._owner(key, len(self._pages))

    def _owner(self, key: str, upto: int) -> int | None:
        """The owner as the dict and the pending pages older than `upto` say."""
        searchable = key and SEP not in key and _RS not in key
        needle = SEP + key + SEP
        for i in range(upto - 1, -1, -1):
            page = self._pages[i]
            if isinstance(page, dict):
                if key in page:
                    got = page[key]
                    if isinstance(got, tuple):  # dropped if it was that product's
                        before = self._owner(key, i)
                        return None if before == got[0] else before
                    return got
                continue
            if not searchable:
                continue
            text, counted, pids = page
            pos = text.rfind(needle)  # the last occurrence: a page's later duplicate wins, as in a dict
            if pos != -1:
                # In the k-th segment (product k's barcodes for k < n, then product k - n's SKU), k being the
                # SEPs up to the match's first character, which is a SEP or, between barcodes, an _RS.
                return pids[(counted.count(SEP, 0, pos + 1) - 1) % len(pids)]
        return self._dict.get(key)

    def write(self, key: str, pid: int) -> None:
        """The code now belongs to `pid` (a later write than every page kept so far)."""
        if not self._pages:
            self._dict[key] = pid
        else:
            self._writes()[key] = pid

    def drop(self, key: str, pid: int) -> None:
        """The code belongs to nobody if it belonged to `pid` (a product forgetting its codes)."""
        if not self._pages:
            if self._dict.get(key) == pid:
                del self._dict[key]
            return
        writes = self._writes()
        if key in writes:  # decided now (rare: one refresh writing a code twice) rather than two conditions stacked
            if self._owner(key, len(self._pages)) == pid:
                writes[key] = None
            return
        writes[key] = (pid,)

    def _writes(self) -> _Writes:
        last = self._pages[-1] if self._pages else None
        if isinstance(last, dict):
            return last
        writes: _Writes = {}
        self._pages.append(writes)
        return writes

    def merge_one(self) -> bool:
        """Merge the oldest pending page into the dict; False when none was pending."""
        if not self._pages:
            return False
        page = self._pages.pop(0)
        if isinstance(page, dict):
            for key, got in page.items():
                if got is None:
                    self._dict.pop(key, None)
                elif isinstance(got, tuple):
                    if self._dict.get(key) == got[0]:
                        del self._dict[key]
                else:
                    self._dict[key] = got
            return True
        _, counted, pids = page
        segments = counted[1:-1].split(SEP)
        n = len(pids)
        # Each product's barcodes (a product without any has one empty segment: one empty code), then each SKU.
        bars = list(map(str.split, segments[:n], repeat(_RS)))
        owners = chain(chain.from_iterable(map(repeat, pids, map(len, bars))), pids)
        self._dict.update(zip(chain(chain.from_iterable(bars), segments[n:]), owners))
        self._dict.pop("", None)  # an empty code is no code: only a page's empty segments can have put it there
        return True

    def merged(self) -> dict[str, int]:
        """The dict with every pending page in it, to be changed in place (later writes must stay later)."""
        while self.merge_one():
            pass
        return self._dict
