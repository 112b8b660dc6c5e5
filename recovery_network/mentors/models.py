"""The register: courses, verified training, per-establishment prison clearance, and PVG membership."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recovery_network.audit.models import AUDIT_SUBJECT
from recovery_network.extensions import db
from recovery_network.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from recovery_network.accounts.models import Person
    from recovery_network.venues.models import Venue

# Training moves: a volunteer submits (pending); only a co-ordinator verifies, rejects or revokes.
TRAINING_STATUSES = ("pending", "verified", "rejected", "revoked")
# Clearance moves are made by a co-ordinator and each one is kept in ClearanceChange.
CLEARANCE_STATUSES = ("requested", "pending", "approved", "suspended", "expired", "revoked")
LIVE_CLEARANCE = ("requested", "pending", "approved", "suspended")
PVG_STATUSES = ("not_required", "applied", "member", "lapsed", "left_regulated_role")


class Course(db.Model):
    """A course in the catalogue; `qualifies_for` names the rota role it lets people take."""

    __tablename__ = "courses"
    __table_args__ = (
        CheckConstraint("refresh_months IS NULL OR refresh_months BETWEEN 1 AND 120", name="refresh"),
        CheckConstraint("qualifies_for IS NULL OR qualifies_for IN ('peer_mentor', 'facilitator')", name="qualifies"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    # No published expiry exists for SMART facilitator training; the network may set a local refresh.
    refresh_months: Mapped[int | None] = mapped_column(Integer)
    qualifies_for: Mapped[str | None] = mapped_column(String(24))


class TrainingRecord(db.Model):
    """Someone completed a course; it counts only once a co-ordinator (never themselves) has verified it."""

    __tablename__ = "training_records"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'verified', 'rejected', 'revoked')", name="status"),
        CheckConstraint("expires_on IS NULL OR expires_on > completed_on", name="expires_after"),
        # When it was verified is the evidence; who verified it may later leave and be erased (their id goes
        # to NULL), which must not make the volunteer's own training invalid or their erasure impossible.
        CheckConstraint("status <> 'verified' OR verified_at IS NOT NULL", name="verified_has_date"),
        # Nobody verifies their own training, even by editing the database through the app.
        CheckConstraint("verified_by_id IS NULL OR verified_by_id <> person_id", name="no_self_verify"),
        Index("uq_training_current", "person_id", "course_id", unique=True,
              sqlite_where=text("status IN ('pending', 'verified')"),
              postgresql_where=text("status IN ('pending', 'verified')")),
        AUDIT_SUBJECT,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    completed_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    course: Mapped[Course] = relationship()


class Clearance(db.Model):
    """Clearance to go into one custody establishment, with the dates it holds between."""

    __tablename__ = "clearances"
    __table_args__ = (
        CheckConstraint(
            "status IN ('requested', 'pending', 'approved', 'suspended', 'expired', 'revoked')", name="status"
        ),
        CheckConstraint("status <> 'approved' OR valid_from IS NOT NULL", name="approved_has_start"),
        CheckConstraint("expires_on IS NULL OR valid_from IS NULL OR expires_on >= valid_from", name="dates"),
        Index("uq_clearance_live", "person_id", "venue_id", unique=True,
              sqlite_where=text("status IN ('requested', 'pending', 'approved', 'suspended')"),
              postgresql_where=text("status IN ('requested', 'pending', 'approved', 'suspended')")),
        AUDIT_SUBJECT,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="requested")
    valid_from: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)
    # The establishment's own reference, if it gives one; never vetting content.
    establishment_ref: Mapped[str] = mapped_column(String(40), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    venue: Mapped[Venue] = relationship()
    changes: Mapped[list[ClearanceChange]] = relationship(
        back_populates="clearance", cascade="all, delete-orphan", order_by="ClearanceChange.at"
    )


class ClearanceChange(db.Model):
    """One recorded move of a clearance (from → to, by whom, when); reasons are never stored."""

    __tablename__ = "clearance_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    clearance_id: Mapped[int] = mapped_column(ForeignKey("clearances.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    clearance: Mapped[Clearance] = relationship(back_populates="changes")


class PvgMembership(db.Model):
    """PVG scheme membership as a fact with dates; never the content of a disclosure."""

    __tablename__ = "pvg_memberships"
    __table_args__ = (
        CheckConstraint(
            "status IN ('not_required', 'applied', 'member', 'lapsed', 'left_regulated_role')", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(24), default="applied")
    confirmed_on: Mapped[date | None] = mapped_column(Date)
    renewal_due: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
