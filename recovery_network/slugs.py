"""Readable URL slugs from names: one rule for meetings, venues and areas (pure: no Flask, no database)."""

from __future__ import annotations

import re
import unicodedata


def slugify(text: str) -> str:
    """A URL-safe slug: ASCII letters, digits and hyphens only (no dots, so '.ics' is unambiguous)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80] or "meeting"
