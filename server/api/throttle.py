"""A small in-process limiter for pairing attempts, per real client address (server/peer.py).

Why: each attempt is counted *before* the code is checked, so a burst of concurrent requests cannot all slip
in before the first failure is recorded; a success gives its attempt back, so only failures use the budget.
The per-code failure budget in server/terminals.py is what makes guessing hopeless whatever the address;
this limiter only keeps one address from burning that budget alone.
What it must not do: persist anything or limit successful requests. Per process only: with several workers
the effective limit multiplies, still far below what guessing a code needs.
"""
from __future__ import annotations

import threading
import time
from collections import deque


class FailureLimiter:
    def __init__(self, max_failures: int = 10, window_s: float = 60.0) -> None:
        self.max_failures, self.window_s = max_failures, window_s
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        while q and now - q[0] > self.window_s:
            q.popleft()
        return q

    def blocked(self, key: str) -> bool:
        with self._lock:
            return len(self._recent(key, time.monotonic())) >= self.max_failures

    def attempt(self, key: str) -> bool:
        """Count one attempt now, before the slow check; False (and nothing counted) when over the limit."""
        now = time.monotonic()
        with self._lock:
            q = self._recent(key, now)
            if len(q) >= self.max_failures:
                return False
            q.append(now)
            self._bound()
            return True

    def succeeded(self, key: str) -> None:
        """Give back the attempt counted for a request that turned out to be right."""
        with self._lock:
            q = self._failures.get(key)
            if q:
                q.pop()

    def fail(self, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._recent(key, now).append(now)
            self._bound()

    def _bound(self) -> None:
        if len(self._failures) > 10_000:  # bound memory against address churn
            for k in [k for k, q in self._failures.items() if not q]:
                del self._failures[k]
