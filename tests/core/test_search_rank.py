"""Name search among many similar names: names starting with the typed words, in order, come first, and a
search says when more match than it listed (the till's "Ver más"), without ranking every match."""

from __future__ import annotations

import pytest
from poscore_data import index_of, product_json

from poscore.catalog import CatalogIndex

TARGET = "Refresco de manzana Los Altos 600 ml"


def _shop(similar: int) -> CatalogIndex:
    """``similar`` names of each kind that hold the typed words but not in the typed order, sorting before the
    target, and a few that start with the typed words."""
    items = [product_json(i, name=f"Refresco con manzana y canela {i:04d}") for i in range(1, similar + 1)]
    items += [product_json(5000 + i, name=f"Refresco de durazno con manzana {i:04d}") for i in range(1, similar + 1)]
    items += [product_json(9000 + i, name=f"Jugo de manzana refresco {i:04d}") for i in range(1, similar + 1)]
    items += [product_json(9900, name=TARGET), product_json(9901, name="Refresco de manzana Del Valle 355 ml"),
              product_json(9902, name="Refresco de manzana verde 2 l")]
    return index_of(*items)


@pytest.mark.parametrize("similar", [40, 400])  # every match ranked (rare words), and the early-stopping walk
def test_names_starting_with_the_typed_words_come_first(similar: int) -> None:
    idx = _shop(similar)
    names = [p.name for p in idx.search("refresco de manzana", limit=20)]
    assert names[:3] == ["Refresco de manzana Del Valle 355 ml", TARGET, "Refresco de manzana verde 2 l"]
    assert idx.search("Refresco de manzana los", limit=20)[0].name == TARGET
    # Then names starting with the first word, then the others.
    assert names[3].startswith("Refresco ") and names[-1].startswith("Refresco ")


def test_a_page_says_exactly_how_many_more_when_every_match_was_ranked() -> None:
    idx = index_of(*[product_json(i, name=f"Galleta de avena {i:03d}") for i in range(1, 61)])
    page = idx.search_page("galleta avena", limit=20)
    assert len(page.products) == 20 and page.more == 40 and page.exact
    bigger = idx.search_page("galleta avena", limit=60)
    assert len(bigger.products) == 60 and bigger.more == 0 and bigger.exact
    assert [p.id for p in bigger.products[:20]] == [p.id for p in page.products]


def test_a_page_of_a_common_word_says_more_match_and_a_longer_page_lists_them() -> None:
    idx = _shop(400)
    page = idx.search_page("refresco", limit=20)
    assert len(page.products) == 20 and page.more >= 1 and not page.exact
    assert TARGET not in [p.name for p in page.products]
    longer = idx.search_page("refresco", limit=1300)
    assert TARGET in [p.name for p in longer.products]
    assert idx.search_page("refresco de manzana los altos", limit=20) == (
        [idx.get(9900)], 0, True)


def test_an_exact_code_and_no_match_pages() -> None:
    idx = index_of(product_json(1, name="Agua natural", sku="AGUA"), product_json(2, name="Agua mineral"))
    page = idx.search_page("agua", limit=1)
    assert [p.id for p in page.products] == [1] and page.more == 1 and page.exact
    assert idx.search_page("zzz", limit=20) == ([], 0, True)
    assert idx.search_page("", limit=20) == ([], 0, True)
    assert idx.search_page("agua", limit=0) == ([], 0, True)
