"""People with accounts (volunteers and staff), their roles, and which establishments staff work in."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recovery_network.audit.models import AUDIT_SUBJECT
from recovery_network.extensions import db
from recovery_network.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from recovery_network.venues.models import Venue

PEER_MENTOR = "peer_mentor"
FACILITATOR = "facilitator"
COORDINATOR = "coordinator"
ESTABLISHMENT_STAFF = "establishment_staff"
ADMIN = "admin"
ROLES = (PEER_MENTOR, FACILITATOR, COORDINATOR, ESTABLISHMENT_STAFF, ADMIN)
ROLE_NAMES = {
    PEER_MENTOR: "Peer mentor",
    FACILITATOR: "Facilitator",
    COORDINATOR: "Co-ordinator",
    ESTABLISHMENT_STAFF: "Establishment staff",
    ADMIN: "Admin",
}
# Roles that see everything: they never get remember-me and their sessions time out sooner.
STAFF_ROLES = frozenset({COORDINATOR, ADMIN, ESTABLISHMENT_STAFF})

PENDING = "pending"
ACTIVE = "active"
SUSPENDED = "suspended"


def new_public_id() -> str:
    """A random id for URLs, so that database ids are never enumerable from outside."""
    return secrets.token_urlsafe(12)


class Person(UserMixin, db.Model):
    """Someone with an account. Known publicly only by first name and initial."""

    __tablename__ = "people"
    __table_args__ = (
        CheckConstraint(f"status IN ('{PENDING}', '{ACTIVE}', '{SUSPENDED}')", name="status"),
        CheckConstraint("length(last_initial) <= 1", name="initial_only"),
        AUDIT_SUBJECT,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    first_name: Mapped[str] = mapped_column(String(40))
    # Only an initial: a surname would break the anonymity recovery communities keep.
    last_initial: Mapped[str] = mapped_column(String(1), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    # Bumped on logout-everywhere, password change and suspension: old session cookies stop working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    roles: Mapped[list[PersonRole]] = relationship(back_populates="person", cascade="all, delete-orphan")
    staff_posts: Mapped[list[StaffPost]] = relationship(back_populates="person", cascade="all, delete-orphan")

    # The random name of the login this object was loaded through (never stored; see LoginSession).
    login_nonce = ""

    def get_id(self) -> str:
        """Flask-Login's 'alternative id': version and login nonce are in it, so ending either logs out.

        The session cookie and the remember cookie both carry this id, so deleting the login's row on the
        server ends every copy of either cookie.
        """
        return f"{self.public_id}:{self.session_version}:{self.login_nonce}"

    @property
    def is_active(self) -> bool:
        """Suspended people are logged out on their next request."""
        return self.status != SUSPENDED

    @property
    def is_approved(self) -> bool:
        """Approved by a co-ordinator; pending people can only see their own profile."""
        return self.status == ACTIVE

    @property
    def display_name(self) -> str:
        """First name and initial: how others see this person."""
        return f"{self.first_name} {self.last_initial}." if self.last_initial else self.first_name

    @property
    def role_codes(self) -> set[str]:
        """The roles this person holds."""
        return {r.role for r in self.roles}

    def has_role(self, *roles: str) -> bool:
        """True if the person holds any of the roles (admins hold every power)."""
        held = self.role_codes
        return ADMIN in held or bool(held.intersection(roles))

    @property
    def is_staff(self) -> bool:
        """Co-ordinators, admins and establishment staff."""
        return bool(self.role_codes & STAFF_ROLES)

    @property
    def establishment_ids(self) -> set[int]:
        """The custody establishments this person works in as staff."""
        return {post.venue_id for post in self.staff_posts}

    def __repr__(self) -> str:
        return f"<Person {self.public_id}>"


class PersonRole(db.Model):
    """One role a person holds; granted only by a co-ordinator or admin, and audited."""

    __tablename__ = "person_roles"
    __table_args__ = (
        UniqueConstraint("person_id", "role", name="uq_person_roles_person_role"),
        CheckConstraint("role IN ('peer_mentor', 'facilitator', 'coordinator', 'establishment_staff', 'admin')",
                        name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(24))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[Person] = relationship(back_populates="roles")


class StaffPost(db.Model):
    """Establishment staff work in one or more custody establishments and see only those."""

    __tablename__ = "staff_posts"
    __table_args__ = (UniqueConstraint("person_id", "venue_id", name="uq_staff_posts_person_venue"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))

    person: Mapped[Person] = relationship(back_populates="staff_posts")
    venue: Mapped[Venue] = relationship()


class LoginSession(db.Model):
    """One login in one browser; logging out deletes it, so copies of that browser's cookies stop working."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    # Only a hash: the nonce itself lives in the signed cookies, and a database reader should not learn it.
    nonce_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
