"""Named operations on meetings. They enforce the rules, flush, and never commit."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select

from recovery_network.errors import DomainError
from recovery_network.extensions import db
from recovery_network.meetings.kinds import BY_CODE
from recovery_network.meetings.models import CUSTODY, PUBLIC, Meeting, MeetingChange
from recovery_network.meetings.recurrence import exists_locally, last_slot, slots, localise
from recovery_network.types import utcnow
from recovery_network.venues.models import Venue


class InvalidSchedule(DomainError):
    """The schedule cannot produce a meeting (ends before it starts, a bad weekday, ...)."""


class NotAnOccurrence(DomainError):
    """The date given is not one on which the series meets."""


class TimeDoesNotExist(DomainError):
    """The local time is skipped by the clocks going forward on that date."""


@dataclass
class MeetingDetails:
    """What a facilitator fills in to post a series."""

    title: str
    kind: str
    weekday: int
    start_time: time
    starts_on: date
    duration_minutes: int = 90
    frequency: str = "weekly"
    week_of_month: int | None = None
    ends_on: date | None = None
    session_count: int | None = None
    venue: Venue | None = None
    online_url: str | None = None
    description: str = ""
    timezone: str = "Europe/London"
    slug: str | None = None


def slugify(text: str) -> str:
    """A URL-safe slug: ASCII letters, digits and hyphens only (no dots, so '.ics' is unambiguous)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80] or "meeting"


def unique_slug(base: str) -> str:
    """The base slug, or the base with a number added, so that no two meetings share a URL."""
    slug, n = slugify(base), 2
    candidate = slug
    while db.session.scalar(select(Meeting.id).where(Meeting.slug == candidate)) is not None:
        candidate = f"{slug}-{n}"
        n += 1
    return candidate


def apply_details(meeting: Meeting, details: MeetingDetails) -> None:
    """Copy details onto a meeting, checking the rules a schedule and place must keep."""
    if details.kind not in BY_CODE:
        raise InvalidSchedule("Choose a kind of meeting.")
    if details.ends_on and details.ends_on < details.starts_on:
        raise InvalidSchedule("The last date must be on or after the first date.")
    if details.ends_on and details.session_count:
        raise InvalidSchedule("Give either a last date or a number of sessions, not both.")
    if details.venue is None and not details.online_url:
        raise InvalidSchedule("Choose a venue or give an online link.")
    meeting.title = details.title.strip()
    meeting.kind = details.kind
    meeting.frequency = details.frequency
    meeting.weekday = details.weekday
    meeting.week_of_month = details.week_of_month if details.frequency == "monthly" else None
    meeting.start_time = details.start_time
    meeting.starts_on = details.starts_on
    meeting.ends_on = details.ends_on
    meeting.session_count = details.session_count
    meeting.duration_minutes = details.duration_minutes
    meeting.venue = details.venue
    meeting.online_url = details.online_url or None
    meeting.description = details.description.strip()
    meeting.timezone = details.timezone
    # Custody follows the venue: a meeting in an establishment can never be public.
    meeting.visibility = CUSTODY if details.venue is not None and details.venue.is_custody else PUBLIC
    end = last_slot(meeting.schedule)
    meeting.finishes_on = end.date() if end else None


def create_meeting(details: MeetingDetails) -> Meeting:
    """Post a new meeting series."""
    meeting = Meeting(slug=details.slug or unique_slug(details.title), sequence=0)
    db.session.add(meeting)
    apply_details(meeting, details)
    db.session.flush()
    return meeting


def touch(meeting: Meeting) -> None:
    """Record a material change, so calendar apps (which watch SEQUENCE) pick it up."""
    meeting.sequence = (meeting.sequence or 0) + 1
    meeting.updated_at = utcnow()


def occurrence_on(meeting: Meeting, on: date) -> datetime:
    """The slot the series' rule generates on a local date, or NotAnOccurrence."""
    tz_start = localise(datetime.combine(on, time.min), meeting.timezone)
    tz_end = localise(datetime.combine(on, time.max), meeting.timezone)
    found = slots(meeting.schedule, tz_start, tz_end)
    if not found:
        raise NotAnOccurrence(f"{meeting.title} does not meet on {on:%A %-d %B %Y}.")
    return found[0]


def _change_for(meeting: Meeting, on: date) -> MeetingChange:
    """The existing exception for a date, or a new one attached to the meeting."""
    occurrence_on(meeting, on)
    for change in meeting.changes:
        if change.original_date == on:
            return change
    change = MeetingChange(original_date=on, sequence=0)
    meeting.changes.append(change)
    return change


def cancel_occurrence(meeting: Meeting, on: date, reason: str) -> MeetingChange:
    """Cancel one date, with a reason the public sees; calling it again just updates the reason."""
    change = _change_for(meeting, on)
    change.kind = "cancelled"
    change.reason = reason.strip()
    change.new_start = None
    change.new_venue = None
    change.sequence = (change.sequence or 0) + 1
    change.updated_at = utcnow()
    touch(meeting)
    db.session.flush()
    return change


def move_occurrence(
    meeting: Meeting, on: date, new_start: datetime, reason: str, venue: Venue | None = None
) -> MeetingChange:
    """Move one date to a new local time (and optionally venue), keeping the original slot for feeds."""
    if new_start.tzinfo is not None:
        raise InvalidSchedule("Give the new time as local wall-clock time.")
    if not exists_locally(new_start, meeting.timezone):
        raise TimeDoesNotExist(
            f"{new_start:%H:%M} does not exist on {new_start:%-d %B}: the clocks go forward that night."
        )
    if venue is not None and venue.is_custody != meeting.is_custody:
        raise InvalidSchedule("A meeting cannot move between a prison and a community venue.")
    change = _change_for(meeting, on)
    change.kind = "moved"
    change.reason = reason.strip()
    change.new_start = new_start
    change.new_venue = venue
    change.sequence = (change.sequence or 0) + 1
    change.updated_at = utcnow()
    touch(meeting)
    db.session.flush()
    return change


def restore_occurrence(meeting: Meeting, on: date) -> None:
    """Undo a cancellation or move: the date happens as the rule says."""
    for change in list(meeting.changes):
        if change.original_date == on:
            meeting.changes.remove(change)
            touch(meeting)
    db.session.flush()
