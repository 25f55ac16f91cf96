"""Search-text normalization shared by the catalog and customer indexes.

``normalize("Jamón  Serrano-ÑORA") == "jamon serrano nora"``: NFKD with combining marks dropped
(so accents and the tilde of ñ go), lower case, every run of non-alphanumerics becomes one space.
The same function runs on names when indexing and on the query when searching, so both agree.

Must not: know about products or customers, or keep state.
"""

from __future__ import annotations

import unicodedata

# Punctuation and symbols become spaces so "coca-cola" and "coca cola" match each other.
_PUNCT = {c: " " for c in range(128) if not chr(c).isalnum()}


def normalize(text: str) -> str:
    """Lower-case ASCII words separated by single spaces (see the module docstring)."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(text.lower().translate(_PUNCT).split())


def words(text: str) -> list[str]:
    """The normalized words of ``text`` (a query), without duplicates, longest first."""
    seen = dict.fromkeys(normalize(text).split())
    return sorted(seen, key=len, reverse=True)
