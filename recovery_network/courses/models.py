"""Who is enrolled on a course (by first name or initials, nothing more), which sessions they came to, and completion."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recovery_network.audit.models import AUDIT_SUBJECT
from recovery_network.extensions import db
from recovery_network.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from recovery_network.meetings.models import Meeting

ENROLLED = "enrolled"
COMPLETED = "completed"
LEFT = "left"


def certificate_code() -> str:
    """A random id for a certificate's URL, so enrolment ids are never enumerable."""
    return secrets.token_urlsafe(9)


class Enrolment(db.Model):
    """One person on one course: a first name or initials only (no surname, prison number, offence or health)."""

    __tablename__ = "enrolments"
    __table_args__ = (
        CheckConstraint(f"status IN ('{ENROLLED}', '{COMPLETED}', '{LEFT}')", name="status"),
        CheckConstraint(f"(status = '{COMPLETED}') = (completed_on IS NOT NULL)", name="completed_has_date"),
        CheckConstraint("length(name) BETWEEN 1 AND 20", name="name_length"),
        AUDIT_SUBJECT,  # enrolments are audited: an id is never handed to a later enrolment
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True, default=certificate_code)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16), default=ENROLLED)
    enrolled_on: Mapped[date] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    # Set when the person on the course is also on a pathway: a closed course is offered to that plan only then.
    # Erasing the pathway clears it (the course keeps its own register).
    pathway_id: Mapped[int | None] = mapped_column(ForeignKey("pathways.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting: Mapped[Meeting] = relationship()
    attendances: Mapped[list[Attendance]] = relationship(
        back_populates="enrolment", cascade="all, delete-orphan", order_by="Attendance.session_date")

    @property
    def attended(self) -> set[date]:
        """The sessions (by the rule's date) this person came to."""
        return {a.session_date for a in self.attendances}


class Attendance(db.Model):
    """One enrolled person came to one session, identified by the rule's original date."""

    __tablename__ = "attendances"
    __table_args__ = (UniqueConstraint("enrolment_id", "session_date", name="uq_attendances_session"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"), index=True)
    session_date: Mapped[date] = mapped_column(Date)

    enrolment: Mapped[Enrolment] = relationship(back_populates="attendances")
