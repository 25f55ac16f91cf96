"""The ASGI entry point uvicorn imports (`server.asgi:app`), so `--workers N` can build one app per process.

Must not do anything but call create_app with settings from the environment.
"""
from __future__ import annotations

from server.app import create_app

app = create_app()
