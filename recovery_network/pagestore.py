"""Where kept public answers live: a small LRU in each worker, and Redis (PAGE_CACHE_URL) shared by all of them.

The worker's own memory answers first (a dictionary lookup); Redis, when configured, lets one render serve every
worker and node. Redis holds nothing private (pagecache.py stores only answers that are the same for everyone)
and is never needed: when it cannot be reached the worker renders for itself and says so once in the log.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone
from threading import Lock

MAX_ANSWERS = 1024
# A kept answer expires at the latest at midnight; Redis forgets it then too, or after an hour unread.
MAX_REDIS_SECONDS = 3600
REDIS_PAUSE_SECONDS = 30  # after a Redis fault, don't wait on it again for this long
REDIS_TIMEOUT_SECONDS = 0.2
PREFIX = "rn:answer:"
# Compressed once when kept, not per request: below a packet it isn't worth it; text shrinks five- to tenfold.
GZIP_FROM_BYTES = 1400
GZIP_TYPES = ("text/", "application/json", "application/problem+json")


HTMX_ENVIRON = ("HTTP_HX_REQUEST", "HTTP_HX_BOOSTED", "HTTP_HX_HISTORY_RESTORE_REQUEST", "HTTP_HX_TARGET")


def environ_key(env: dict) -> str:
    """The request as far as a kept answer depends on it: scheme and host (links are absolute), path, query, htmx.

    Read from the WSGI environ as sent, so the Flask hook and the WSGI layer in front of it agree on every key.
    """
    parts = [env.get("wsgi.url_scheme", ""), env.get("HTTP_HOST", ""), env.get("SCRIPT_NAME", ""),
             env.get("PATH_INFO", ""), env.get("QUERY_STRING", ""), *(env.get(h, "") for h in HTMX_ENVIRON)]
    return hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


@dataclass(frozen=True)
class Answer:
    """A rendered 200, valid while the content version is `version` and until `expires`."""

    version: int
    expires: datetime
    etag: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    gzipped: bytes | None = None

    @classmethod
    def made(cls, version: int, expires: datetime, etag: str, headers: tuple, body: bytes) -> Answer:
        """An answer, with its gzipped bytes when it is text worth compressing."""
        kind = dict(headers).get("Content-Type", "")
        worth = len(body) >= GZIP_FROM_BYTES and kind.startswith(GZIP_TYPES)
        # mtime=0: the same body always gives the same bytes, so every worker's "-gzip" ETag matches.
        return cls(version, expires, etag, headers, body, gzip.compress(body, 6, mtime=0) if worth else None)

    def current(self, version: int, now: datetime) -> bool:
        """Built at this version, and nothing it shows has ended or moved day since."""
        return self.version == version and now < self.expires

    def to_bytes(self) -> bytes:
        """One JSON line of metadata, then the body, then its gzipped bytes if any."""
        meta = {"v": self.version, "x": self.expires.timestamp(), "e": self.etag, "h": self.headers,
                "n": len(self.body)}
        return json.dumps(meta).encode() + b"\n" + self.body + (self.gzipped or b"")

    @classmethod
    def from_bytes(cls, data: bytes) -> Answer:
        """The answer to_bytes wrote."""
        line, _, rest = data.partition(b"\n")
        meta = json.loads(line)
        expires = datetime.fromtimestamp(meta["x"], timezone.utc)
        body, gzipped = rest[:meta["n"]], rest[meta["n"]:] or None
        return cls(meta["v"], expires, meta["e"], tuple(tuple(h) for h in meta["h"]), body, gzipped)


class PageStore:
    """The worker's LRU, backed by Redis when a URL is given."""

    def __init__(self, redis_url: str | None = None, size: int = MAX_ANSWERS,
                 logger: logging.Logger | None = None) -> None:
        self.size = size
        self.answers: OrderedDict[str, Answer] = OrderedDict()
        self.lock = Lock()
        self.logger = logger or logging.getLogger(__name__)
        self.redis = None
        self.paused_until = 0.0
        if redis_url:
            import redis

            self.redis = redis.Redis.from_url(
                redis_url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
            )

    @classmethod
    def from_config(cls, config, logger: logging.Logger) -> PageStore:
        """The store the app's settings ask for (PAGE_CACHE_URL unset: memory only)."""
        return cls(config.get("PAGE_CACHE_URL") or None, int(config.get("PAGE_CACHE_SIZE", MAX_ANSWERS)), logger)

    def get(self, key: str, version: int, now: datetime) -> Answer | None:
        """A current answer for this key, from memory or else Redis."""
        with self.lock:
            answer = self.answers.get(key)
            if answer is not None and answer.current(version, now):
                self.answers.move_to_end(key)
                return answer
        answer = self._redis_get(key, version)
        if answer is not None and answer.current(version, now):
            self._remember(key, answer)
            return answer
        return None

    def put(self, key: str, answer: Answer) -> None:
        """Keep an answer here and, when configured, in Redis for the other workers."""
        self._remember(key, answer)
        if self._redis_ready():
            seconds = int(min(MAX_REDIS_SECONDS, (answer.expires - datetime.now(timezone.utc)).total_seconds()))
            if seconds > 0:
                self._redis_call(lambda r: r.set(f"{PREFIX}{answer.version}:{key}", answer.to_bytes(), ex=seconds))

    def clear(self) -> None:
        """Forget every answer in this worker (tests)."""
        with self.lock:
            self.answers.clear()

    def _remember(self, key: str, answer: Answer) -> None:
        """Keep in this worker, dropping the least recently used past the size."""
        with self.lock:
            self.answers[key] = answer
            self.answers.move_to_end(key)
            while len(self.answers) > self.size:
                self.answers.popitem(last=False)

    def _redis_get(self, key: str, version: int) -> Answer | None:
        """The answer another worker kept at this version, if Redis has it."""
        if not self._redis_ready():
            return None
        data = self._redis_call(lambda r: r.get(f"{PREFIX}{version}:{key}"))
        return Answer.from_bytes(data) if data else None

    def _redis_ready(self) -> bool:
        """Redis is configured and not paused after a fault."""
        return self.redis is not None and time.monotonic() >= self.paused_until

    def _redis_call(self, call):
        """Run one Redis command; on a fault, log once and render for ourselves for a while."""
        try:
            return call(self.redis)
        except Exception as error:  # noqa: BLE001 - any Redis fault: the answer can always be rendered here
            self.paused_until = time.monotonic() + REDIS_PAUSE_SECONDS
            self.logger.warning("Page cache: Redis unavailable (%s); rendering locally for %d s",
                                type(error).__name__, REDIS_PAUSE_SECONDS)
            return None
