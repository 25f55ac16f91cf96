"""Starting and stopping the CFDI job's thread with the ERP process.

What it is for: `install(app, settings)` wraps the app's lifespan so `jobs.Worker` runs while the app serves,
and keeps it on `app.state.fiscal_worker` (pages wake it after a change). Each ERP worker process runs one;
rows are leased, so two never work on the same CFDI.
What it must not do: run the job inside a request.
"""
from __future__ import annotations

from fastapi import FastAPI, Request

from server.background import run_while_serving
from server.settings import Settings

from .jobs import Worker


def install(app: FastAPI, settings: Settings) -> None:
    worker = Worker(app.state.engine, settings.secret_key)
    app.state.fiscal_worker = worker
    run_while_serving(app, worker.start, worker.stop)


def wake(request: Request) -> None:
    """After a page changed what the job works on (a retry, a new PAC, a global issued): run a pass now, when
    this process runs the job."""
    worker = getattr(request.app.state, "fiscal_worker", None)
    if worker is not None:
        worker.wake()
