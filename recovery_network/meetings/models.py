"""Meeting series, their schedules, and dated exceptions (cancelled or moved occurrences)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recovery_network import localzone
from recovery_network.audit.models import AUDIT_SUBJECT
from recovery_network.extensions import db
from recovery_network.meetings.recurrence import Change, Occurrence, Schedule, occurrence_on
from recovery_network.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from recovery_network.venues.models import Venue

PUBLIC = "public"
CUSTODY = "custody"

ACTIVE = "active"
PAUSED = "paused"
ENDED = "ended"
# A custody session a facilitator posted, waiting for the establishment's staff: not staffed, not shown to mentors.
AWAITING = "awaiting"
STATUSES = (ACTIVE, PAUSED, ENDED, AWAITING)

# How a public meeting is listed: open to all; closed (listed "by referral" with a contact, never an address);
# unlisted (no search, feed or API: its page only, for those given the link).
OPEN = "open"
CLOSED = "closed"
UNLISTED = "unlisted"
LISTINGS = {OPEN: "Open: anyone can come", CLOSED: "Closed: by referral (the address is not shown)",
            UNLISTED: "Unlisted: only people given the link can see it"}

FREQUENCIES = ("weekly", "fortnightly", "monthly")


class Meeting(db.Model):
    """A meeting series: what it is, where, and the rule that says when it meets."""

    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint(f"visibility IN ('{PUBLIC}', '{CUSTODY}')", name="visibility"),
        CheckConstraint(f"status IN ('{ACTIVE}', '{PAUSED}', '{ENDED}', '{AWAITING}')", name="status"),
        CheckConstraint(f"listing IN ('{OPEN}', '{CLOSED}', '{UNLISTED}')", name="listing"),
        # A closed group is found by referral: the public needs someone to ask.
        CheckConstraint(f"listing <> '{CLOSED}' OR referral_contact <> ''", name="closed_has_contact"),
        CheckConstraint("frequency IN ('weekly', 'fortnightly', 'monthly')", name="frequency"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint(
            "(frequency = 'monthly' AND week_of_month IN (1, 2, 3, 4, -1))"
            " OR (frequency <> 'monthly' AND week_of_month IS NULL)",
            name="week_of_month",
        ),
        CheckConstraint("duration_minutes BETWEEN 15 AND 720", name="duration"),
        CheckConstraint("facilitators_needed BETWEEN 0 AND 5", name="facilitators_needed"),
        CheckConstraint("mentors_needed BETWEEN 0 AND 20", name="mentors_needed"),
        # RFC 5545 forbids COUNT with UNTIL; a series has one kind of end.
        CheckConstraint("ends_on IS NULL OR session_count IS NULL", name="one_end"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
        CheckConstraint("session_count IS NULL OR session_count BETWEEN 1 AND 520", name="count"),
        # An online-only meeting has a link; anything else has a venue.
        CheckConstraint("venue_id IS NOT NULL OR online_url IS NOT NULL", name="somewhere"),
        CheckConstraint(f"visibility = '{PUBLIC}' OR venue_id IS NOT NULL", name="custody_venue"),
        # Near-search walks the venues in the box and looks their meetings up here. Venue first, so
        # SQLite takes that order without statistics; covering every column the search filters on,
        # so the capped count and the nearest-first ordering never read a meeting's row.
        Index("ix_meetings_venue_search", "venue_id", "visibility", "status", "finishes_on", "listing"),
        # Re-importing a feed updates the series it made before instead of adding copies.
        UniqueConstraint("import_source", "import_slug", name="uq_meetings_import"),
        AUDIT_SUBJECT,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    visibility: Mapped[str] = mapped_column(String(16), default=PUBLIC)
    status: Mapped[str] = mapped_column(String(16), default=ACTIVE)
    listing: Mapped[str] = mapped_column(String(16), default=OPEN, server_default=OPEN)
    # Who to ask to be referred to a closed group (a phone number or an email of the service, not a person's).
    referral_contact: Mapped[str] = mapped_column(String(200), default="", server_default="")
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id"))  # indexed by ix_meetings_venue_search
    # The organisation that owns the series: its co-ordinators manage it (organisations/access.py). None only for
    # imported series, which admins manage.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    online_url: Mapped[str | None] = mapped_column(String(300))
    # Where in the building ("Chapel", "Hall 2"): inside a prison, what the gate's day sheet tells visitors.
    room: Mapped[str] = mapped_column(String(60), default="", server_default="")
    description: Mapped[str] = mapped_column(Text, default="")
    # Schedule, in the venue's local time: a wall-clock time plus a rule, never a UTC instant,
    # so that 18:30 stays 18:30 on both sides of a clock change.
    frequency: Mapped[str] = mapped_column(String(16), default="weekly")
    weekday: Mapped[int] = mapped_column(Integer)
    week_of_month: Mapped[int | None] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    session_count: Mapped[int | None] = mapped_column(Integer)
    # The last date the series meets (from ends_on or the count), kept so searches skip finished series.
    finishes_on: Mapped[date | None] = mapped_column(Date, index=True)
    start_time: Mapped[time] = mapped_column(Time)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=90)
    timezone: Mapped[str] = mapped_column(String(64), default=localzone.name)
    # Helpers each occurrence needs; the rota's capacity comes from these.
    facilitators_needed: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    mentors_needed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Who posted it (a facilitator or co-ordinator); kept if they leave, so SET NULL.
    organiser_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    # Where an imported series came from (a feed's URL or name) and its slug there; NULL if posted here.
    import_source: Mapped[str | None] = mapped_column(String(200))
    import_slug: Mapped[str | None] = mapped_column(String(120))
    # Calendar clients only notice a change when SEQUENCE goes up (RFC 5545 §3.8.7.4).
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    venue: Mapped[Venue | None] = relationship(back_populates="meetings", foreign_keys=[venue_id])
    changes: Mapped[list[MeetingChange]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingChange.original_date"
    )

    @property
    def is_custody(self) -> bool:
        """Custody meetings are never shown to the public."""
        return self.visibility == CUSTODY

    @property
    def is_closed(self) -> bool:
        """A closed group is listed by referral, with a contact and never its address."""
        return self.listing == CLOSED

    @property
    def is_awaiting(self) -> bool:
        """Posted in custody by a facilitator and not yet approved by the establishment's staff."""
        return self.status == AWAITING

    @property
    def is_online(self) -> bool:
        """Meets online (possibly as well as in person)."""
        return bool(self.online_url)

    @property
    def schedule(self) -> Schedule:
        """The pure schedule the recurrence module expands."""
        return Schedule(
            frequency=self.frequency,
            weekday=self.weekday,
            week_of_month=self.week_of_month,
            starts_on=self.starts_on,
            start_time=self.start_time,
            duration=timedelta(minutes=self.duration_minutes),
            timezone=self.timezone,
            ends_on=self.ends_on,
            count=self.session_count,
        )

    def change_map(self) -> dict[date, Change]:
        """Exceptions keyed by the local date of the occurrence they change."""
        return {c.original_date: c.as_change() for c in self.changes}

    def occurrence_on(self, on: date) -> Occurrence | None:
        """The occurrence slotted on a local date as it now stands, or None: the one answer, from recurrence."""
        return occurrence_on(self.schedule, self.change_map(), on)

    def __repr__(self) -> str:
        return f"<Meeting {self.slug}>"


class MeetingChange(db.Model):
    """One occurrence cancelled or moved, with the reason the public sees."""

    __tablename__ = "meeting_changes"
    __table_args__ = (
        UniqueConstraint("meeting_id", "original_date", name="uq_meeting_changes_occurrence"),
        # 'confirmed': the facilitator says a date on a public holiday is on as usual.
        CheckConstraint("kind IN ('cancelled', 'moved', 'confirmed')", name="kind"),
        CheckConstraint("kind <> 'moved' OR new_start IS NOT NULL", name="moved_has_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    original_date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(200), default="")
    # Local wall-clock time in the meeting's time zone, like the schedule itself.
    new_start: Mapped[datetime | None] = mapped_column(DateTime(timezone=False))
    new_venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id"))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="changes")
    new_venue: Mapped[Venue | None] = relationship(foreign_keys=[new_venue_id])

    def as_change(self) -> Change:
        """The pure exception the recurrence module applies."""
        return Change(
            original_date=self.original_date,
            cancelled=self.kind == "cancelled",
            confirmed=self.kind == "confirmed",
            reason=self.reason,
            new_start=self.new_start,
            new_venue_id=self.new_venue_id,
        )
