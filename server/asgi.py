"""The ASGI entry point uvicorn imports (`server.asgi:app`), so `--workers N` can build one app per process.

Must not do anything but call create_app with settings from the environment, and (here because this import
runs in every worker, after uvicorn has set up logging) hold back repeated accept and protocol errors so a
connection flood cannot fill the disk with the log.
"""
from __future__ import annotations

from server.app import create_app
from server.http_guard import quiet_repeats

quiet_repeats("asyncio", "uvicorn.error")
app = create_app()
