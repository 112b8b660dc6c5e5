"""Named operations on meetings. They enforce the rules, flush, and never commit."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time

from recovery_network import localzone
from recovery_network.accounts.models import Person
from recovery_network.audit.services import record
from recovery_network.errors import DomainError
from recovery_network.extensions import db
from recovery_network.organisations.access import home_organisation, may_own
from recovery_network.meetings.custody import CustodyVenueRefused, check_venue_allowed, needs_approval
from recovery_network.meetings import rules
from recovery_network.meetings.kinds import BY_CODE
from recovery_network.meetings.models import (
    ACTIVE, AWAITING, CLOSED, CUSTODY, ENDED, LISTINGS, OPEN, PAUSED, PUBLIC, Meeting, MeetingChange,
)
from recovery_network.meetings.recurrence import Occurrence, exists_locally, first_slot_date, last_slot, zone
from recovery_network.meetings.slugs import custody_slug, slugify, unique_slug
from recovery_network.signals import occurrence_changed, series_changed, series_ended
from recovery_network.types import utcnow
from recovery_network.venues.models import Venue

__all__ = ["CustodyVenueRefused", "slugify"]  # kept importable from here, where they used to live


class InvalidSchedule(DomainError):
    """The schedule cannot produce a meeting (ends before it starts, a bad weekday, ...)."""


class NotAnOccurrence(DomainError):
    """The date given is not one on which the series meets."""


class TimeDoesNotExist(DomainError):
    """The local time is skipped by the clocks going forward on that date."""


class InvalidListing(DomainError):
    """How the meeting is listed does not hold together (a closed group with no one to ask)."""


class MoveChangesNothing(DomainError):
    """A "move" to the date's own time and place would tell subscribers of a change that is not there."""


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
    timezone: str = field(default_factory=localzone.name)
    slug: str | None = None
    facilitators_needed: int = 1
    mentors_needed: int = 0
    organiser: Person | None = None
    listing: str = OPEN
    referral_contact: str = ""
    room: str = ""
    # The owning organisation, set when the series is posted (the poster's choice among theirs, else their home
    # one); editing never moves it.
    organisation_id: int | None = None


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
    if not (0 <= details.facilitators_needed <= 5 and 0 <= details.mentors_needed <= 20):
        raise InvalidSchedule("A session needs 0 to 5 facilitators and 0 to 20 peer mentors.")
    _check_listing(details)
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
    meeting.room = details.room.strip()[:60]
    meeting.timezone = details.timezone
    meeting.facilitators_needed = details.facilitators_needed
    meeting.mentors_needed = details.mentors_needed
    meeting.listing = details.listing
    meeting.referral_contact = details.referral_contact.strip() if details.listing == CLOSED else ""
    # The form and the importer check these first, beside fields or per row; this is the guard for everyone else.
    problems = rules.check(meeting.schedule, kind=details.kind, online_url=meeting.online_url)
    if problems:
        raise InvalidSchedule(next(iter(problems.values()))[0])
    # Editing keeps the organiser unless the details name a new one.
    if details.organiser is not None:
        meeting.organiser_id = details.organiser.id
    # Custody follows the venue: a meeting in an establishment can never be public.
    was_custody = meeting.visibility == CUSTODY
    meeting.visibility = CUSTODY if details.venue is not None and details.venue.is_custody else PUBLIC
    if meeting.visibility == CUSTODY and not was_custody:
        # A custody slug must be unguessable even when the details suggest one (a series moved inside, the demo).
        meeting.slug = custody_slug(meeting.slug or details.title)
    elif meeting.slug is None:
        meeting.slug = unique_slug(details.title)
    end = last_slot(meeting.schedule)
    if end is None and meeting.ends_on is not None:
        # An UNTIL before the first slot is a series with no dates: feeds could not even write it.
        raise InvalidSchedule("No meeting falls between the first and last dates.")
    meeting.finishes_on = end.date() if end else None


def _check_listing(details: MeetingDetails) -> None:
    """Open, closed (with a contact to ask for a referral) or unlisted; a prison session is never public at all."""
    if details.listing not in LISTINGS:
        raise InvalidListing("Choose open, closed or unlisted.")
    contact = details.referral_contact.strip()
    if details.listing == CLOSED and not contact:
        raise InvalidListing("A closed group needs a contact for referrals (a service phone number or email).")
    if len(contact) > 200:
        raise InvalidListing("Keep the referral contact under 200 characters.")


def create_meeting(details: MeetingDetails) -> Meeting:
    """Post a new meeting series."""
    meeting = Meeting(slug=details.slug, sequence=0,  # apply_details fills it in, by the custody rule
                      organisation_id=details.organisation_id)
    db.session.add(meeting)
    with db.session.no_autoflush:  # the new meeting is pending without its slug until apply_details sets it
        apply_details(meeting, details)
    db.session.flush()
    return meeting


def touch(meeting: Meeting) -> None:
    """Record a material change, so calendar apps (which watch SEQUENCE) pick it up."""
    meeting.sequence = (meeting.sequence or 0) + 1
    meeting.updated_at = utcnow()


def _occurrence(meeting: Meeting, on: date) -> Occurrence:
    """The occurrence slotted on a date, or NotAnOccurrence (whose words never name the meeting)."""
    occurrence = meeting.occurrence_on(on)
    if occurrence is None:
        raise NotAnOccurrence(f"The series does not meet on {on:%A %-d %B %Y}.")
    return occurrence


def _change_for(meeting: Meeting, on: date) -> MeetingChange:
    """The existing exception for a date, or a new one attached to the meeting."""
    _occurrence(meeting, on)
    for change in meeting.changes:
        if change.original_date == on:
            return change
    change = MeetingChange(original_date=on, sequence=0)
    meeting.changes.append(change)
    return change


def _record_change(meeting: Meeting, on: date, kind: str, reason: str = "", new_start: datetime | None = None,
                   venue: Venue | None = None) -> MeetingChange:
    """Write one date's change, raise its SEQUENCE (calendars watch it), and tell the rota and the plans."""
    change = _change_for(meeting, on)
    change.kind = kind
    change.reason = reason.strip()
    change.new_start = new_start
    change.new_venue = venue
    change.sequence = (change.sequence or 0) + 1
    change.updated_at = utcnow()
    touch(meeting)
    db.session.flush()
    occurrence_changed.send(meeting, on=on, what=kind)
    return change


def cancel_occurrence(meeting: Meeting, on: date, reason: str) -> MeetingChange:
    """Cancel one date, with a reason the public sees; calling it again just updates the reason."""
    return _record_change(meeting, on, "cancelled", reason)


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
    usual = _occurrence(meeting, on).original_start.replace(tzinfo=None)
    if new_start == usual and (venue is None or venue.id == meeting.venue_id):
        raise MoveChangesNothing(
            f"{usual:%H:%M} on {usual:%A %-d %B} at the usual venue is when and where it already meets. "
            "Choose a different time, date or venue (or use Restore to undo an earlier move)."
        )
    return _record_change(meeting, on, "moved", reason, new_start, venue)


def confirm_occurrence(meeting: Meeting, on: date) -> MeetingChange:
    """The facilitator says a date on a public holiday is on as usual, so pages and plans stop asking."""
    if not _occurrence(meeting, on).holiday:
        raise NotAnOccurrence("Only a date on a public holiday needs confirming.")
    return _record_change(meeting, on, "confirmed")


def restore_occurrence(meeting: Meeting, on: date) -> None:
    """Undo a cancellation or move: the date happens as the rule says."""
    restored = False
    for change in list(meeting.changes):
        if change.original_date == on:
            meeting.changes.remove(change)
            touch(meeting)
            restored = True
    db.session.flush()
    if restored:
        occurrence_changed.send(meeting, on=on, what="restored")


class SeriesEnded(DomainError):
    """An ended series is kept as history; it is not restarted."""


def local_today(meeting: Meeting) -> date:
    """Today's date where the meeting is held (it decides which dates are still to come)."""
    return datetime.now(zone(meeting.timezone)).date()


def post_meeting(details: MeetingDetails, by: Person) -> Meeting:
    """A facilitator or co-ordinator posts a series; they organise it unless the details say otherwise.

    A facilitator's custody session waits for the establishment's staff (meetings/custody.py).
    """
    check_venue_allowed(details.venue, by, _posting_date(details))
    if details.organiser is None:
        details = replace(details, organiser=by)
    if details.organisation_id is None:
        details = replace(details, organisation_id=home_organisation(by))
    elif not may_own(by, details.organisation_id):
        raise DomainError("Choose one of your organisations.", "organisation_id")  # a forged choice
    meeting = create_meeting(details)
    if needs_approval(details.venue, by):
        meeting.status = AWAITING
    record("meeting.create", by, meeting)
    db.session.flush()
    return meeting


def _posting_date(details: MeetingDetails) -> date:
    """The date a poster's clearance must hold on: the first date, or today for a series already running."""
    return max(details.starts_on, datetime.now(zone(details.timezone)).date())


def update_meeting(meeting: Meeting, details: MeetingDetails, by: Person, *, today: date | None = None) -> None:
    """Edit a series (its URL stays put); new helper numbers resize the rota's future places."""
    check_venue_allowed(details.venue, by, _posting_date(details), current=meeting.venue)
    helpers_before = (meeting.facilitators_needed, meeting.mentors_needed)
    moved_in = details.venue is not meeting.venue and needs_approval(details.venue, by)
    apply_details(meeting, details)
    if moved_in:  # a facilitator moved it into a prison: its staff approve it first
        meeting.status = AWAITING
    elif meeting.status == AWAITING and not meeting.is_custody:
        meeting.status = ACTIVE
    touch(meeting)
    record("meeting.update", by, meeting)
    db.session.flush()
    # The rota resizes and frees places, plans follow their dates; a receiver may refuse by raising.
    series_changed.send(meeting, today=today or local_today(meeting),
                        helpers_changed=(meeting.facilitators_needed, meeting.mentors_needed) != helpers_before)


def set_status(meeting: Meeting, status: str, by: Person, *, today: date | None = None) -> None:
    """Pause, resume or end a series; an ended one stays in feeds with an end date, so calendars stop it."""
    if status not in (ACTIVE, PAUSED, ENDED):
        raise InvalidSchedule("Choose pause, resume or end.")
    if meeting.status == ENDED:
        raise SeriesEnded("This series has ended. Post a new series to start again.")
    if meeting.status == AWAITING:
        raise InvalidSchedule("This session is waiting for the establishment's staff to approve it.")
    if status == meeting.status:
        return
    if status == ENDED:
        end_series(meeting, today or local_today(meeting))
    meeting.status = status
    touch(meeting)
    record(f"meeting.{status}", by, meeting)
    db.session.flush()


def end_series(meeting: Meeting, today: date) -> None:
    """Stop the rule at today (or at its first date, cancelled, if it has not begun); past ends are kept."""
    if meeting.finishes_on is not None and meeting.finishes_on <= today:
        return
    first = first_slot_date(meeting.schedule)
    meeting.ends_on = max(today, first)
    # RFC 5545 allows one kind of end: a course's COUNT gives way to the new UNTIL.
    meeting.session_count = None
    end = last_slot(meeting.schedule)
    meeting.finishes_on = end.date() if end else meeting.ends_on
    if first > today:
        cancel_occurrence(meeting, first, "This series was ended before it began.")
    series_ended.send(meeting, after=today)
