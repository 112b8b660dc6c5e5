"""Throughcare records on a pathway: the integration plan, follow-ups, home leave, extensions, and referrals.

Each holds codes, dates and short agreed wording only; each is erased with its pathway (or, for a declined
referral, after the retention period). Never a surname, prison number, date of birth, offence or health detail.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recovery_network.audit.models import AUDIT_SUBJECT
from recovery_network.extensions import db
from recovery_network.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from recovery_network.pathways.models import Pathway
    from recovery_network.venues.models import Venue

# The community integration plan's eight areas (throughcare.md; the SPS "community integration plan").
PLAN_AREAS: dict[str, str] = {
    "housing": "Housing",
    "income": "Income and benefits",
    "health": "Health and GP",
    "treatment": "Treatment and prescribing",
    "recovery": "Recovery and mutual aid",
    "work": "Employment, learning and volunteering",
    "family": "Family and relationships",
    "justice": "Justice (licence, justice social work)",
}
WHO = {"person": "They do it themselves", "mentor": "The mentor", "agency": "An agency"}
PLAN_STATUSES = {"to_do": "To do", "in_hand": "In hand", "done": "Done", "not_needed": "Not needed"}
FOLLOW_UP_REASONS = ("no_response", "silent")
# What closes a follow-up: the next contact, or an outcome that also closes the pathway.
# "handed_over": the pathway went to another organisation without the notes the silence was read from.
FOLLOW_UP_CLOSERS = ("contact", "back_in_custody", "moved_away", "withdrew_consent", "lost_contact", "ended",
                     "handed_over")
CONSENT_HOW = {"in_person": "In person", "phone": "By phone", "video": "By video call", "letter": "In writing"}
REFERRAL_STATUSES = ("new", "accepted", "declined")
DECLINE_REASONS = {
    "not_eligible": "Not in the service's area or priority groups",
    "declined_service": "The person decided against it",
    "release_too_soon": "Release too soon to plan",
    "no_capacity": "No mentor available",
    "duplicate": "Already referred",
}
EXTENSION_REASONS = {
    "agreed_more_support": "The person asked for more support",
    "housing_not_settled": "Housing not settled yet",
    "awaiting_service": "Waiting for a service to start",
    "handover": "Handing over to another service",
}


def _in(column: str, values) -> str:
    """A CHECK that a column holds one of the codes."""
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class PlanArea(db.Model):
    """One area of the community integration plan: what is agreed, who does it, by when, where it stands."""

    __tablename__ = "pathway_plan_areas"
    __table_args__ = (
        UniqueConstraint("pathway_id", "area", name="uq_pathway_plan_areas_area"),
        CheckConstraint(_in("area", PLAN_AREAS), name="area"),
        CheckConstraint(_in("who", WHO), name="who"),
        CheckConstraint(_in("status", PLAN_STATUSES), name="status"),
        # An agency is named when an agency does it, and only then.
        CheckConstraint("(who = 'agency') = (agency <> '')", name="agency_named"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[int] = mapped_column(ForeignKey("pathways.id", ondelete="CASCADE"), index=True)
    area: Mapped[str] = mapped_column(String(16))
    agreed: Mapped[str] = mapped_column(String(120), default="")
    who: Mapped[str] = mapped_column(String(8), default="person")
    agency: Mapped[str] = mapped_column(String(80), default="")
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="to_do")


class FollowUp(db.Model):
    """A non-response (or a silence after release) to act on; escalated to the co-ordinators when it persists."""

    __tablename__ = "pathway_follow_ups"
    __table_args__ = (
        CheckConstraint(_in("reason", FOLLOW_UP_REASONS), name="reason"),
        CheckConstraint("closed_by IS NULL OR " + _in("closed_by", FOLLOW_UP_CLOSERS), name="closed_by"),
        CheckConstraint("(closed_on IS NULL) = (closed_by IS NULL)", name="closed_together"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[int] = mapped_column(ForeignKey("pathways.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(16))
    opened_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    escalated_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_by: Mapped[str | None] = mapped_column(String(24))

    pathway: Mapped[Pathway] = relationship(back_populates="follow_ups")


class HomeLeave(db.Model):
    """Days of home leave before liberation: a chance to meet the community mentor and try a meeting near home."""

    __tablename__ = "pathway_home_leave"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[int] = mapped_column(ForeignKey("pathways.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)


class Extension(db.Model):
    """Four more weeks of support, agreed with the person, with the reason as a code."""

    __tablename__ = "pathway_extensions"
    __table_args__ = (CheckConstraint(_in("reason", EXTENSION_REASONS), name="reason"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[int] = mapped_column(ForeignKey("pathways.id", ondelete="CASCADE"), index=True)
    agreed_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(24))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))


class Referral(db.Model):
    """A referral from establishment staff or a partner: the pathway's minimal fields plus how consent was taken."""

    __tablename__ = "pathway_referrals"
    __table_args__ = (
        CheckConstraint(_in("status", REFERRAL_STATUSES), name="status"),
        CheckConstraint(_in("consent_how", CONSENT_HOW), name="consent_how"),
        CheckConstraint("decline_reason IS NULL OR " + _in("decline_reason", DECLINE_REASONS), name="decline_reason"),
        CheckConstraint("status <> 'declined' OR decline_reason IS NOT NULL", name="declined_has_reason"),
        CheckConstraint("length(first_name) <= 40", name="first_name_short"),
        AUDIT_SUBJECT,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True)
    first_name: Mapped[str] = mapped_column(String(40))
    establishment_id: Mapped[int] = mapped_column(ForeignKey("venues.id"))
    release_date: Mapped[date] = mapped_column(Date)
    destination: Mapped[str] = mapped_column(String(60))
    destination_latitude: Mapped[float] = mapped_column(Float)
    destination_longitude: Mapped[float] = mapped_column(Float)
    # Who referred (the organisation), who took the person's consent, when and how.
    referrer_org: Mapped[str] = mapped_column(String(80))
    consent_taken_by: Mapped[str] = mapped_column(String(60))
    consent_on: Mapped[date] = mapped_column(Date)
    consent_how: Mapped[str] = mapped_column(String(12))
    referred_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    # The organisation it is addressed to, from the start: its co-ordinators see, accept and decline it, and own
    # the pathway it becomes (organisations/access.py). None only for an old row in a network with no organisation.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="new")
    decline_reason: Mapped[str | None] = mapped_column(String(24))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    # An accepted referral lives and dies with its pathway; a declined one is erased after retention.
    pathway_id: Mapped[int | None] = mapped_column(ForeignKey("pathways.id", ondelete="CASCADE"), unique=True)
    purge_after: Mapped[date | None] = mapped_column(Date, index=True)

    establishment: Mapped[Venue] = relationship()
    pathway: Mapped[Pathway | None] = relationship(back_populates="referral")
