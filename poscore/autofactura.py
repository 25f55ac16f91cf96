"""The self-invoicing code of a remisión's ticket: short, printed offline by the till, checked by the ERP.

What it is for: `ticket_code(key, sale_uuid, terminal, number, total)` → ``"7K3PQ-M9XW2"``: the first 50 bits
of an HMAC-SHA256, under the terminal's own key (given to the till at pairing), of the sale's uuid, terminal,
local number and total, in Crockford's base 32 (no I, L, O, U: nothing to misread on thermal paper). The till
prints it before the sale is synced; the ERP recomputes it with the same function to find the sale, together
with the total the customer types. The uuid is random and never printed, so no ticket tells anything about
another one's code; 50 bits with the ERP's throttle leave guessing hopeless. `invoice_url(base, code)` is the
QR's text; `normalize_code` accepts what a customer types (lower case, spaces, O for 0, I/L for 1).
What it must not do: keep or read the key anywhere (callers pass it), or decide whether the sale can be invoiced.
"""

from __future__ import annotations

import hashlib
import hmac
from decimal import Decimal

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32
_TYPOS = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
CODE_CHARS = 10


def ticket_code(key: str, sale_uuid: str, terminal: str, number: str, total: Decimal) -> str:
    message = f"caja-autofactura-v1|{sale_uuid}|{terminal}|{number}|{Decimal(total):.2f}".encode()
    digest = hmac.new(key.encode(), message, hashlib.sha256).digest()
    value = int.from_bytes(digest[:8], "big") >> (64 - 5 * CODE_CHARS)
    chars = "".join(_ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(CODE_CHARS)))
    return f"{chars[:5]}-{chars[5:]}"


def normalize_code(text: str) -> str | None:
    """The code as printed (``XXXXX-XXXXX``), or None when it cannot be one."""
    raw = "".join(ch for ch in (text or "").upper() if ch not in " -\t").translate(_TYPOS)
    if len(raw) != CODE_CHARS or any(ch not in _ALPHABET for ch in raw):
        return None
    return f"{raw[:5]}-{raw[5:]}"


def same_code(a: str, b: str) -> bool:
    """Constant-time comparison: the ERP's answer time says nothing about how close a guess was."""
    return hmac.compare_digest(a.encode(), b.encode())


def invoice_url(base: str, code: str) -> str:
    """The QR's text: the shop's invoicing page with the code filled in (the total is still asked)."""
    return f"{base.rstrip('/')}?c={code}"
