"""Private calendars behind secret links (a person's rota, a pathway): the parts every such feed shares.

Capability URLs (W3C TAG): at least 128 random bits, only a hash stored, compared in constant time,
answered as private, uncacheable by others, never indexed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import Response, request

MAX_TOKEN = 100


def new_token() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Only this is stored: a copy of the database can't be turned back into working links."""
    return hashlib.sha256(token.encode()).hexdigest()


def plausible(token: str) -> bool:
    """Refuse absurd input before touching the database."""
    return bool(token) and len(token) <= MAX_TOKEN


def same_hash(stored: str, token: str) -> bool:
    """Constant-time comparison of a stored hash with a presented token's."""
    return hmac.compare_digest(stored, token_hash(token))


def calendar_response(body: bytes) -> Response:
    """A private calendar: text/calendar, private and revalidated, noindex, conditional on its ETag."""
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.cache_control.private = True
    response.cache_control.no_cache = True
    response.headers["X-Robots-Tag"] = "noindex"
    response.add_etag()
    return response.make_conditional(request)
