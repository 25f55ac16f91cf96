"""Background work of the POS: every coroutine that runs on its own starts here, is kept referenced until it ends,
and a failure is shown to the cashier (the toast) and written to the console — never lost.

Why: the event loop keeps only weak references to tasks, so a task started and forgotten may be collected
mid-way, and an exception in it is reported by nobody (a sale that did not sync, a list that did not refresh,
and the cashier never knows). `spawn` is the one way to start such work.

`start_now` is for work started by a click: Pyodide's WebLoop.create_task accepts `eager_start` but ignores it,
so a coroutine started from a click ran its first step in a later setTimeout task — after the browser had
rendered the click (the sale's IndexedDB transaction began ≈4 ms late). `asyncio.Task(..., eager_start=True)`
runs the first step at once when the loop says it is running, which the WebLoop always does.

Must not: be used for work that may run long before its first await from `start_now` (it runs inside the event
handler), decide what the failure text says (the app passes `report`), or hold business rules.
"""
from __future__ import annotations

import asyncio
import sys
import traceback
from collections.abc import Callable, Coroutine
from typing import Any

from caja_pos import platform

_running: set[asyncio.Task] = set()  # strong references until done (the loop keeps only weak ones)
_report: list[Callable[[str, BaseException], None]] = []  # who shows a failure (ui/toast.py, set by the app)


def report_failures_to(report: Callable[[str, BaseException], None]) -> None:
    """Show every background failure with `report(what, exc)` (the app passes the toast)."""
    _report[:] = [report]


def spawn(coro: Coroutine[Any, Any, Any], what: str = "") -> asyncio.Task:
    """Run `coro` as a task of the page's loop, referenced until it ends; `what` names it in a failure."""
    return _keep(asyncio.get_event_loop().create_task(coro), what or _name(coro))


def start_now(coro: Coroutine[Any, Any, Any], what: str = "") -> asyncio.Task:
    """Run `coro` now up to its first wait, then on as a task of the page's loop (see the module docstring)."""
    loop = asyncio.get_event_loop()
    if sys.version_info < (3, 12):  # CPython tests on an older Python: no eager start, same outcome
        return _keep(loop.create_task(coro), what or _name(coro))
    return _keep(asyncio.Task(coro, loop=loop, eager_start=True), what or _name(coro))


def running() -> int:
    """Tasks started here that have not ended (the soak benchmark watches it stay flat)."""
    return len(_running)


def _name(coro: Coroutine[Any, Any, Any]) -> str:
    return getattr(coro, "__qualname__", "") or repr(coro)


def _keep(task: asyncio.Task, what: str) -> asyncio.Task:
    if task.done():
        _finished(task, what)
    else:
        _running.add(task)
        task.add_done_callback(lambda t: _finished(t, what))
    return task


def _finished(task: asyncio.Task, what: str) -> None:
    _running.discard(task)
    if task.cancelled():
        return
    exc = task.exception()
    if exc is None:
        return
    platform.console_error(f"caja: {what} failed:", "".join(traceback.format_exception(exc)).rstrip())
    for report in _report:
        try:
            report(what, exc)
        except Exception as failure:  # noqa: BLE001 - the reporter must never hide the first failure
            print("caja: could not show a failure:", failure)
