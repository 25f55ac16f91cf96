"""Search normalization: the batch form must agree exactly with the one-by-one form."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from poscore.text import normalize, normalize_many, words


def test_examples() -> None:
    assert normalize("  Jamón  Serrano-ÑORA ") == "jamon serrano nora"
    assert normalize("CAFÉ\tmolido\n500g") == "cafe molido 500g"
    assert normalize("Pingüino ﬁno ½") == "pinguino fino 12"  # the fraction slash is dropped
    assert normalize("---") == ""
    assert words("leche LECHE entera") == ["entera", "leche"]


@given(st.lists(st.text(max_size=20)))
def test_normalize_many_equals_normalize_one_by_one(texts: list[str]) -> None:
    assert normalize_many(texts) == [normalize(x) for x in texts]


@given(st.text())
def test_normalized_text_is_lowercase_ascii_words(text: str) -> None:
    n = normalize(text)
    assert n.isascii() and n == n.lower() and n == n.strip() and "  " not in n
    assert all(c.isalnum() or c == " " for c in n)
    assert normalize(n) == n
