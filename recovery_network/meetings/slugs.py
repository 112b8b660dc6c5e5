"""Meeting URLs: readable slugs for public series, unguessable ones for custody sessions."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from recovery_network.extensions import db
from recovery_network.meetings.models import Meeting
from recovery_network.slugs import slugify

__all__ = ["custody_slug", "slugify", "unique_slug"]  # slugify lives on the ground floor (slugs.py)


def custody_slug(base: str) -> str:
    """A custody session's slug ends in random letters, so a public title can never collide with it and reveal it."""
    return f"{slugify(base)[:60].rstrip('-')}-{secrets.token_hex(5)}"


def unique_slug(base: str) -> str:
    """The base slug, or the base with a number added, so that no two meetings share a URL."""
    slug, n = slugify(base), 2
    candidate = slug
    while db.session.scalar(select(Meeting.id).where(Meeting.slug == candidate)) is not None:
        candidate = f"{slug}-{n}"
        n += 1
    return candidate
