"""Search normalization: the batch form must agree exactly with the one-by-one form."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from poscore.text import _TABLE, normalize, normalize_many, words


def _by_definition(text: str) -> str:
    """The rule as the module docstring states it, NFKD on the whole text: what the byte-table path must equal."""
    return " ".join(unicodedata.normalize("NFKD", text).encode("ascii", "ignore").translate(_TABLE).decode().split())


def test_examples() -> None:
    assert normalize("  Jamón  Serrano-ÑORA ") == "jamon serrano nora"
    assert normalize("CAFÉ\tmolido\n500g") == "cafe molido 500g"
    assert normalize("Pingüino ﬁno ½") == "pinguino fino 12"  # the fraction slash is dropped
    assert normalize("---") == ""
    assert words("leche LECHE entera") == ["entera", "leche"]


def test_every_latin1_letter_and_its_neighbours_fold_as_nfkd_says() -> None:
    # Each of U+0080..U+02FF alone, after an ASCII letter and before a combining mark (which makes NFKD compose
    # across characters: the byte table must then give way to the general path).
    for code in range(0x80, 0x300):
        for text in (chr(code), f"a{chr(code)}b", f"{chr(code)}\u0301", f"Ñ{chr(code)} ß"):
            assert normalize(text) == _by_definition(text), repr(text)
            assert normalize_many([text, "Jamón"]) == [_by_definition(text), "jamon"], repr(text)
    assert normalize("Straße ÆØ×÷ þorn") == "strae orn"  # letters NFKD keeps nothing ASCII of are dropped


# Mostly Latin-1 text, where the byte table runs, with some characters that force the general path.
_SPANISH = st.text(alphabet=st.sampled_from("aAzZ09 -.ÁáÉéÑñÜüßæ×ÿ\u0301\u00aa½ﬁ\x1f"), max_size=30)


@given(st.lists(_SPANISH | st.text(max_size=10)))
def test_normalize_agrees_with_the_definition(texts: list[str]) -> None:
    assert [normalize(x) for x in texts] == [_by_definition(x) for x in texts]
    assert normalize_many(texts) == [_by_definition(x) for x in texts]


@given(st.lists(st.text(max_size=20)))
def test_normalize_many_equals_normalize_one_by_one(texts: list[str]) -> None:
    assert normalize_many(texts) == [normalize(x) for x in texts]


@given(st.text())
def test_normalized_text_is_lowercase_ascii_words(text: str) -> None:
    n = normalize(text)
    assert n.isascii() and n == n.lower() and n == n.strip() and "  " not in n
    assert all(c.isalnum() or c == " " for c in n)
    assert normalize(n) == n
