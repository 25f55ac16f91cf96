"""The back office's password policy: long enough, not a common password, not the username.

What it is for: `problem(username, password)` → None or a message key, used by `caja create-admin` and the
password-change page before anything is hashed. A long passphrase beats composition rules (NIST SP 800-63B
§5.1.1.2: at least 8, check against lists of common passwords, no character-class rules); the minimum here is
higher because these accounts can change prices.
What it must not do: hash or store passwords (auth.py does), or log them.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

MIN_LENGTH = 10
MAX_LENGTH = 200  # argon2 accepts any length; this only bounds the work a pasted book would cause
_LIST = Path(__file__).with_name("common_passwords.txt")


@cache
def common() -> frozenset[str]:
    lines = _LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def problem(username: str, password: str) -> str | None:
    if len(password) < MIN_LENGTH:
        return "password_short"
    if len(password) > MAX_LENGTH:
        return "password_long"
    low = password.lower()
    if low in common() or len(set(low)) <= 2 or username.strip().lower() in low:
        return "password_common"
    return None


def message(code: str) -> str:
    """The Spanish text of a problem code (the back office's catalogue, for the CLI too)."""
    from .i18n import tr

    return tr(code, "es")
