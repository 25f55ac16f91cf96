"""The POS catalog: ``Product`` and ``CatalogIndex`` (code lookup and ranked name search).

The index is built from the contract's PRODUCT dicts, page by page (``add`` per page or slice);
a later dict with the same id replaces the earlier one, and ``active: false`` drops a product out
of search. It has to index 100k products in well under a second and answer in a few ms inside
Pyodide, so it stays lean (see RUNTIME-NOTES: ``str.find`` over one joined string ≈ 2 ms there,
a Python loop over 100k names ≈ 17 ms):

* the raw dicts are kept as they came; a ``Product`` is built only for what is returned. A stored
  catalog may even be indexed from its columns alone (``add_json``: ids, codes and names as joined texts, active),
  each dict kept as its UTF-8 JSON inside the page's bytes and parsed when its product is built: 100k dicts are most of
  the page's memory and of a warm open's cost in Pyodide, and selling needs only a few;
* barcodes and SKUs go in one dict (O(1) lookup), filled a page at a time in the background (codes.py);
* names sit in a list (one slot per product version; a stored catalog's wait as one newline-joined text per page
  until something needs them, ``_unqueue``), kept as received at first and normalized
  (``text.normalize_many``, one C-heavy call per few thousand names) by ``prepare`` in steps, or all at
  once by the first search that comes before (normalizing is most of a page's indexing, and selling
  needs no name until a search); for searching, they sit in one newline-joined string rebuilt lazily on
  the first search after a change (or ahead of it, in steps: ``prepare``). A query counts its words
  on a sample of that string (each word once per string) and scans it with ``str.find`` for the rarest
  word and the others in turn. When even the rarest word is common, it walks the names starting
  with the first word (a bisect into the names sorted and joined once, name_search.py) and then the rest,
  stopping as soon as ``limit`` results are in, so a one-letter query stays cheap too.

Ranking: exact barcode/SKU > name starts with the typed words in order ("refresco de manz" before
every other "refresco …") > name starts with the query's first word > every word starts a word of
the name > every word is somewhere in the name; within a rank, by normalized name (for very common
queries, among the first matches found). ``search_page`` also says whether more match than were
asked for, at the cost of one more result, so the till can offer "Ver más".

Must not: fetch or store the catalog (web/ does), or decide prices (the ERP sends them).
"""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import compress
from operator import itemgetter

from . import name_search
from .codes import CodeIndex, joined
from .kept_json import STRIDE, KeptJson
from .name_search import NameOrder, SearchPage, WordCounts, prefixed, scan
from .product import Product
from .text import normalize, normalize_many, words

__all__ = ["CatalogIndex", "Product", "SearchPage"]  # Product lives in product.py; importing it from here keeps working

_ID, _BARCODES, _SKU, _ACTIVE, _NAME = map(itemgetter, ("id", "barcodes", "sku", "active", "name"))


# Search tuning (word rarity is sampled in name_search.py): when the rarest word is expected in at
# most _FULL_SCAN names every match is ranked exactly, otherwise the scan stops early (after at least
# _SCAN_CAP names once enough results are in).
_FULL_SCAN = 300
_SCAN_CAP = 2000
_NORMALIZE_STEP = 2000  # names normalized per `prepare` step: a few ms in Pyodide, under 20 ms on a tablet


def _code_key(code: str) -> str:
    # SKUs are matched case-insensitively; barcodes are digits, unaffected by upper().
    return code.strip().upper()


CACHE_SIZE = 256  # Products kept built: a few pages of search results, a cart and the products sold most often


class CatalogIndex:
    """Products by id, by barcode/SKU, and a ranked accent-insensitive name search."""

    def __init__(self) -> None:
        # id -> the PRODUCT dict as received, or a handle to its JSON kept in a page (``add_json``)
        self._raw: dict[int, dict | int] = {}
        self._kept = KeptJson()  # add_json's pages, each product a handle in them (kept_json.py)
        # id -> Product, built on demand and bounded: a till scanning a different product in every sale all day
        # would otherwise end up holding a Product for most of the catalog.
        self._cache: dict[int, Product] = {}
        self._codes = CodeIndex()  # upper-cased barcode or SKU -> id (pages merged by `prepare`, see codes.py)
        # id -> its live slot in _names (active products only); None until something needs it (_slots): the open of
        # a stored catalog does not, and 100k dict entries were a tenth of its indexing
        self._slot: dict[int, int] | None = None
        self._names: list[str] = []  # names, normalized up to _fresh and as received after it; dead slots hold ""
        # Names of the slots after _names, not split yet: (a page's names joined by newlines, how many), in order.
        # A stored catalog's open splits none (100k strings were a fifth of its indexing); _normalize does, a page
        # per step, and every other use of _names first takes them all (_unqueue).
        self._queued: deque[tuple[str, int]] = deque()
        self._fresh = 0  # normalizing a name twice changes nothing: names normalized at once may follow _fresh
        self._ids: list[int] = []  # slot -> product id (-1 when dead)
        self._dead = 0
        self._blob: str | None = None  # "\n" + "\n".join(_names) + "\n", built lazily
        self._starts: array = array("q")  # blob offset where each slot's name starts, and where the blob ends
        self._counts: WordCounts | None = None  # word rarity on a sample of _blob, built with it
        self._order: NameOrder | None = None  # the names sorted (None until built, see prepare)
        self._version = 0  # bumped on every change of the names: a background `prepare` then gives up

    def __len__(self) -> int:
        """Number of products known (active or not)."""
        return len(self._raw)

    def __contains__(self, product_id: object) -> bool:
        return product_id in self._raw

    def add(self, products: Iterable[dict]) -> None:
        """Add or replace products (contract PRODUCT dicts), e.g. one feed page at a time."""
        batch = list(products)
        if not batch:
            return  # a refresh with nothing new: the search structures stay built
        if not self._add_new(batch):
            changed = [self._add_one(p) for p in batch]  # every one, whatever the others did
            if not any(changed):
                return  # prices, stock, codes: the names and slots a search uses are as they were
        self._changed()

    def add_json(self, ids: Sequence[int], codes: str, active: Sequence[int], names: str, data: bytes,
                 spans: Sequence[int], parse: Callable[[bytes], dict]) -> None:
        """Index new products from their columns, keeping each PRODUCT dict as its UTF-8 JSON inside ``data``
        (product ``i`` is ``data[spans[2*i]:spans[2*i+1]]``, in the order of the columns), parsed by ``parse``
        (the caller's JSON reader: poscore does no I/O) only when the product is built (``get``, a search
        result, a replacement). ``codes`` is the page's barcodes and SKUs as one text (``codes.joined``) and
        ``names`` the names joined by newlines: a list per product was most of a page's cost in Pyodide. Why
        bytes and not dicts: kept_json.py. Columns the fast path refuses (replacements, duplicates, odd data, a
        name holding a newline) are parsed at once and added as ``add`` would.
        """
        try:  # names that are not one text fail to count; the codes are checked by _add_columns
            pids, flags = list(ids), list(active)
            n = len(pids)
            # The spans ascend as JS writes them, so the last one says the data holds them all; a span that is
            # wrong inside it is caught when its product is built (KeptJson.read checks the id).
            ok = len(flags) == n and type(names) is str and names.count("\n") == max(n, 1) - 1 \
                and len(spans) == 2 * n < 2 * STRIDE and (n == 0 or spans[-1] <= len(data))
        except (TypeError, AttributeError):
            ok = False
        if ok and n:
            if self._add_columns(pids, codes, flags, names, self._kept.keep(data, spans, parse)):
                self._changed()
                return
            self._kept.unkeep_last()  # nothing of it was indexed
        self.add(parse(data[spans[2 * i]:spans[2 * i + 1]]) for i in range(len(spans) // 2))

    def add_packed(self, ids: bytes, active: bytes, codes: bytes, names: bytes, data: bytes, spans: bytes,
                   parse: Callable[[bytes], dict]) -> None:
        """``add_json`` from the columns as bytes, as web/idb/catalog_json.js ``columnsOf`` packs them: ``ids`` and
        ``spans`` a Uint32Array's bytes (native order), ``active`` one byte (0 or 1) per product, ``codes`` and
        ``names`` UTF-8. Each part is taken with one C call (a memoryview cast, a UTF-8 decode): the same columns as
        one JSON text were a third of a warm open's indexing in Pyodide (its separators and newlines are escapes
        for the JSON string scanner). Parts that are not whole Uint32 values or not UTF-8 raise ValueError: JS's
        encoder cannot write them, so they are a bug, not data to work around."""
        self.add_json(memoryview(ids).cast("I"), codes.decode(), active, names.decode(), data,
                      memoryview(spans).cast("I"), parse)

    def _raw_of(self, pid: int) -> dict | None:
        raw = self._raw.get(pid)
        if type(raw) is int:  # a handle of a product kept as JSON (add_json)
            return self._kept.read(raw, pid)
        return raw  # type: ignore[return-value]

    def _drop_handle(self, pid: int) -> None:
        """The product's kept JSON is no longer its current version: a page whose every product was replaced or
        removed lets its bytes go."""
        raw = self._raw.get(pid)
        if type(raw) is int:
            self._kept.drop(raw)

    def _add_new(self, batch: list[dict]) -> bool:
        """The initial load: a page of products not seen before, complete as the contract says.

        Per-product work runs in C (``map``/``itemgetter``/``chain``, one joined string upper-cased
        at once): a Python loop over 100k dicts alone costs ~0.3 s in Pyodide. Returns False, having
        changed nothing, when the page needs the careful path (replacements, duplicates, odd data).
        """
        try:
            pids = list(map(_ID, batch))
            codes = joined(list(map(_BARCODES, batch)), list(map(_SKU, batch)))
            active = list(map(_ACTIVE, batch))
            names = list(map(_NAME, batch))
            "".join(names)  # a name that is not a string raises (in C): checked now, it is normalized later
        except (KeyError, TypeError):
            return False
        return codes is not None and self._add_columns(pids, codes, active, names, batch)

    def _add_columns(self, pids: list, codes: str, active: list, names: list[str] | str, raws: Iterable) -> bool:
        """Index a page not seen before from its columns (``names`` a list, or one text joined by newlines); False,
        having changed nothing, when it is not that (replacements, duplicates, odd codes)."""
        try:
            fresh = len(set(pids)) == len(pids) and self._raw.keys().isdisjoint(pids)
        except TypeError:
            return False
        if not fresh or not self._codes.add_text(pids, codes):  # the last check: it keeps the codes
            return False
        self._raw.update(zip(pids, raws))
        if type(names) is str and all(active):  # split when first needed: the names of an open wait in _queued
            self._queued.append((names, len(pids)))
            names = []
        else:
            self._unqueue()
            if type(names) is str:
                names = names.split("\n")
            if not all(active):
                keep = list(compress(range(len(pids)), active))
                pids = [pids[i] for i in keep]
                names = [names[i] for i in keep]
        if self._slot is not None:
            self._slot.update(zip(pids, range(len(self._ids), len(self._ids) + len(pids))))
        self._ids.extend(pids)
        self._names.extend(names)  # normalized later (_normalize), a few thousand per C-heavy call (text.py)
        return True

    def _unqueue(self, upto: int | None = None) -> None:
        """Split the queued names into _names: all, or until _names reaches ``upto`` slots."""
        while self._queued and (upto is None or len(self._names) < upto):
            text, _ = self._queued.popleft()
            self._names.extend(text.split("\n"))

    def _add_one(self, p: dict) -> bool:
        """Add or replace one product; True when the names changed (a slot added or killed), so the search
        structures must be rebuilt. A live product replaced under the same name keeps its slot: a day's delta
        refreshes are prices and stock, and each used to make the next keystroke rebuild the joined names at once
        (≈130 ms on a tablet)."""
        pid = p["id"]
        old = self._raw_of(pid)
        name = normalize(p["name"]) if p.get("active", True) else None  # once, before anything is forgotten
        killed = False
        if old is not None:
            keep = name is not None and self._holds(pid, name)
            killed = self._forget(pid, old, keep)
            self._drop_handle(pid)
            if keep:
                self._raw[pid] = p
                self._write_codes(p, pid)
                return False
        self._raw[pid] = p
        self._write_codes(p, pid)
        if name is not None:
            self._unqueue()  # its slot comes after every queued name
            if self._slot is not None:
                self._slot[pid] = len(self._ids)
            self._ids.append(pid)
            self._names.append(name)
            return True
        return killed  # a live one gone inactive leaves a dead slot

    def _write_codes(self, p: dict, pid: int) -> None:
        for key in map(_code_key, p.get("barcodes") or ()):
            if key:  # an empty code is no code (codes.py)
                self._codes.write(key, pid)
        sku = p.get("sku")
        if sku:
            self._codes.write(_code_key(sku), pid)

    def _holds(self, pid: int, name: str) -> bool:
        """Whether ``pid`` has a live slot holding the normalized ``name`` (names past _fresh are as received)."""
        slot = self._slots().get(pid)
        if slot is None:
            return False
        self._unqueue()
        held = self._names[slot]
        return (held if slot < self._fresh else normalize(held)) == name

    def remove(self, product_id: int) -> None:
        """Forget a product entirely (no error if unknown)."""
        old = self._raw_of(product_id)
        if old is not None:
            self._drop_handle(product_id)
            del self._raw[product_id]
            self._forget(product_id, old)
            self._changed()

    def _forget(self, pid: int, old: dict, keep_slot: bool = False) -> bool:
        """Drop the product's codes and built Product, and its slot unless ``keep_slot``; True if a slot died."""
        self._cache.pop(pid, None)
        for code in list(old.get("barcodes") or ()) + [old.get("sku") or ""]:
            key = _code_key(code)
            if key:
                self._codes.drop(key, pid)
        return not keep_slot and self._forget_index(pid)

    def _slots(self) -> dict[int, int]:
        """id -> live slot, built from _ids the first time it is needed (a live id is in one slot; dead ones are -1)."""
        if self._slot is None:
            slots = dict(zip(self._ids, range(len(self._ids))))
            slots.pop(-1, None)
            self._slot = slots
        return self._slot

    def _forget_index(self, pid: int) -> bool:
        slot = self._slots().pop(pid, None)
        if slot is None:
            return False
        self._unqueue()
        self._names[slot] = ""
        self._ids[slot] = -1
        self._dead += 1
        return True

    def get(self, product_id: int) -> Product | None:
        """The product with this id (active or not), or None."""
        product = self._cache.get(product_id)
        if product is None:
            raw = self._raw_of(product_id)
            if raw is None:
                return None
            product = Product.from_json(raw)
            if len(self._cache) >= CACHE_SIZE:
                del self._cache[next(iter(self._cache))]  # the oldest built; a cart keeps its own reference
            self._cache[product_id] = product
        return product

    def by_code(self, code: str) -> Product | None:
        """The product with this barcode or SKU (case-insensitive), active or not, or None.

        Inactive products are returned so the cart can say *why* it refuses them.
        """
        pid = self._codes.owner(_code_key(code)) if isinstance(code, str) else None
        return None if pid is None else self.get(pid)

    def _changed(self) -> None:
        self._blob = None
        self._order = None
        self._version += 1

    def names_waiting(self) -> int:
        """How many names a name search would normalize first (those `prepare` has not reached yet)."""
        return len(self._names) + sum(n for _, n in self._queued) - self._fresh

    def _normalize(self, most: int | None = None) -> bool:
        """Normalize the names still as received, all or the ``most`` next ones; True while some remain."""
        start = self._fresh
        self._unqueue(None if most is None else start + most)
        size = len(self._names)
        end = size if most is None else min(size, start + most)
        if start < end:
            self._names[start:end] = normalize_many(self._names[start:end])
            self._fresh = end
        return end < size or bool(self._queued)

    def _ensure_blob(self) -> str:
        if self._blob is None:
            for _ in self._blob_steps():
                pass
        assert self._blob is not None  # _blob_steps sets it at its end
        return self._blob

    def _blob_steps(self) -> Iterator[None]:
        """Build the joined names, where each starts and their word counts, yielding between steps (the starts
        are 100k new int objects, a tablet's ≈100 ms task at once); the names must not change meanwhile."""
        self._normalize()
        if self._dead > len(self._names) // 2:
            self._compact()
            self._order = None
        starts = array("q")
        yield from name_search.start_steps(self._names, starts, 1)  # the joined names begin after a newline
        yield
        self._starts = starts
        self._blob = "\n" + "\n".join(self._names) + "\n"
        self._counts = WordCounts(self._blob)

    def _ensure_order(self) -> NameOrder:
        # Slots by name, for prefix queries; dead slots ("") sort first and never match a word.
        if self._order is None:
            self._ensure_blob()  # compacts first when due: the order must be of the slots the blob has
            self._order = name_search.name_order(self._names)
        return self._order

    def prepare(self) -> Iterator[None]:
        """Build what lookups and searching need (code dict, joined names, name order) in steps of a few ms,
        yielding between them.

        For background work after a load or a refresh (the POS runs one step per main-thread task), so the
        first keystroke is as fast as the rest. Stops early, harmlessly, if the catalog changes meanwhile;
        a search never waits for it (it builds what it lacks at once).
        """
        # Names first: a name search before they are all normalized pays for the rest at once, while a scan before
        # the codes are merged only looks through the pending pages' text (well under a millisecond).
        while self._normalize(_NORMALIZE_STEP):
            yield
        while self._codes.merge_one():
            yield
        if self._slot is None:  # one C call: ≈10 ms for 100k products in Pyodide
            self._slots()
            yield
        version = self._version
        if self._blob is None:
            for _ in self._blob_steps():
                yield
                if self._version != version:
                    return
        if self._order is not None:
            return
        done: list[NameOrder] = []
        for _ in name_search.order_steps(self._names, done):
            yield
            if self._version != version:
                return
        self._order = done[0]

    def _compact(self) -> None:
        live = [(n, i) for n, i in zip(self._names, self._ids) if i != -1]
        self._names = [n for n, _ in live]
        self._ids = [i for _, i in live]
        self._slot = None  # rebuilt from _ids when next needed
        self._dead = 0
        self._fresh = len(self._names)  # compacted after _normalize: every name kept is normalized

    def search(self, query: str, limit: int = 20) -> list[Product]:
        """Active products matching ``query``, best first, at most ``limit`` (see module docstring)."""
        return self.search_page(query, limit).products

    def search_page(self, query: str, limit: int = 20) -> SearchPage:
        """``search`` plus whether more products match than the ``limit`` returned (``SearchPage.more``).

        One more match than asked for is looked for, never all of them: the cost stays that of a search
        for ``limit + 1`` however common the words are. When every match was ranked anyway (rare words),
        their number is known and given.
        """
        if limit <= 0 or not isinstance(query, str):
            return SearchPage([], 0, True)
        ids, total = self._find(query, limit + 1)
        more = max(0, (total if total is not None else len(ids)) - limit)
        products = [p for p in (self.get(pid) for pid in ids[:limit]) if p is not None]
        return SearchPage(products, more, total is not None or more == 0)

    def _find(self, query: str, need: int) -> tuple[list[int], int | None]:
        """Up to ``need`` ids of matching products, best first, and the number of all matches when it is known."""
        found: list[int] = []
        seen: set[int] = set()
        exact = self.by_code(query) if query.strip() else None
        if exact is not None and exact.id in self._slots():
            found.append(exact.id)
            seen.add(exact.id)
        ws = words(query)
        need -= len(found)
        if not ws or need <= 0:
            return found, (len(found) if not ws else None)
        blob = self._ensure_blob()
        phrase = normalize(query)
        first = phrase.split(" ", 1)[0]
        # Estimate each word's frequency on a sample and anchor the scan on the rarest.
        assert self._counts is not None  # built with the blob
        count, sample, anchor = self._counts.rarest(ws)
        hits: list[tuple[int, str, int]] = []
        total: int | None = None
        if count * len(blob) <= _FULL_SCAN * sample:
            # Rare enough: scan every match once and rank them all exactly.
            scan(blob, self._starts, self._names, self._ids, anchor, ws, phrase, hits, seen, need, None, _SCAN_CAP)
            total = len(found) + len(hits)
        else:
            # Common words: names starting with the typed words in order, then names starting with the first
            # word (both from the sorted names, in order), then the rest, stopping once enough.
            order = self._ensure_order()
            prefixed(order, self._ids, phrase, ws, hits, seen, need, _SCAN_CAP)
            if phrase != first and len(hits) < need:
                prefixed(order, self._ids, first, ws, hits, seen, need, _SCAN_CAP, phrase)
            if len(hits) < need:
                scan(blob, self._starts, self._names, self._ids, anchor, ws, phrase, hits, seen, need, 2, _SCAN_CAP)
        # At most `need` plus what one early-stopping scan adds: never a sort of every match of a common word.
        hits.sort()
        found.extend(pid for _, _, pid in hits[:need])
        return found, total
