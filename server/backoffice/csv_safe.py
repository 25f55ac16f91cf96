"""CSV cells that a spreadsheet will show as text, never run as a formula.

What it is for: every CSV the back office writes goes through `SafeWriter`. A customer or product name comes
from a till or an import and may be `=HYPERLINK(...)`, `=cmd|' /C calc'!A0`, `@SUM(...)`, `+`/`-` expressions:
Excel, LibreOffice and Google Sheets evaluate a cell that starts with = + - @ (and, in some, tab or CR). Such a
cell gets a leading apostrophe (OWASP "CSV Injection"), which the spreadsheet shows as text. Plain numbers,
negative ones included, are left alone so amounts stay numbers.
What it must not do: change any other cell, or quote differently from the csv module.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_TRIGGERS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


class SafeWriter:
    def __init__(self, f: Any, **kwargs: Any) -> None:
        self._out = csv.writer(f, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._out.writerow([cell(v) for v in row])
