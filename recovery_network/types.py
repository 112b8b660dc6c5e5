"""Column types shared by every domain."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """The current instant, always aware and in UTC, for created/updated stamps."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """An instant stored as UTC and read back aware, so SQLite and PostgreSQL agree."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        """Refuse naive datetimes: an instant without an offset is ambiguous across clock changes."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs an aware datetime")
        value = value.astimezone(timezone.utc)
        # SQLite has no time zone type; store naive UTC there.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        """Always hand back an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def render_migration_type(type_: str, obj, autogen_context) -> str | bool:
    """Write UTCDateTime into migrations as a plain DateTime, so migrations never import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False
