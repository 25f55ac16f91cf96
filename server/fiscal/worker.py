"""Starting and stopping the CFDI job's thread with the ERP process.

What it is for: `install(app, settings)` wraps the app's lifespan so `jobs.Worker` runs while the app serves,
and keeps it on `app.state.fiscal_worker` (pages wake it after a change). Each ERP worker process runs one;
rows are leased, so two never work on the same CFDI.
What it must not do: run the job inside a request.
"""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from server.settings import Settings

from .jobs import Worker


def install(app: FastAPI, settings: Settings) -> None:
    worker = Worker(app.state.engine, settings.secret_key)
    app.state.fiscal_worker = worker
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: Any) -> AsyncIterator[Any]:
        worker.start()
        try:
            async with inner(a) as state:
                yield state
        finally:
            worker.stop()

    app.router.lifespan_context = lifespan
