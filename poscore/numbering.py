"""Local sale numbers (``T01-000123``) and how an ERP folio is shown (``R-123``).

A terminal numbers its sales with its code and a per-terminal sequence so a sale has a readable
number before the ERP ever sees it; the fiscal folio (series + folio) comes later from the ERP.

Must not: allocate sequences (the browser's IndexedDB and the server's database do that), or read
a clock.
"""

from __future__ import annotations

import re

_TERMINAL_RE = re.compile(r"^[A-Z0-9]{1,10}$")
_NUMBER_RE = re.compile(r"^([A-Z0-9]{1,10})-([0-9]{6,})$")


def valid_terminal_code(code: str) -> bool:
    """Terminal codes are 1-10 upper-case letters or digits (``T01``)."""
    return isinstance(code, str) and bool(_TERMINAL_RE.match(code))


def local_number(terminal: str, seq: int) -> str:
    """``local_number("T01", 123) == "T01-000123"``; the sequence is zero-padded to 6 digits.

    Raises ``ValueError`` for a bad terminal code or a sequence below 1.
    """
    if not valid_terminal_code(terminal):
        raise ValueError(f"invalid terminal code: {terminal!r}")
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise ValueError(f"invalid sequence: {seq!r}")
    return f"{terminal}-{seq:06d}"


def parse_local_number(number: str) -> tuple[str, int]:
    """Inverse of ``local_number``: ``"T01-000123" -> ("T01", 123)``. Raises ``ValueError``."""
    m = _NUMBER_RE.match(number) if isinstance(number, str) else None
    if not m:
        raise ValueError(f"invalid sale number: {number!r}")
    return m.group(1), int(m.group(2))


def folio_label(series: str, folio: int) -> str:
    """How an ERP folio is printed and shown: ``folio_label("R", 123) == "R-123"``."""
    return f"{series}-{folio}"
