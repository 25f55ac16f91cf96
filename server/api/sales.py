"""Routes: sales, offline customers and voids (contract: Sales). Placeholder until sync lands."""
from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api")
