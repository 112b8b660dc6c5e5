"""Reading a feed to import from a file or an http(s) URL, bounded in size and time.

No Flask, no database. Only http and https are fetched, redirects included (urllib would otherwise
follow a redirect to ftp://), with a timeout and a size cap, so a slow or huge answer can't hang or
fill the machine.
"""

from __future__ import annotations

import re
from http.client import HTTPException
from pathlib import Path
from urllib.error import URLError
from urllib.parse import urlsplit
from urllib.request import HTTPRedirectHandler, Request, build_opener

MAX_FEED_BYTES = 20 * 1024 * 1024
TIMEOUT_SECONDS = 30.0
_URL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://")


class FeedNotFetched(Exception):
    """The feed could not be read; the message says what to check."""


def is_url(location: str) -> bool:
    """Whether the import was given a URL (of any scheme) rather than a file path."""
    return bool(_URL.match(location))


class _HttpOnlyRedirects(HTTPRedirectHandler):
    """Follow redirects to http(s) addresses only."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        """Refuse a redirect that leaves http(s)."""
        if urlsplit(newurl).scheme.lower() not in ("http", "https"):
            raise URLError(f"redirected to a non-http address: {newurl[:80]}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def load_feed(location: str, *, max_bytes: int = MAX_FEED_BYTES, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """The bytes of a feed file or http(s) URL, refused past max_bytes."""
    if is_url(location):
        return _fetch(location, max_bytes, timeout)
    path = Path(location)
    try:
        if path.stat().st_size > max_bytes:
            raise FeedNotFetched(f"{location} is bigger than {max_bytes // 2**20} MB")
        return path.read_bytes()
    except OSError as error:
        raise FeedNotFetched(f"Couldn't read {location}: {error.strerror or error}") from None


def _fetch(url: str, max_bytes: int, timeout: float) -> bytes:
    """GET an http(s) URL with a timeout, reading at most max_bytes."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FeedNotFetched("Only http:// and https:// feeds can be fetched; give a file path otherwise.")
    request = Request(url, headers={
        "User-Agent": "recovery-network-import/1",
        "Accept": "application/json, text/csv;q=0.9, */*;q=0.1",
    })
    try:
        with build_opener(_HttpOnlyRedirects).open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length", "")
            if length.isascii() and length.isdigit() and int(length) > max_bytes:
                raise FeedNotFetched(f"The feed is bigger than {max_bytes // 2**20} MB")
            data = response.read(max_bytes + 1)
    except (URLError, HTTPException, OSError, ValueError) as error:
        reason = getattr(error, "reason", None) or error
        raise FeedNotFetched(f"Couldn't fetch {url}: {reason}") from None
    if len(data) > max_bytes:
        raise FeedNotFetched(f"The feed is bigger than {max_bytes // 2**20} MB")
    return data
