"""Serves the POS page (web/) from the ERP process: the shell, the app's Python and the vendored runtime.

Owned by the POS page work. Must not serve /api or /erp (those are routed before this mount) and must not
answer anything from outside web/.
"""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

WEB_DIR = Path(__file__).resolve().parent.parent / "web"


def mount_pos(app: FastAPI, web_dir: Path = WEB_DIR) -> None:
    """Mount web/ at the site root; call last, after the API and back-office routes."""
    app.mount("/", StaticFiles(directory=web_dir, html=True), name="pos")
