"""Release pathways: a deliberately thin record of a plan for the weeks either side of release.

Stored: a reference, a first name or initials, the releasing establishment, the release date, the
destination area (a town or postcode district, never an address), the mentor, and consent. Never a
surname, prison number, date of birth, offence, sentence, health detail or free-text case notes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recovery_network.audit.models import AUDIT_SUBJECT
from recovery_network.extensions import db
from recovery_network.feeds.models import FeedToken
from recovery_network.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from recovery_network.accounts.models import Person
    from recovery_network.venues.models import Venue

# Items that happen inside the prison: never on the person's phone (see feeds.plan_calendar).
INSIDE_KINDS = ("custody_session", "agency_visit")
ITEM_KINDS = ("custody_session", "gate_meet", "community_meeting", "appointment", "agency_visit", "leave_visit")
# What an item can be: planned, done (a visit that happened), or review (a date chosen by hand that a new release
# date left outside the window, kept for a decision). A cancelled or moved date is its meeting's occurrence.
ITEM_STATUSES = ("planned", "done", "review")
# How a contact happened; "no_response" is a try that reached nobody (it opens a follow-up).
CONTACT_MODES = ("face_to_face", "phone", "video", "gate", "agency_visit", "no_response")
# How a pathway ended: its six weeks (or agreed extension) ran out, or an outcome the mentor recorded.
CLOSE_REASONS = ("ended", "back_in_custody", "moved_away", "withdrew_consent", "lost_contact")


def _in(column: str, values: tuple[str, ...]) -> str:
    """A CHECK that a column holds one of the codes."""
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class Pathway(db.Model):
    """One person's plan through the gate, visible only to their mentor, co-ordinators and admins."""

    __tablename__ = "pathways"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'closed', 'withdrawn')", name="status"),
        CheckConstraint("length(first_name) <= 40", name="first_name_short"),
        CheckConstraint("close_reason IS NULL OR " + _in("close_reason", CLOSE_REASONS), name="close_reason"),
        AUDIT_SUBJECT,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    first_name: Mapped[str] = mapped_column(String(40))
    establishment_id: Mapped[int] = mapped_column(ForeignKey("venues.id"))
    # The organisation that owns the pathway (organisations/access.py); a handover moves it (pathways/sharing.py).
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    release_date: Mapped[date] = mapped_column(Date, index=True)
    destination: Mapped[str] = mapped_column(String(60))
    destination_latitude: Mapped[float] = mapped_column(Float)
    destination_longitude: Mapped[float] = mapped_column(Float)
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    backup_mentor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    # The mentor outside meets the person at the gate and in the community: no prison clearance needed.
    community_mentor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    # Consent: what was agreed (short codes), when, by whom it was recorded; withdrawable.
    consent_scope: Mapped[str] = mapped_column(String(80))
    consent_version: Mapped[str] = mapped_column(String(16))
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    consent_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    # Calendar titles stay neutral unless the person chose plain ones at consent.
    plain_titles: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default="open")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    close_reason: Mapped[str | None] = mapped_column(String(24))
    purge_after: Mapped[date | None] = mapped_column(Date, index=True)
    gate_time: Mapped[str] = mapped_column(String(5), default="09:00")
    # The mentor's mark that the printed pack is ready to leave at the gate (cleared when the plan moves).
    pack_ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    establishment: Mapped[Venue] = relationship()
    mentor: Mapped[Person | None] = relationship(foreign_keys=[mentor_id])
    backup_mentor: Mapped[Person | None] = relationship(foreign_keys=[backup_mentor_id])
    community_mentor: Mapped[Person | None] = relationship(foreign_keys=[community_mentor_id])
    items: Mapped[list[PathwayItem]] = relationship(
        back_populates="pathway", cascade="all, delete-orphan", order_by="PathwayItem.starts_at"
    )
    contacts: Mapped[list[ContactRecord]] = relationship(
        back_populates="pathway", cascade="all, delete-orphan", order_by="ContactRecord.on"
    )
    feed_tokens: Mapped[list[FeedToken]] = relationship(cascade="all, delete-orphan")
    # Everything below is the person's too, so it goes with the pathway (erasure deletes the pathway row).
    plan_areas: Mapped[list[PlanArea]] = relationship(cascade="all, delete-orphan", order_by="PlanArea.id")
    follow_ups: Mapped[list[FollowUp]] = relationship(cascade="all, delete-orphan", order_by="FollowUp.id")
    home_leave: Mapped[list[HomeLeave]] = relationship(cascade="all, delete-orphan", order_by="HomeLeave.starts_on")
    extensions: Mapped[list[Extension]] = relationship(cascade="all, delete-orphan", order_by="Extension.id")
    shares: Mapped[list[PathwayShare]] = relationship(cascade="all, delete-orphan", order_by="PathwayShare.id")
    referral: Mapped[Referral | None] = relationship(cascade="all, delete-orphan", back_populates="pathway",
                                                     single_parent=True)

    @property
    def gate_mentor(self) -> Person | None:
        """Who meets the person at the gate and outside: the community mentor if there is one."""
        return self.community_mentor or self.mentor

    @property
    def support_weeks(self) -> int:
        """Six weeks out, plus four for each agreed extension."""
        from recovery_network.pathways.standards import support_weeks

        return support_weeks(len(self.extensions))


class PathwayItem(db.Model):
    """One thing in the plan: a session inside, the gate meeting, a community meeting, an appointment."""

    __tablename__ = "pathway_items"
    __table_args__ = (
        CheckConstraint(_in("kind", ITEM_KINDS), name="kind"),
        CheckConstraint(_in("status", ITEM_STATUSES), name="status"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        UniqueConstraint("pathway_id", "meeting_id", "occurrence_date", name="uq_pathway_items_occurrence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[int] = mapped_column(ForeignKey("pathways.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))
    occurrence_date: Mapped[date | None] = mapped_column(Date)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # What the appointment is for, as a code (appointments.KINDS); the agency and place the mentor fills in.
    purpose: Mapped[str] = mapped_column(String(16), default="")
    agency: Mapped[str] = mapped_column(String(80), default="")
    place: Mapped[str] = mapped_column(String(120), default="")
    # An appointment without a time yet is a whole-day "to be confirmed", never a made-up hour.
    all_day: Mapped[bool] = mapped_column(default=False)
    # Chosen or edited by hand: a new release date keeps it (or asks), never silently drops it.
    chosen: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default="planned")
    # Goes up with every change to the item or to the occurrence it points at, so phones update (RFC 5545).
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    # The sequence the mentor has passed on to the person; below `sequence` means "tell them".
    told_sequence: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    pathway: Mapped[Pathway] = relationship(back_populates="items")


class ContactRecord(db.Model):
    """The mentor's note that a contact happened, and how, or that a try reached nobody: a code, no narrative."""

    __tablename__ = "contact_records"
    __table_args__ = (CheckConstraint(_in("mode", CONTACT_MODES), name="mode"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[int] = mapped_column(ForeignKey("pathways.id", ondelete="CASCADE"), index=True)
    on: Mapped[date] = mapped_column(Date)
    mode: Mapped[str] = mapped_column(String(16))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    pathway: Mapped[Pathway] = relationship(back_populates="contacts")


class PathwayTally(db.Model):
    """Anonymous counts for funders, by month, establishment and destination area; all that survives erasure."""

    __tablename__ = "pathway_tallies"
    __table_args__ = (UniqueConstraint("month", "measure", "establishment", "area", name="uq_pathway_tallies_cell"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    measure: Mapped[str] = mapped_column(String(32))
    # Names, not ids: a prison and a local-authority area, never anything finer; "" for counts kept before 0030.
    establishment: Mapped[str] = mapped_column(String(120), default="")
    area: Mapped[str] = mapped_column(String(120), default="")
    count: Mapped[int] = mapped_column(Integer, default=0)


# The throughcare records hang off the pathway; they live in their own module to keep this one short.
from recovery_network.pathways.throughcare_models import (  # noqa: E402
    Extension, FollowUp, HomeLeave, PlanArea, Referral,
)
from recovery_network.pathways.share_models import PathwayShare  # noqa: E402

__all__ = ["ContactRecord", "Extension", "FollowUp", "HomeLeave", "Pathway", "PathwayItem",
           "PathwayShare", "PathwayTally", "PlanArea", "Referral"]
