"""One secret-link model for every private calendar: a person's rota or a pathway's plan (issue #12)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from recovery_network.extensions import db
from recovery_network.types import UTCDateTime, utcnow


class FeedToken(db.Model):
    """A private calendar link: only the SHA-256 of the token is kept; it belongs to a person or a pathway."""

    __tablename__ = "feed_tokens"
    # Exactly one owner, so a rota link can never be read as a plan's, and erasing either owner
    # (ON DELETE CASCADE) takes its links with it.
    __table_args__ = (CheckConstraint("(person_id IS NULL) <> (pathway_id IS NULL)", name="one_owner"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    pathway_id: Mapped[int | None] = mapped_column(ForeignKey("pathways.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
