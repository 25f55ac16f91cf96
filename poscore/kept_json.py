"""Products kept as their own UTF-8 JSON inside the page of bytes they came in (``CatalogIndex.add_json``).

A page is kept whole (one bytes object and its spans, no Python object per product); each product is a handle,
``page * STRIDE + place``, read back (parsed) only when the catalog builds that product. A page whose every product
was replaced or removed lets its bytes go.

Why: a dict per product is most of the page's memory at 100k products (and wasm memory never shrinks back), while
a till builds a few hundred products a day; one bytes object per page (the chunk as stored) and its offsets cost no
Python object per product and nothing to create, where a text per product was 100k strings to make at every open.

Must not: index, search or decide anything about products (catalog.py does); it only keeps bytes and reads spans.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

STRIDE = 1 << 20  # products per page at most: a handle is page * STRIDE + place


def _no_reader(text: bytes) -> dict:
    raise ValueError("a product kept as JSON without a reader")


class KeptJson:
    """Pages of products as JSON bytes, and a handle per product in them."""

    def __init__(self) -> None:
        self._parse: Callable[[bytes], dict] = _no_reader  # the caller's JSON reader (poscore does no I/O)
        self._pages: list[tuple[bytes, Sequence[int]] | None] = []  # (data, spans), None once unused
        self._live: list[int] = []  # products of each page still current

    def keep(self, data: bytes, spans: Sequence[int], parse: Callable[[bytes], dict]) -> range:
        """Keep a page (product ``i`` is ``data[spans[2*i]:spans[2*i+1]]``; fewer than STRIDE products) and
        return its products' handles, in order."""
        n = len(spans) // 2
        page = len(self._pages)
        self._parse = parse
        self._pages.append((data, spans))
        self._live.append(n)
        return range(page * STRIDE, page * STRIDE + n)

    def unkeep_last(self) -> None:
        """The last page kept was not indexed after all: let its bytes go."""
        self._pages[-1], self._live[-1] = None, 0

    def read(self, handle: int, pid: int) -> dict:
        """The product of this handle, parsed; ValueError unless it is product ``pid`` (never another's price)."""
        page = self._pages[handle // STRIDE]
        assert page is not None
        data, spans = page
        i = 2 * (handle % STRIDE)
        product = self._parse(data[spans[i]:spans[i + 1]])
        if type(product) is not dict or product.get("id") != pid:
            raise ValueError(f"product {pid}: its kept JSON is not its own")
        return product

    def drop(self, handle: int) -> None:
        """This product's kept JSON is no longer its current version."""
        page = handle // STRIDE
        self._live[page] -= 1
        if self._live[page] == 0:
            self._pages[page] = None

    def held(self) -> list[bool]:
        """Per page kept, whether its bytes still are (for tests and diagnostics)."""
        return [page is not None for page in self._pages]
