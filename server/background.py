"""Running a background thread for as long as the ERP app serves: started with the app's lifespan, stopped with it.

What it is for: the threads each ERP process keeps (the CFDI job, the catalog page warmer) hook into the app the
same way, wrapping whatever lifespan the app already has.
What it must not do: know what the thread does, or run anything inside a request.
"""
from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI


def run_while_serving(app: FastAPI, start: Callable[[], None], stop: Callable[[], None]) -> None:
    """Call `start` when the app starts serving and `stop` when it stops (even if the app's own start-up fails)."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: Any) -> AsyncIterator[Any]:
        start()
        try:
            async with inner(a) as state:
                yield state
        finally:
            stop()

    app.router.lifespan_context = lifespan
