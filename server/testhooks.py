"""Test-only pause points: lets a test hold the ERP at a known instant (inside a sales batch's transaction) and
kill it there, so a fault lands at the same point every time, however loaded the machine is.

Off unless the environment variable `CAJA_TEST_HOOKS` names a directory, which only the fault tests set when
they start `caja serve`. Off, `pause()` is one check of a module constant and returns: production never sets the
variable, and nothing here reads or writes a file then. On, a point pauses only when the test has armed it:

  <dir>/<point>.arm       created by the test; consumed by the first request to reach the point (one pause each);
  <dir>/<point>.reached   written by the ERP when it pauses there (its pid and the point's detail, as JSON);
  <dir>/<point>.release   a FIFO the ERP then opens for reading, which blocks until the test opens it for writing
                          (or, as the fault tests do, SIGKILLs the process while it waits).

What it must not do: change what the ERP does at a point (it only waits), or pause anything not armed.
"""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

ENV = "CAJA_TEST_HOOKS"
_DIR = Path(os.environ[ENV]) if os.environ.get(ENV) else None
if _DIR is not None:  # said in the log, so a production server started with it by mistake shows it
    logging.getLogger(__name__).warning("%s is set: test pause points are armable in %s", ENV, _DIR)


def enabled() -> bool:
    return _DIR is not None


def pause(point: str, **detail: Any) -> None:
    """Wait here if a test armed `point` (see the module docstring); otherwise return at once."""
    if _DIR is None:
        return
    try:
        (_DIR / f"{point}.arm").unlink()  # one pause per arming: only the request that removes it waits
    except FileNotFoundError:
        return
    release = _DIR / f"{point}.release"
    if not release.exists():
        os.mkfifo(release)
    reached = _DIR / f"{point}.reached"
    tmp = reached.with_suffix(".tmp")
    tmp.write_text(json.dumps({"pid": os.getpid(), **detail}))
    tmp.replace(reached)  # whole or absent: the test reads it as soon as it appears
    with open(release, "rb") as fifo:  # blocks until the test opens the FIFO for writing
        fifo.read()
