"""A small cache for values keyed by Programme.data_version.

Entries are only ever looked up by a key that includes the current data version, so an
entry can be old but never wrong. In one process a bounded dict is enough; with REDIS_URL
set, gunicorn workers share entries (values are pickled, with a short expiry).
"""

from __future__ import annotations

import logging
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from flask import current_app

logger = logging.getLogger(__name__)


class LocalCache:
    def __init__(self, max_entries: int = 512) -> None:
        self._entries: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_entries

    def get(self, key: str) -> Any | None:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        return None

    def set(self, key: str, value: Any) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def forget_shared(self) -> int:
        """Drop every entry; return how many there were (this worker's are the only ones)."""
        with self._lock:
            count = len(self._entries)
            self._entries.clear()
        return count

    def answers(self) -> bool:
        return True


class RedisCache:
    """Entries shared by every worker through Redis. Redis is only ever a cache here: when it does not
    answer, a worker goes on with its own entries (computing what it lacks) instead of failing."""

    def __init__(self, url: str, prefix: str = "tracker:", ttl_seconds: int = 3600) -> None:
        import redis

        self._client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._unavailable: tuple[type[Exception], ...] = (redis.RedisError, OSError)
        self._prefix = prefix
        self._ttl = ttl_seconds
        self._local = LocalCache()  # saves the round trip for entries this worker already has

    def get(self, key: str) -> Any | None:
        value = self._local.get(key)
        if value is not None:
            return value
        try:
            raw = self._client.get(self._prefix + key)
        except self._unavailable:
            logger.warning("Redis did not answer; using this worker's own cache")
            return None
        if raw is None:
            return None
        value = pickle.loads(raw)  # type: ignore[arg-type]  # redis returns bytes unless decode_responses
        self._local.set(key, value)
        return value

    def set(self, key: str, value: Any) -> None:
        self._local.set(key, value)
        try:
            self._client.set(self._prefix + key, pickle.dumps(value), ex=self._ttl)
        except self._unavailable:
            logger.warning("Redis did not answer; the entry is kept in this worker only")

    def clear(self) -> None:
        self._local.clear()

    def forget_shared(self) -> int:
        """Delete every entry of this installation from Redis (and this worker's copies); return how many.

        After a restore the data versions go back: entries made for those versions since the backup
        would otherwise be served for different data until they expire.
        """
        self._local.clear()
        keys = list(self._client.scan_iter(match=self._prefix + "*", count=1000))
        for start in range(0, len(keys), 1000):
            self._client.delete(*keys[start : start + 1000])
        return len(keys)

    def answers(self) -> bool:
        try:
            return bool(self._client.ping())
        except self._unavailable:
            return False


def get_cache() -> LocalCache | RedisCache:
    return current_app.extensions["tracker_cache"]


def init_cache(app) -> None:
    url = app.config.get("REDIS_URL")
    # Workers of one installation share entries through the prefix; two installations on one Redis must not.
    prefix = app.config.get("CACHE_KEY_PREFIX", "tracker:")
    app.extensions["tracker_cache"] = RedisCache(url, prefix=prefix) if url else LocalCache()


def cached(key: str, compute: Callable[[], Any]) -> Any:
    """Return the cached value for key, computing and storing it on a miss."""
    cache = get_cache()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value)
    return value
