"""The one iCalendar builder behind every feed: plain data in, RFC 5545 bytes out (ical.md C1–C28).

Pure: no Flask, no database. Series are written as local times with a TZID and a hand-built
VTIMEZONE, cancellations as EXDATE, moves as RECURRENCE-ID overrides — or, when a move would break
Outlook's neighbour rule (C26), as EXDATE plus a one-off with its own UID. The same input always
gives the same bytes, so a feed's ETag only changes when its data does. Each VEVENT's lines are
written by contentlines.py; icalendar writes the calendar around them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr
from icalendar import Calendar, vDuration, vText

from recovery_network.ical.contentlines import Value, component, recur_text
from recovery_network.ical.rendered import RenderedEvents
from recovery_network.ical.vtimezone import vtimezone

PRODID = "-//Recovery Network//Meeting Feeds 1.0//EN"
# Fixed forever: every UID subscribers already hold is derived from it (C16).
PROJECT_NAMESPACE = uuid.UUID("1f317768-d11b-4d5c-aca8-a9592f80faa2")
CANCELLED_PREFIX = "CANCELLED – "
STATUSES = ("CONFIRMED", "TENTATIVE", "CANCELLED")
LAST_SECOND = time(23, 59, 59)

Slot = date | datetime  # a datetime for timed items, a date for all-day ones (C27)


class FeedError(ValueError):
    """Input the builder refuses: naive times, contradictory changes, or what RFC 5545 leaves undefined."""


@dataclass(frozen=True)
class Override:
    """One moved occurrence of a series; location/geo None means "as the series"."""

    original_start: Slot  # the slot the rule generates
    start: Slot
    end: Slot
    location: str | None
    geo: tuple[float, float] | None
    sequence: int


@dataclass(frozen=True)
class FeedEvent:
    """A meeting series, or a one-off item when rrule is None; dates instead of datetimes make it all-day."""

    uid: str
    summary: str
    description: str | None
    location: str | None
    geo: tuple[float, float] | None
    url: str | None
    start: Slot  # aware, tzinfo=ZoneInfo(...): the first slot
    end: Slot
    rrule: dict | None  # RRULE parts, e.g. {"FREQ": "MONTHLY", "BYDAY": "2TU", "COUNT": 10}
    exdates: tuple[Slot, ...]
    overrides: tuple[Override, ...]
    sequence: int
    created: datetime  # aware; written in UTC
    last_modified: datetime
    status: str = "CONFIRMED"


@dataclass(frozen=True)
class FeedInfo:
    """The calendar's own name and identity; uid must be stable across renders."""

    name: str
    description: str | None
    uid: str
    url: str | None
    refresh: timedelta = timedelta(hours=6)


@lru_cache(maxsize=8192)  # every render asks again for every meeting's UID; SHA-1 each time was 5% of one
def stable_uid(kind: str, key: str | int) -> str:
    """A UID that is the same in every render and every feed, and reveals no host or person (C16)."""
    return str(uuid.uuid5(PROJECT_NAMESPACE, f"{kind}:{key}"))


def _wall(value: Slot, zone: ZoneInfo | None, what: str) -> datetime:
    """A slot as naive local wall-clock time (RFC 5545 recurrence math), refusing the wrong kind of value."""
    if zone is None:
        if isinstance(value, datetime):
            raise FeedError(f"{what} must be a date in an all-day item (C27)")
        return datetime.combine(value, time())
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise FeedError(f"{what} must be an aware datetime")
    return value.astimezone(zone).replace(tzinfo=None, microsecond=0)


@dataclass(frozen=True)
class _Series:
    """One FeedEvent with its zone and its first slot as naive local wall-clock times."""

    event: FeedEvent
    zone: ZoneInfo | None  # None when all-day
    start: datetime
    end: datetime

    def local(self, value: Slot, what: str) -> datetime:
        """A value of this series as naive local wall-clock time."""
        return _wall(value, self.zone, f"{self.event.uid}: {what}")

    def value(self, naive: datetime) -> Slot:
        """A wall-clock time back as the value written: a date, or an aware time in the series' zone."""
        return naive.date() if self.zone is None else naive.replace(tzinfo=self.zone)


def _series(event: FeedEvent) -> _Series:
    """Check an event's start and zone: IANA ZoneInfo keys only, or icalendar writes TZIDs like 'CET'."""
    if not isinstance(event.start, datetime):
        zone = None
    elif isinstance(event.start.tzinfo, ZoneInfo) and event.start.tzinfo.key:
        zone = event.start.tzinfo
    else:
        raise FeedError(f"{event.uid}: start needs tzinfo=ZoneInfo('Area/City')")
    start, end = _wall(event.start, zone, f"{event.uid}: start"), _wall(event.end, zone, f"{event.uid}: end")
    if end <= start:
        raise FeedError(f"{event.uid}: end must be after start")
    if event.status not in STATUSES:
        raise FeedError(f"{event.uid}: status must be one of {STATUSES}")
    if event.created.tzinfo is None or event.last_modified.tzinfo is None:
        # A naive stamp would be read as the server's local time and shift DTSTAMP.
        raise FeedError(f"{event.uid}: created and last_modified must be aware datetimes")
    return _Series(event, zone, start, end)


def _rule(series: _Series) -> tuple[dict, rrule]:
    """The RRULE as written (FREQ first, UNTIL in UTC at the end of the last local day) and as run."""
    parts = {key.upper(): value for key, value in (series.event.rrule or {}).items()}
    if "FREQ" not in parts:
        raise FeedError(f"{series.event.uid}: an RRULE needs FREQ (C18)")
    if "COUNT" in parts and "UNTIL" in parts:
        raise FeedError(f"{series.event.uid}: COUNT and UNTIL together are not allowed (C19)")
    until = parts.pop("UNTIL", None)
    if until is not None and not isinstance(until, date):
        raise FeedError(f"{series.event.uid}: UNTIL must be a date or an aware datetime")
    # The wall-clock rule, which is what RFC 5545 repeats; UNTIL is applied after parsing.
    # Not cached by dateutil: most rules are asked once for their first slot, which caching made 3x dearer.
    wall = rrulestr(recur_text(parts), dtstart=series.start, cache=False)
    if until is not None:
        last_day = series.local(until, "UNTIL").date() if isinstance(until, datetime) else until
        if series.zone is None:
            wall, parts["UNTIL"] = wall.replace(until=datetime.combine(last_day, time())), last_day
        else:
            # End of the last local day (C21): a client that mis-reads the TZID still shows the last one.
            end_of_day = datetime.combine(last_day, LAST_SECOND)
            wall = wall.replace(until=end_of_day)
            parts["UNTIL"] = end_of_day.replace(tzinfo=series.zone).astimezone(timezone.utc)
    if next(iter(wall), None) != series.start:
        raise FeedError(f"{series.event.uid}: the rule must generate start first (RFC 5545 §3.8.5.3)")
    return parts, wall


def _generates(wall: rrule, slot: datetime) -> bool:
    """True when the rule really produces this slot (C24)."""
    return wall.before(slot, inc=True) == slot


def _stays_in_series(
    wall: rrule, slot: datetime, new: tuple[datetime, datetime], length: timedelta, moves: dict
) -> bool:
    """Outlook's rule (C26): a move stays strictly between its neighbours, clear of them, off their days."""
    start, end = new
    for neighbour, earlier in ((wall.before(slot), True), (wall.after(slot), False)):
        if neighbour is None:
            continue
        # The neighbour as the rule places it (even if cancelled: Outlook's own check is as strict)
        # and, if it moved too, where it went.
        others = [(neighbour, neighbour + length)] + ([moves[neighbour][:2]] if neighbour in moves else [])
        for other_start, other_end in others:
            if other_start.date() == start.date():
                return False
            if (start < other_end) if earlier else (end > other_start):
                return False
    return True


def _common(series: _Series, uid: str, start: datetime, end: datetime, sequence: int) -> dict[str, Value]:
    """The properties every VEVENT repeats in full: an override inherits nothing (RFC 5545 §3.8.4.4)."""
    event = series.event
    summary = event.summary
    if event.status == "CANCELLED" and not summary.startswith(CANCELLED_PREFIX):
        # Many clients ignore STATUS, so the title says it too (ical.md §1.5).
        summary = CANCELLED_PREFIX + summary
    stamp = event.last_modified.astimezone(timezone.utc).replace(microsecond=0)
    properties: dict[str, Value] = {
        "UID": uid,
        "SUMMARY": summary,
        "DTSTART": series.value(start),
        "DTEND": series.value(end),
        # DTSTAMP is LAST-MODIFIED, never now(): the bytes and the ETag stay put between renders.
        "DTSTAMP": stamp,
        "CREATED": event.created.astimezone(timezone.utc).replace(microsecond=0),
        "LAST-MODIFIED": stamp,
        "SEQUENCE": max(sequence, event.sequence),  # C25: never below the master's
        "STATUS": event.status,
        "TRANSP": "TRANSPARENT" if series.zone is None else "OPAQUE",
    }
    if event.description:
        properties["DESCRIPTION"] = event.description
    if event.url:
        properties["URL"] = event.url
    return properties


def _place(properties: dict[str, Value], location: str | None, geo: tuple[float, float] | None) -> None:
    """LOCATION and GEO, with GEO in plain decimals (repr of 1e-05 is not an RFC FLOAT)."""
    if location:
        properties["LOCATION"] = location
    if geo is not None:
        properties["GEO"] = tuple(round(v, 5) if abs(v) >= 1e-4 else 0.0 for v in geo)


def _components(event: FeedEvent) -> list[tuple[str, bytes]]:
    """A series as its master, its overrides and its demoted moves, each tagged with its UID for sorting."""
    series = _series(event)
    master = _common(series, event.uid, series.start, series.end, event.sequence)
    _place(master, event.location, event.geo)
    if event.rrule is None:
        if event.exdates or event.overrides:
            raise FeedError(f"{event.uid}: a one-off has no exdates or overrides; change it instead")
        return [(event.uid, component("VEVENT", master))]
    parts, wall = _rule(series)
    master["RRULE"] = parts
    # An EXDATE naming no slot cancels nothing (a series shortened since); writing it would break C24.
    exdates = {s for s in (series.local(x, "exdate") for x in event.exdates) if _generates(wall, s)}
    moves: dict[datetime, tuple[datetime, datetime, Override]] = {}
    for override in event.overrides:
        slot = series.local(override.original_start, "original_start")
        if slot in moves or slot in exdates:
            raise FeedError(f"{event.uid}: {slot} is moved twice or both moved and cancelled (C17)")
        new = (series.local(override.start, "override start"), series.local(override.end, "override end"))
        if new[1] <= new[0]:
            raise FeedError(f"{event.uid}: the move of {slot} must end after it starts")
        moves[slot] = (*new, override)
    result: list[tuple[str, dict[str, Value]]] = [(event.uid, master)]
    for slot, (start, end, override) in sorted(moves.items()):
        in_rule = _generates(wall, slot)
        if in_rule and _stays_in_series(wall, slot, (start, end), series.end - series.start, moves):
            uid = event.uid
        else:
            # C26: a one-off with its own stable UID; a move naming no slot (orphan) still happens.
            uid = stable_uid("moved", f"{event.uid}/{series.value(slot).isoformat()}")
            exdates |= {slot} if in_rule else set()
        moved = _common(series, uid, start, end, override.sequence)
        if uid == event.uid:
            moved["RECURRENCE-ID"] = series.value(slot)
        _place(moved, override.location or event.location, override.geo or event.geo)
        result.append((uid, moved))
    if exdates:
        # One EXDATE per line: readers that take only the first value of a list still see them all.
        master["EXDATE"] = [series.value(slot) for slot in sorted(exdates)]
    return [(uid, component("VEVENT", properties)) for uid, properties in result]


def build_calendar(info: FeedInfo, events: Sequence[FeedEvent]) -> bytes:
    """One VCALENDAR for any feed on the site, byte-identical for identical input (ical.md C1–C28)."""
    unique = {}
    for event in events:
        if unique.setdefault(event.uid, event) != event:
            raise FeedError(f"two different events share the UID {event.uid} (C17)")
    tagged = [item for event in unique.values() for item in rendered_events.components(event)]
    # Sorted by UID; a stable sort keeps each master before its overrides in slot order.
    tagged.sort(key=lambda item: item[0])
    tzids = sorted({e.start.tzinfo.key for e in unique.values() if isinstance(e.start, datetime)})
    # No METHOD (and so no ORGANIZER): a subscription is a snapshot, not an iTIP message. RFC 5546 PUBLISH
    # would need an ORGANIZER in every VEVENT, which RFC 5545 §3.8.4.3 forbids outside group scheduling and
    # which makes Outlook and Apple treat each meeting as an invitation (README, "Why no METHOD").
    calendar = Calendar.new(
        prodid=PRODID,
        calscale="GREGORIAN",
        refresh_interval=info.refresh,
        uid=info.uid,
        url=info.url,
    )
    calendar["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"  # RFC 7986 requires it; 7.3 omits it (C7)
    # Calendar.new(name=..., description=...) stores these unescaped (vUnknown); as vText they escape (C28).
    calendar.add("NAME", vText(info.name))
    calendar.add("X-WR-CALNAME", vText(info.name))
    if info.description:
        calendar.add("DESCRIPTION", vText(info.description))
        calendar.add("X-WR-CALDESC", vText(info.description))
    calendar.add("X-PUBLISHED-TTL", vDuration(info.refresh))  # a bare timedelta prints "6:00:00" (C8)
    if len(tzids) == 1:
        calendar.add("X-WR-TIMEZONE", tzids[0])  # C11: only when it names the one zone in use
    for tzid in tzids:
        calendar.add_component(vtimezone(tzid))  # C10, from tzdata in the Outlook shape (C12, C13)
    # A component's lines are the same inside the calendar as alone, so the events are spliced in
    # before the closing line from their own cached bytes.
    head = calendar.to_ical()
    return b"".join([head[: -len(_CALENDAR_END)], *(ical for _, ical in tagged), _CALENDAR_END])


_CALENDAR_END = b"END:VCALENDAR\r\n"


# About 1.5 KB an event: a few MB at most, enough for every public meeting in a large area's feeds.
rendered_events = RenderedEvents(_components, size=4096)
