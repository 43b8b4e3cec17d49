"""Who may use the web chat and how often: optional password, per-client rate limit."""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from pathlib import Path

LOOPBACK = ("127.0.0.1", "localhost", "::1")
RATE_LIMIT_PER_MINUTE = 20
RATE_LIMITED_TEXT = "提问太频繁了，请稍等一会儿再问（每分钟最多 {limit} 个问题）。"


def credentials_from_env(env: dict[str, str] | None = None) -> list[tuple[str, str]] | None:
    """ASSISTANT_AUTH=user:pass (several separated by commas) or ASSISTANT_AUTH_FILE (one user:pass a line)."""
    env = os.environ if env is None else env
    entries = [e for e in (env.get("ASSISTANT_AUTH") or "").split(",") if e.strip()]
    if env.get("ASSISTANT_AUTH_FILE"):
        entries += [line for line in Path(env["ASSISTANT_AUTH_FILE"]).read_text(encoding="utf-8").splitlines()
                    if line.strip() and not line.startswith("#")]
    pairs = []
    for entry in entries:
        user, sep, password = entry.strip().partition(":")
        if not sep or not user or not password:
            raise ValueError("ASSISTANT_AUTH 的格式应为 用户名:密码（多个用逗号分隔）")
        pairs.append((user, password))
    return pairs or None


def is_loopback(host: str) -> bool:
    return host in LOOPBACK


def rate_limiter_from_env(env: dict[str, str] | None = None) -> RateLimiter | None:
    """ASSISTANT_RATE_LIMIT questions per minute per client (default 20); 0 turns the limit off."""
    env = os.environ if env is None else env
    raw = (env.get("ASSISTANT_RATE_LIMIT") or str(RATE_LIMIT_PER_MINUTE)).strip()
    try:
        limit = int(raw)
    except ValueError:
        raise ValueError(f"ASSISTANT_RATE_LIMIT 应是整数（每分钟问题数，0 表示不限），而不是「{raw}」") from None
    return RateLimiter(limit) if limit > 0 else None


class RateLimiter:
    """At most `limit` requests per client in any `window` seconds (thread-safe, in memory)."""

    def __init__(self, limit: int = RATE_LIMIT_PER_MINUTE, window: float = 60.0) -> None:
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
