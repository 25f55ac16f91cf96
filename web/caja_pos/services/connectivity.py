"""The wifi icon: green while the ERP answers, red at once when it does not.

Sources of truth, in order of speed: every request's outcome (BrowserHttp reports it), the browser's
online/offline events, and a heartbeat GET /api/health every few seconds. The machine being online is not
enough: the ERP may be down, and then the icon must be red too.

Must not decide anything about sales; it only reports reachability (and calls `on_back` when the ERP comes
back so the sync can run).
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from caja_pos import platform
from caja_pos.net.erp import NetworkError
from caja_pos.services.tasks import spawn

HEARTBEAT_S = 4
HEALTH_TIMEOUT_MS = 2500


class Connectivity:
    def __init__(self, icon: Any, label_fn: Callable[[bool], str],
                 on_back: Callable[[], Any] | None = None) -> None:
        self.icon = icon
        self.label_fn = label_fn
        self.on_back = on_back
        self.online: bool | None = None
        self.http: Any = None

    def set(self, reachable: bool) -> None:
        was = self.online
        self.online = reachable
        self.icon.dataset.state = "online" if reachable else "offline"
        self.icon.title = self.label_fn(reachable)
        self.icon.setAttribute("aria-label", self.label_fn(reachable))
        if reachable and was is False and self.on_back is not None:
            self.on_back()

    async def check(self) -> None:
        try:
            await self.http.request("GET", "/api/health", timeout_ms=HEALTH_TIMEOUT_MS)
        except NetworkError:
            pass  # BrowserHttp already turned the icon red
        except Exception:  # noqa: BLE001 - anything else also means "not answering"
            self.set(False)

    def start(self, http: Any) -> None:
        self.http = http
        # For the page's life: there is one Connectivity per page.
        platform.listen(platform.window(), "offline", lambda e: self.set(False))
        platform.listen(platform.window(), "online", lambda e: spawn(self.check()))
        if not platform.is_online():
            self.set(False)
        spawn(self._beat())

    async def _beat(self) -> None:
        while True:
            await self.check()
            await asyncio.sleep(HEARTBEAT_S)
