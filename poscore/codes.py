"""Barcodes and SKUs (upper-cased) → product id, for the catalog's O(1) scan lookup, filled cheaply on a load.

A dict of 200k codes (100k products) costs ~0.1 s of one main-thread task to fill in Pyodide, most of a warm
open's indexing. So a page of codes arrives as one joined string plus its owners (``add_page``: a few C calls),
and pages are merged into the dict later, one per step (``merge_one``, from ``CatalogIndex.prepare``). Until then
a lookup searches the pending pages, newest first, with ``str.rfind`` (in C, ~1 ms for 100k codes), so a scan
finds its product from the first moment and the answer is the same as the dict's would be.

Must not: hold products or decide which code wins between products (the catalog does, by the order of its
writes: a later write wins, as ``dict.update`` does).
"""

from __future__ import annotations

SEP = "\x1f"  # joins codes: no barcode or SKU the catalog keeps in a page contains it


class CodeIndex:
    """Upper-cased code → product id: a dict older than every pending page, plus the pending pages."""

    def __init__(self) -> None:
        self._dict: dict[str, int] = {}
        self._pages: list[tuple[str, list[int]]] = []  # (SEP + codes joined by SEP + SEP, owner of each), oldest first

    def add_page(self, joined: str, owners: list[int]) -> None:
        """Codes joined by SEP (already upper-cased, none containing SEP) and the product id of each, in order."""
        if owners:
            self._pages.append((SEP + joined + SEP, owners))

    def owner(self, key: str) -> int | None:
        """The product id of this upper-cased code, or None: the latest write wins."""
        if SEP not in key:
            for joined, owners in reversed(self._pages):
                pos = joined.rfind(SEP + key + SEP)  # the last occurrence: a page's later duplicate wins, as in a dict
                if pos != -1:
                    return owners[joined.count(SEP, 0, pos)]
        return self._dict.get(key)

    def merge_one(self) -> bool:
        """Merge the oldest pending page into the dict; False when none was pending."""
        if not self._pages:
            return False
        joined, owners = self._pages.pop(0)
        self._dict.update(zip(joined[1:-1].split(SEP), owners))
        return True

    def merged(self) -> dict[str, int]:
        """The dict with every pending page in it, to be changed in place (later writes must stay later)."""
        while self.merge_one():
            pass
        return self._dict
