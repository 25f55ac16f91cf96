"""The device's wall clock with its UTC offset, for what stamps a record (a sale, a void, a backup file name).

Why here: poscore takes time as an argument and never reads a clock; the services and screens that create
records read it from this one place (the platform supplies the browser's offset), so a test can replace it.
Must not format or compare times for the cashier.
"""
from __future__ import annotations

from datetime import datetime

from caja_pos import platform


def now() -> datetime:
    return platform.now()
