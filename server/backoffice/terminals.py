"""Stub."""
from .deps import router as make_router

router = make_router()
