"""Who may use the web chat and how often: whether an address is this machine only, a per-client rate limit, and who
may use the administrator's page.

The passwords and the limit are configured in settings.py (ASSISTANT_AUTH, ASSISTANT_AUTH_FILE, ASSISTANT_RATE_LIMIT,
ASSISTANT_ADMIN_PASSWORD).
"""

from __future__ import annotations

import hmac
import threading
import time
from collections import deque
from collections.abc import Iterable

LOOPBACK = ("127.0.0.1", "localhost", "::1")
RATE_LIMITED_TEXT = "提问太频繁了，请稍等一会儿再问（每分钟最多 {limit} 个问题）。"


def is_loopback(host: str) -> bool:
    return host in LOOPBACK


# Headers a reverse proxy adds (nginx in deploy/ sets X-Forwarded-For): a request carrying one came from elsewhere,
# even though the connection itself is from this machine.
PROXY_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")


def may_administer(given: str, admin_password: str, client: str | None, headers: Iterable[str]) -> bool:
    """Whether a request may export feedback and run the evaluation. With an administrator password set, only the
    password opens it (compared in constant time); without one, only a browser on this machine that did not come
    through a proxy (`headers`: the request's header names).
    """
    if admin_password:
        return hmac.compare_digest((given or "").encode("utf-8"), admin_password.encode("utf-8"))
    proxied = {name.lower() for name in headers} & set(PROXY_HEADERS)
    return client is not None and is_loopback(client) and not proxied


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
