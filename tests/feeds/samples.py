"""Sample series and a Python expander shared by the feed tests (plain functions, no app needed)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import recurring_ical_events
from icalendar import Calendar

from recovery_network.ical.builder import FeedEvent, FeedInfo, Override, build_calendar, stable_uid

LON = ZoneInfo("Europe/London")
UTC = timezone.utc
STAMP = datetime(2026, 1, 2, 9, 0, tzinfo=UTC)
LENGTH = timedelta(minutes=90)
# Every Tuesday of 2026, across both clock changes (29 March and 25 October).
WEEKLY = {"FREQ": "WEEKLY", "BYDAY": "TU", "UNTIL": date(2026, 12, 29)}
YEAR = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))


def at(year: int, month: int, day: int, hour: int = 18, minute: int = 30, tz: ZoneInfo = LON) -> datetime:
    """A local wall-clock time, aware."""
    return datetime(year, month, day, hour, minute, tzinfo=tz)


FIRST = at(2026, 1, 6)  # the first Tuesday of 2026, winter time


def series(
    key: int | str = 1,
    *,
    start: datetime | date = FIRST,
    length: timedelta = LENGTH,
    rrule: dict | None = WEEKLY,
    exdates: tuple = (),
    overrides: tuple[Override, ...] = (),
    **fields,
) -> FeedEvent:
    """A weekly Tuesday 18:30 London meeting through 2026 unless told otherwise."""
    values = {
        "uid": stable_uid("meeting", key),
        "summary": "SMART Recovery meeting",
        "description": "Open to anyone.",
        "location": "St Mary’s Hall, 1 High Street, Leeds LS1 1AA",
        "geo": (53.7997, -1.5492),
        "url": f"https://meetings.example.org/m/{key}",
        "sequence": 2,
        "created": STAMP,
        "last_modified": STAMP,
    }
    values.update(fields)
    return FeedEvent(
        start=start, end=start + length, rrule=rrule, exdates=exdates, overrides=overrides, **values
    )


def moved(original: datetime, new_start: datetime, *, length: timedelta = LENGTH, **fields) -> Override:
    """One occurrence moved to a new start."""
    values = {"location": None, "geo": None, "sequence": 3}
    values.update(fields)
    return Override(original_start=original, start=new_start, end=new_start + length, **values)


def info(name: str = "Leeds meetings") -> FeedInfo:
    """A feed's identity."""
    return FeedInfo(
        name=name, description=None, uid=stable_uid("feed", name), url="https://meetings.example.org/"
    )


def feed(*events: FeedEvent) -> bytes:
    """The bytes of a feed holding these events."""
    return build_calendar(info(), list(events))


def python_occurrences(body: bytes, start: datetime, end: datetime) -> list[tuple[str, datetime]]:
    """(uid, UTC start) for each occurrence recurring-ical-events expands that starts in [start, end)."""
    found = []
    for occurrence in recurring_ical_events.of(Calendar.from_ical(body)).between(start, end):
        begins = occurrence.DTSTART
        if not isinstance(begins, datetime):
            # An all-day item (a day "to be confirmed") is read as its date's midnight UTC, as ical.js reports it.
            begins = datetime.combine(begins, time.min, UTC)
        if start <= begins < end:
            found.append((str(occurrence["UID"]), begins.astimezone(UTC)))
    return sorted(found)


def local_starts(body: bytes, start: datetime, end: datetime) -> list[datetime]:
    """Occurrence starts as London wall-clock times."""
    return [when.astimezone(LON) for _, when in python_occurrences(body, start, end)]
