"""Search-text normalization shared by the catalog and customer indexes.

``normalize("Jamón  Serrano-ÑORA") == "jamon serrano nora"``: NFKD with everything non-ASCII
dropped afterwards (so accents and the tilde of ñ go), lower case, every run of non-alphanumerics
becomes one space. The same rule runs on names when indexing and on the query when searching, so
both agree. ``normalize_many`` gives exactly ``[normalize(x) for x in texts]`` but works on one
joined string, so the per-name work happens in C: in Pyodide that is the difference between an
index built in a fraction of a second and one built in seconds.

Must not: know about products or customers, or keep state.
"""

from __future__ import annotations

import unicodedata

_SEP = "\x1f"  # ASCII unit separator: never part of a product name
# Work on ASCII bytes: bytes.translate with a 256-byte table is a C loop, while str.translate
# with a dict is a dict lookup per character (10x slower on 100k names).
# Lower-case letters, keep digits, turn all other ASCII (punctuation, symbols, whitespace) into a
# space so "coca-cola" matches "coca cola".
_TABLE = bytes(c + 32 if 65 <= c <= 90 else c if chr(c).isalnum() and c < 128 else 32 for c in range(256))
_TABLE_KEEP_SEP = _TABLE[: ord(_SEP)] + _SEP.encode() + _TABLE[ord(_SEP) + 1 :]
_BSEP = _SEP.encode("ascii")
_GONE = 0xFF  # never a byte of UTF-8: marks a letter whose NFKD keeps nothing ASCII ("ß", "æ"), dropped afterwards


def _latin(table: bytes) -> bytes | None:
    """``table`` extended to the UTF-8 of U+00C0..U+00FF (lead byte 0xC3, deleted apart; the second byte says
    which letter), each mapped to what NFKD + ASCII + ``table`` makes of it: derived from the same rule, not
    written out. None if a letter there became more than one character (then the general path always runs)."""
    out = bytearray(table[:128]) + bytes(range(128, 256))
    for code in range(0xC0, 0x100):
        kept = unicodedata.normalize("NFKD", chr(code)).encode("ascii", "ignore").translate(table)
        if len(kept) > 1:
            return None
        out[code - 0x40] = kept[0] if kept else _GONE
    return bytes(out)


_LATIN = {table: _latin(table) for table in (_TABLE, _TABLE_KEEP_SEP)}


def _folded(text: str, table: bytes) -> bytes:
    """NFKD of ``text``, non-ASCII dropped, through ``table``.

    Spanish names are mostly ASCII plus Latin-1 letters (á, ñ, ü): NFKD of a few MB of such text is most of
    indexing a catalog in Pyodide, while its UTF-8 through a byte table is a couple of C passes. Each
    U+00C0..U+00FF letter decomposes on its own (NFKD reorders only combining marks, which these texts then
    lack), so both give the same bytes; any other non-ASCII character takes the general path.
    """
    if text.isascii():
        return text.encode("ascii").translate(table)
    data = text.encode("utf-8")
    latin = _LATIN[table]
    # 0xC3 is only ever a lead byte, of U+00C0..U+00FF (two bytes each): when the UTF-8 is longer than the
    # text by exactly their number, no other non-ASCII character is in it.
    if latin is not None and len(data) - len(text) == data.count(0xC3):
        block = data.translate(latin, b"\xc3")
        return block.replace(b"\xff", b"") if _GONE in block else block
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").translate(table)


def normalize(text: str) -> str:
    """Lower-case ASCII words separated by single spaces (see the module docstring)."""
    return " ".join(_folded(text, _TABLE).decode("ascii").split())


def normalize_many(texts: list[str]) -> list[str]:
    """``[normalize(x) for x in texts]``, computed on one joined string (much faster)."""
    if not texts:
        return []
    joined = _SEP.join(texts)
    if joined.count(_SEP) != len(texts) - 1:  # a text held the separator: do it one by one
        return [normalize(x) for x in texts]
    block = _folded(joined, _TABLE_KEEP_SEP)
    # Collapse runs of spaces with plain C passes (a regex here costs 10x more on 100k names).
    while b"  " in block:
        block = block.replace(b"    ", b" ").replace(b"  ", b" ")
    block = block.replace(b" " + _BSEP, _BSEP).replace(_BSEP + b" ", _BSEP).strip(b" ")
    return block.decode("ascii").split(_SEP)


def words(text: str) -> list[str]:
    """The normalized words of ``text`` (a query), without duplicates, longest first."""
    seen = dict.fromkeys(normalize(text).split())
    return sorted(seen, key=len, reverse=True)
