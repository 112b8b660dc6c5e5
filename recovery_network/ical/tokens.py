"""Private calendars behind secret links (a person's rota, a pathway): the token rules every such feed shares.

Capability URLs (W3C TAG): at least 128 random bits, only a hash stored, compared in constant time,
answered as private, uncacheable by others, never indexed (feeds/private.py answers).
Pure: no Flask, no database.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

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

