"""Public meetings as JSON API resources (v1): plain dicts that match openapi.py's schemas.

Pure: no Flask, no database; links are passed in. Times are ISO 8601 with the venue's UTC offset, so a
client shows 18:30 as 18:30 on both sides of a clock change. Only public meetings are ever passed in;
`meeting_resource` refuses a custody one, and a venue a date was moved to is shown only if it is public.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from recovery_network.meetings.kinds import BY_CODE
from recovery_network.meetings.recurrence import Occurrence, describe

DAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def iso(moment: datetime) -> str:
    """An aware datetime in ISO 8601, seconds precision, with its offset."""
    return moment.isoformat(timespec="seconds")


def venue_resource(venue: Any) -> dict[str, Any] | None:
    """Where a meeting is held, as a newcomer needs it; None for online-only (or a venue the public may not see)."""
    if venue is None or venue.is_custody:
        return None
    return {
        "name": venue.name,
        "address": venue.address,
        "town": venue.town,
        "postcode": venue.postcode,
        "latitude": venue.latitude,
        "longitude": venue.longitude,
        "step_free": bool(venue.step_free),
        "accessibility": venue.accessibility or "",
        "directions": venue.directions or "",
    }


def schedule_resource(meeting: Any) -> dict[str, Any]:
    """The series' rule in words and in fields, in the venue's local time."""
    return {
        "rule": describe(meeting.schedule),
        "frequency": meeting.frequency,
        "day": DAY_CODES[meeting.weekday],
        "week_of_month": meeting.week_of_month,
        "start_time": f"{meeting.start_time:%H:%M}",
        "duration_minutes": meeting.duration_minutes,
        "timezone": meeting.timezone,
        "starts_on": meeting.starts_on.isoformat(),
        "ends_on": meeting.ends_on.isoformat() if meeting.ends_on else None,
        "session_count": meeting.session_count,
    }


def occurrence_resource(occurrence: Occurrence, moved_venues: Mapping[int, Any]) -> dict[str, Any]:
    """One date as people see it: when, whether it is cancelled or moved, why, and where if it moved."""
    # Callers pass no moved venues for a closed group, whose places are never published.
    moved_to = moved_venues.get(occurrence.venue_id) if occurrence.venue_id is not None else None
    return {
        "start": iso(occurrence.start),
        "end": iso(occurrence.end),
        "original_start": iso(occurrence.original_start),
        "cancelled": occurrence.cancelled,
        "moved": occurrence.moved,
        "reason": occurrence.reason,
        "venue": venue_resource(moved_to),
        "public_holiday": occurrence.holiday or None,
    }


def meeting_resource(meeting: Any, links: dict[str, str]) -> dict[str, Any]:
    """The fields every view of a public meeting shares."""
    if meeting.visibility != "public":
        raise ValueError("custody meetings are never published")
    kind = BY_CODE.get(meeting.kind)
    return {
        "slug": meeting.slug,
        "name": meeting.title,
        "kind": meeting.kind,
        "kind_name": kind.name if kind else meeting.kind,
        "status": meeting.status,
        "schedule": schedule_resource(meeting),
        # A closed group is found by referral: its contact, never its address (meetings/visibility.public_venue).
        "venue": None if meeting.listing == "closed" else venue_resource(meeting.venue),
        "listing": "closed" if meeting.listing == "closed" else "open",
        "referral_contact": meeting.referral_contact if meeting.listing == "closed" else None,
        "online_url": None if meeting.listing == "closed" else meeting.online_url,
        "updated_at": iso(meeting.updated_at),
        "links": links,
    }


def summary_resource(
    meeting: Any, links: dict[str, str], distance_miles: float | None, next_date: Occurrence | None,
    moved_venues: Mapping[int, Any],
) -> dict[str, Any]:
    """A search result: the meeting, how far away it is and its next date that is not cancelled."""
    resource = meeting_resource(meeting, links)
    resource["distance_miles"] = round(distance_miles, 2) if distance_miles is not None else None
    resource["next"] = occurrence_resource(next_date, moved_venues) if next_date is not None else None
    return resource


def detail_resource(
    meeting: Any, links: dict[str, str], upcoming: list[Occurrence], moved_venues: Mapping[int, Any]
) -> dict[str, Any]:
    """One meeting in full: what to expect, and its next dates with cancellations and moves shown."""
    resource = meeting_resource(meeting, links)
    kind = BY_CODE.get(meeting.kind)
    resource["description"] = meeting.description
    resource["what_to_expect"] = kind.expect if kind else ""
    resource["upcoming"] = [occurrence_resource(o, moved_venues) for o in upcoming]
    return resource
