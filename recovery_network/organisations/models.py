"""Organisations and their members (people with accounts)."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recovery_network.accounts.models import Person
from recovery_network.audit.models import AUDIT_SUBJECT
from recovery_network.extensions import db
from recovery_network.types import UTCDateTime, utcnow

KINDS = ("prison_team", "mentoring", "throughcare", "community")
KIND_NAMES = {
    "prison_team": "A prison's recovery team",
    "mentoring": "A mentoring charity",
    "throughcare": "A throughcare service",
    "community": "A recovery community",
}

# The kinds that take on people leaving prison: a referral is addressed to one of these (when there is one).
TAKES_REFERRALS = ("mentoring", "throughcare")


def new_public_id() -> str:
    """A random id for URLs, so organisations are not enumerable by number."""
    return secrets.token_urlsafe(12)


class Organisation(db.Model):
    """A service in the network that owns meetings and pathways and whose co-ordinators act for it."""

    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint("kind IN (" + ", ".join(f"'{k}'" for k in KINDS) + ")", name="kind"),
        AUDIT_SUBJECT,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[Membership]] = relationship(back_populates="organisation", cascade="all, delete-orphan")

    @property
    def kind_name(self) -> str:
        """The kind in words."""
        return KIND_NAMES.get(self.kind, self.kind)


class Membership(db.Model):
    """One person in one organisation; added by an admin, or by a co-ordinator of that organisation."""

    __tablename__ = "organisation_members"
    __table_args__ = (UniqueConstraint("organisation_id", "person_id", name="uq_organisation_members_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    # Erasing a person's account removes them from every organisation.
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship(back_populates="members")
    person: Mapped[Person] = relationship(foreign_keys=[person_id])
