"""Who may use the web chat and how often: whether an address is this machine only, and a per-client rate limit.

The passwords and the limit are configured in settings.py (ASSISTANT_AUTH, ASSISTANT_AUTH_FILE, ASSISTANT_RATE_LIMIT).
"""

from __future__ import annotations

import threading
import time
from collections import deque

LOOPBACK = ("127.0.0.1", "localhost", "::1")
RATE_LIMITED_TEXT = "提问太频繁了，请稍等一会儿再问（每分钟最多 {limit} 个问题）。"


def is_loopback(host: str) -> bool:
    return host in LOOPBACK


def rate_limiter(per_minute: int) -> RateLimiter | None:
    """At most `per_minute` questions a minute per client; None when the limit is off (0)."""
    return RateLimiter(per_minute) if per_minute > 0 else None


class RateLimiter:
    """At most `limit` requests per client in any `window` seconds (thread-safe, in memory)."""

    def __init__(self, limit: int, window: float = 60.0) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("limit must be >= 1 and window > 0")
        self.limit, self.window = limit, window
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            times = self._seen.setdefault(client, deque())
            while times and now - times[0] >= self.window:
                times.popleft()
            if len(times) >= self.limit:
                return False
            times.append(now)
            return True

    @property
    def message(self) -> str:
        return RATE_LIMITED_TEXT.format(limit=self.limit)
