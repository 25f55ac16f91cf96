"""A small in-process limiter for failed pairing attempts, per client address.

Why: a pairing code is six digits; without a limit a script could try them all within a code's lifetime.
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

    def fail(self, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._recent(key, now).append(now)
            if len(self._failures) > 10_000:  # bound memory against address churn
                for k in [k for k, q in self._failures.items() if not q]:
                    del self._failures[k]
