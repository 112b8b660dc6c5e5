"""The liberation pack's content as plain data: the first six weeks out, day by day, readable with no phone.

Pure: no Flask, no database. The pack is handed to the person on release, so it may use plain words
("SMART Recovery meeting") that the calendar feed keeps neutral, but it never names the prison or
carries the pathway's reference: a lost pack must not say where its owner has been.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import segno

DAYS_OUT = 42  # the first six weeks after release (brief: throughcare.md), as in plan.WINDOW
SAMARITANS = "116 123"
NALOXONE = "Naloxone: you should be offered a kit when you leave. Ask for one if not."


@dataclass(frozen=True)
class PackEntry:
    """One thing to go to, as the person reads it on paper: when, what, where and how to get there."""

    on: date
    time: str  # "18:00", or "" when the mentor still has to confirm it
    what: str
    address: str = ""
    directions: str = ""
    accessibility: str = ""
    note: str = ""


@dataclass(frozen=True)
class PackDay:
    """A day with its entries, or a run of empty days shown as one line so the pack fits on paper."""

    first: date
    last: date
    entries: tuple[PackEntry, ...] = ()
    note: str = ""

    @property
    def label(self) -> str:
        """'Tue 3 Nov', or a range 'Wed 11 – Fri 13 Nov' (the month on both ends when it changes)."""
        if self.first == self.last:
            return short_date(self.first)
        if self.first.month == self.last.month:
            return f"{self.first:%a} {self.first.day} – {short_date(self.last)}"
        return f"{short_date(self.first)} – {short_date(self.last)}"


@dataclass(frozen=True)
class PackPlace:
    """A place the plan goes to more than once is described once: address, directions, access."""

    address: str
    directions: str
    accessibility: str


@dataclass(frozen=True)
class PlanLine:
    """One area of the integration plan as the person reads it: what was agreed, who does it, by when."""

    area: str
    agreed: str
    who: str
    by_when: str
    status: str


@dataclass(frozen=True)
class OnlineOption:
    """An online meeting offered when none is near where the person will live: what, when, and the link."""

    what: str
    when: str  # "Mondays, 19:00 (first: Mon 9 Nov)"
    link: str


@dataclass(frozen=True)
class Pack:
    """Everything printed on the pack; nothing here identifies the person beyond a first name."""

    first_name: str
    mentor: str
    backup: str
    phone: str
    release: date
    days: list[PackDay]
    places: list[PackPlace]
    calendar_url: str | None = None
    qr: list[list[bool]] = field(default_factory=list)
    plan: list[PlanLine] = field(default_factory=list)
    nothing_near: str = ""  # "No meeting within 10 miles of KY1 yet — here are online meetings."
    online: list[OnlineOption] = field(default_factory=list)

    @property
    def contact_line(self) -> str:
        """How to reach the mentor with no phone of one's own: one number, one name."""
        line = f"Call or text {self.phone} and ask for {self.mentor}."
        return line + (f" If {self.mentor} is away, ask for {self.backup}." if self.backup else "")

    @property
    def last_day(self) -> date:
        """The end of the six weeks the pack covers."""
        return self.release + timedelta(days=DAYS_OUT)


NO_PLAN, PLAN_MADE, REPRINT, READY = "none", "plan", "reprint", "ready"
PACK_STATES = {NO_PLAN: "No plan yet", PLAN_MADE: "Plan made; pack not ready yet",
               REPRINT: "Plan changed since the pack was ready: reprint it", READY: "Ready to leave at the gate"}


def pack_state(items: int, ready_at: datetime | None, last_change: datetime | None) -> str:
    """Whether the pack can be left at the gate: the mentor marked it ready and the plan has not moved since."""
    if ready_at is not None and items and (last_change is None or last_change <= ready_at):
        return READY
    if ready_at is not None and items:
        return REPRINT
    return PLAN_MADE if items else NO_PLAN


def short_date(day: date) -> str:
    """Weekday, day and month as a printed list writes it: Tue 3 Nov."""
    return f"{day:%a} {day.day} {day:%b}"


def empty_note(mentor: str) -> str:
    """What a day with nothing planned says: the mentor is still there."""
    return f"No plans — call {mentor} if you need to"


def pack_days(release: date, items: list[PackEntry], mentor: str = "your mentor") -> list[PackDay]:
    """Release day to six weeks out, every day accounted for; runs of empty days become one line."""
    last = release + timedelta(days=DAYS_OUT)
    by_day: dict[date, list[PackEntry]] = {}
    for entry in items:
        if release <= entry.on <= last:
            by_day.setdefault(entry.on, []).append(entry)
    days: list[PackDay] = []
    gap_start: date | None = None
    day = release
    while day <= last:
        entries = by_day.get(day)
        if entries:
            if gap_start is not None:
                days.append(PackDay(gap_start, day - timedelta(days=1), note=empty_note(mentor)))
                gap_start = None
            # Unconfirmed times ("") sort after the known ones of the same day.
            days.append(PackDay(day, day, tuple(sorted(entries, key=lambda e: (e.time == "", e.time, e.what)))))
        elif gap_start is None:
            gap_start = day
        day += timedelta(days=1)
    if gap_start is not None:
        days.append(PackDay(gap_start, last, note=empty_note(mentor)))
    return days


def places(items: list[PackEntry]) -> list[PackPlace]:
    """Each address once, in the order the person first goes there, with how to get there."""
    seen: dict[str, PackPlace] = {}
    for entry in sorted(items, key=lambda e: (e.on, e.time)):
        if entry.address and entry.address not in seen:
            seen[entry.address] = PackPlace(entry.address, entry.directions, entry.accessibility)
    return list(seen.values())


def qr_matrix(url: str) -> list[list[bool]]:
    """The calendar link as QR modules (True = dark), medium error correction so a creased page still scans."""
    # make_qr, not make: a Micro QR would be smaller, but many phone cameras can't read one.
    code = segno.make_qr(url, error="m")
    return [[bool(module) for module in row] for row in code.matrix]


def qr_svg(url: str, title: str = "QR code for the calendar link") -> str:
    """The same QR code as inline SVG for the printed page (the CSP allows inline SVG, not inline script)."""
    # omitsize: a viewBox instead of a fixed width, so the stylesheet can size it for screen and paper.
    return segno.make_qr(url, error="m").svg_inline(omitsize=True, title=title, dark="#000", light="#fff")
