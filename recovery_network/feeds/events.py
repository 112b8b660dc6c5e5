"""Meetings as feed events: the bridge between the database and the pure calendar builder."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

from recovery_network.ical.builder import FeedEvent, Override, stable_uid
from recovery_network.meetings.kinds import BY_CODE
from recovery_network.meetings.models import Meeting
from recovery_network.meetings.recurrence import first_slot_date, localise, rrule_parts
from recovery_network.venues.models import Venue


def meeting_uid(meeting: Meeting) -> str:
    """The series' UID: the same in every feed, stable forever, and revealing nothing (RFC 7986 §5.3)."""
    return stable_uid("meeting", meeting.id)


def _place(venue: Venue | None, meeting: Meeting) -> tuple[str | None, tuple[float, float] | None]:
    """LOCATION and GEO for a venue, or the online link when there is none; a closed group's referral contact."""
    if meeting.is_closed:  # found by referral: never its address (meetings/visibility.public_venue)
        return f"By referral: {meeting.referral_contact}", None
    if venue is None:
        return ("Online: " + meeting.online_url if meeting.online_url else None), None
    geo = (round(venue.latitude, 5), round(venue.longitude, 5)) if venue.point else None
    return venue.one_line_address, geo


def meeting_event(meeting: Meeting, url: str) -> FeedEvent:
    """One public meeting series: RRULE in local time, EXDATE for cancellations, overrides for moves."""
    schedule = meeting.schedule
    first = datetime.combine(first_slot_date(schedule), schedule.start_time)
    start = localise(first, schedule.timezone)
    location, geo = _place(meeting.venue, meeting)
    exdates, overrides = [], []
    for change in meeting.changes:
        original = localise(datetime.combine(change.original_date, schedule.start_time), schedule.timezone)
        if change.kind == "confirmed":
            continue  # on as usual: the rule already has it
        if change.kind == "cancelled":
            exdates.append(original)
            continue
        new_start = localise(change.new_start, schedule.timezone)
        venue = change.new_venue or meeting.venue
        o_location, o_geo = _place(venue, meeting)
        overrides.append(
            Override(
                original_start=original,
                start=new_start,
                end=new_start + schedule.duration,
                location=o_location,
                geo=o_geo,
                sequence=meeting.sequence,
            )
        )
    kind = BY_CODE.get(meeting.kind)
    description = "\n\n".join(p for p in (kind.expect if kind else "", meeting.description, url) if p)
    return FeedEvent(
        uid=meeting_uid(meeting),
        summary=meeting.title,
        description=description,
        location=location,
        geo=geo,
        url=url,
        start=start,
        end=start + schedule.duration,
        rrule=rrule_parts(schedule),
        exdates=tuple(sorted(exdates)),
        overrides=tuple(sorted(overrides, key=lambda o: o.original_start)),
        sequence=meeting.sequence,
        created=meeting.created_at,
        last_modified=last_modified(meeting),
    )


def last_modified(meeting: Meeting) -> datetime:
    """When anything a feed shows about this meeting last changed (its venue and exceptions included)."""
    stamps = [meeting.updated_at, meeting.created_at]
    stamps += [c.updated_at for c in meeting.changes]
    if meeting.venue is not None:
        stamps.append(meeting.venue.updated_at)
    stamps += [c.new_venue.updated_at for c in meeting.changes if c.new_venue is not None]
    return max(s for s in stamps if s is not None).replace(microsecond=0)


def newest(events: Sequence[FeedEvent]) -> datetime:
    """Last-Modified for a feed: the newest change among its events (the epoch when empty)."""
    # From the events, which already carry each meeting's last_modified: not computed twice per render.
    return max((e.last_modified for e in events), default=datetime(2020, 1, 1, tzinfo=timezone.utc))


