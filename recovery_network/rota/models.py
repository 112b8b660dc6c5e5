"""The rota: places to fill at each occurrence, and the people signed up to them.

Capacity is the database's job: `filled` is a counter that a CHECK keeps at or below `needed`, moved
only by conditional UPDATEs, and a partial unique index allows one active place per person per
occurrence. Check-then-insert in Python would overbook under load (helfertool #187).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recovery_network.audit.models import AUDIT_SUBJECT
from recovery_network.extensions import db
from recovery_network.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from recovery_network.accounts.models import Person
    from recovery_network.meetings.models import Meeting

ROTA_ROLES = ("facilitator", "peer_mentor")
ACTIVE_SIGNUP = ("confirmed", "waitlisted")


class RotaSlot(db.Model):
    """The places for one role at one occurrence (identified by the rule's original date)."""

    __tablename__ = "rota_slots"
    __table_args__ = (
        UniqueConstraint("meeting_id", "occurrence_date", "role", name="uq_rota_slots_occurrence_role"),
        CheckConstraint("role IN ('facilitator', 'peer_mentor')", name="role"),
        CheckConstraint("needed BETWEEN 0 AND 20", name="needed"),
        # The overbooking backstop: no code path can confirm more people than are needed.
        CheckConstraint("filled >= 0 AND filled <= needed", name="capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    occurrence_date: Mapped[date] = mapped_column(Date, index=True)
    role: Mapped[str] = mapped_column(String(16))
    needed: Mapped[int] = mapped_column(Integer)
    filled: Mapped[int] = mapped_column(Integer, default=0)

    meeting: Mapped[Meeting] = relationship()
    signups: Mapped[list[Signup]] = relationship(back_populates="slot", order_by="Signup.id")


class Signup(db.Model):
    """One person's place (or place in the queue) in a slot."""

    __tablename__ = "signups"
    __table_args__ = (
        CheckConstraint(
            "status IN ('confirmed', 'waitlisted', 'withdrawn', 'released')", name="status"
        ),
        # One active place per person per occurrence, whatever the role.
        Index("uq_signups_one_place", "meeting_id", "occurrence_date", "person_id", unique=True,
              sqlite_where=text("status IN ('confirmed', 'waitlisted')"),
              postgresql_where=text("status IN ('confirmed', 'waitlisted')")),
        Index("ix_signups_slot_status", "slot_id", "status", "id"),
        AUDIT_SUBJECT,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("rota_slots.id", ondelete="CASCADE"))
    # Denormalised from the slot so the unique index can span roles.
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    occurrence_date: Mapped[date] = mapped_column(Date)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    slot: Mapped[RotaSlot] = relationship(back_populates="signups")
    person: Mapped[Person] = relationship(foreign_keys=[person_id])


class OutboxMessage(db.Model):
    """An email to send (reminders, gap alerts); the dedupe key makes each one happen once."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(4000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
