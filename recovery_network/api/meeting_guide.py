"""Our meetings in the Meeting Guide JSON format (code4recovery spec), read by meeting-finder apps and TSML UI.

Pure: takes meeting objects, returns plain dicts; no Flask, no database.

How our meetings fit a format made for weekly meetings:
- `day` is 0–6 from Sunday; Python counts from Monday, hence `(weekday + 1) % 7`.
- The spec is for weekly meetings. Fortnightly and monthly meetings are still listed (leaving them out
  would hide real help), with the custom type `RN-FORTNIGHTLY` or `RN-MONTHLY`, and `notes` that begin
  with the real rule ("Every other Tuesday — check the dates: <url>"), so a person is never sent on the
  wrong week without a warning.
- Custom type codes are at least five characters with a hyphen or all letters beyond three, so they can
  never collide with the reserved codes or with ISO 639 language codes (two or three letters).
- A series is listed from its first date (api/views.py): the format has no start date, so a course that
  begins next month would be offered to finders as a weekly meeting today. Once it has begun, a
  course carries `RN-COURSE` and notes that say how many sessions ("Every Tuesday, 10 sessions — check the
  dates: <url>"); it leaves the feed after its last date.
- A paused series is listed with the reserved `TC` (temporarily closed), as TSML UI expects.
- Custody meetings are never passed in; `to_meeting_guide` refuses one anyway.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from recovery_network.meetings.recurrence import describe

KIND_TYPES = {
    "smart": "SMART",
    "family": "SMART-FF",
    "cafe": "RN-CAFE",
    "programme": "RN-COURSE",
}
CUSTOM_TYPES = {
    "SMART": "SMART Recovery",
    "SMART-FF": "SMART Family & Friends",
    "RN-CAFE": "Recovery café (drop-in)",
    "RN-COURSE": "Fixed-length course",
    "RN-FORTNIGHTLY": "Meets every other week",
    "RN-MONTHLY": "Meets once a month",
}
RESERVED_USED = {"X": "Wheelchair Access", "TC": "Location Temporarily Closed"}


def spec_day(weekday: int) -> int:
    """Meeting Guide counts days from Sunday = 0."""
    return (weekday + 1) % 7


def types_for(meeting: Any) -> list[str]:
    """The meeting's type codes: its kind, its rhythm if not weekly, access, and TC when paused."""
    # A kind with no code of ours (a mutual-aid meeting another directory listed) claims none: never SMART.
    codes = [KIND_TYPES[meeting.kind]] if meeting.kind in KIND_TYPES else []
    if meeting.frequency == "fortnightly":
        codes.append("RN-FORTNIGHTLY")
    elif meeting.frequency == "monthly":
        codes.append("RN-MONTHLY")
    if meeting.venue is not None and meeting.venue.step_free:
        codes.append("X")
    if meeting.status == "paused":
        codes.append("TC")
    return codes


def notes_for(meeting: Any, url: str) -> str:
    """Plain-text notes: the real rule first when it isn't weekly, then the facilitator's description."""
    parts = []
    if meeting.frequency != "weekly" or meeting.session_count:
        parts.append(f"{describe(meeting.schedule)} — check the dates: {url}")
    if meeting.description:
        parts.append(meeting.description)
    return "\n\n".join(parts)


def to_meeting_guide(meeting: Any, url: str, online_region: str) -> dict[str, Any]:
    """One public meeting as a Meeting Guide record."""
    if meeting.visibility != "public":
        raise ValueError("custody meetings are never published")
    start = datetime.combine(meeting.starts_on, meeting.start_time)
    end = start + timedelta(minutes=meeting.duration_minutes)
    record: dict[str, Any] = {
        "name": meeting.title[:255],
        "slug": meeting.slug,
        "day": spec_day(meeting.weekday),
        "time": meeting.start_time.strftime("%H:%M"),
        "end_time": end.strftime("%H:%M"),
        "timezone": meeting.timezone,
        "types": types_for(meeting),
        "url": url,
        "updated": meeting.updated_at.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
    }
    if notes := notes_for(meeting, url):
        record["notes"] = notes
    if meeting.online_url:
        record["conference_url"] = meeting.online_url
    venue = meeting.venue
    if venue is not None:
        record.update(
            location=venue.name,
            address=venue.address,
            city=venue.town,
            postal_code=venue.postcode,
            country="GB",
            region=venue.area.name if venue.area else venue.town,
            approximate="no",
        )
        if venue.latitude is not None and venue.longitude is not None:
            record["latitude"] = round(venue.latitude, 5)
            record["longitude"] = round(venue.longitude, 5)
        location_notes = " ".join(p for p in (venue.directions, venue.accessibility) if p)
        if location_notes:
            record["location_notes"] = location_notes
    else:
        # Online-only: the spec asks for an approximate origin in one time zone.
        record.update(formatted_address=online_region, approximate="yes", region="Online")
    return record
