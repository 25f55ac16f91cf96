"""The ASGI application factory: `create_app(settings)` wires the API, back office and POS page.

What it is for: one place deciding middleware order and route order (API and back office before the POS
static mount, which takes everything else). What it must not do: hold routes or queries itself.
"""
from __future__ import annotations

import importlib
import importlib.util
import weakref

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware

from server import __version__
from server.api import cfdis, errors, feeds, sales, shifts, terminal
from server.db.engine import make_engine
from server.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    # No /docs or /redoc: FastAPI's pages load their JS from a CDN, and this app makes no request off-site.
    app = FastAPI(title="caja ERP", version=__version__, docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json")
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url, pg_pool=settings.db_pool)
    app.state.sales_gates = weakref.WeakKeyDictionary()  # per event loop (server/api/sales.py)
    errors.install(app)
    # Level 5: a catalog page compresses about as well as at 9 in a fraction of the time.
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=5)
    app.add_middleware(errors.BodyLimit, max_bytes=settings.max_body_bytes)
    app.include_router(terminal.router)
    app.include_router(feeds.router)
    app.include_router(sales.router)
    app.include_router(shifts.router)
    app.include_router(cfdis.router)
    _mount_back_office(app)
    if settings.feed_warmer:
        from server.api import feed_cache, feed_warmer
        feed_warmer.install(app, feed_cache.install(app))
    if settings.fiscal_worker:
        from server.fiscal.worker import install
        install(app, settings)
    _mount_pos(app, settings)
    return app


def _mount_back_office(app: FastAPI) -> None:
    """The back office (/erp/): server/backoffice/, mounted before the POS static mount."""
    if importlib.util.find_spec("server.backoffice") is None:
        return
    importlib.import_module("server.backoffice").mount_backoffice(app)


def _mount_pos(app: FastAPI, settings: Settings) -> None:
    # Last: the POS static mount answers every path the routes above did not take.
    from server.pos_static import WEB_DIR, mount_pos

    mount_pos(app, settings.pos_dir or WEB_DIR)
