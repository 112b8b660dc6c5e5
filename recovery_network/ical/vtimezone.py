"""VTIMEZONEs every client reads: one STANDARD and one DAYLIGHT with yearly BYDAY rules (ical.md C12–C14).

Pure: no Flask, no database. The rules are derived from tzdata through zoneinfo, not taken from
icalendar's ``Timezone.from_tzinfo``/``add_missing_timezones``: in 7.3 those write RDATE lists that
ical.js reads as one value, put DAYLIGHT onsets an hour late, and stop in 2038 (ical.md §0, §2).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# Observance DTSTARTs fall in 1970, the classic shape, so every feed date is after the first onset.
EPOCH_YEAR = 1970
# Two full weekday cycles: enough years to tell "4th Sunday" from "last Sunday" from "Sunday >= 2".
SAMPLE_YEARS = 14
HOUR = timedelta(hours=1)


class UnsupportedTimezone(ValueError):
    """The zone's current rules cannot be written as one yearly STANDARD/DAYLIGHT pair."""


@dataclass(frozen=True)
class Transition:
    """One change of UTC offset, with its onset as wall-clock time in the offset before it."""

    onset: datetime  # naive local, in offset_from (RFC 5545 §3.6.5)
    offset_from: timedelta
    offset_to: timedelta
    name: str


@dataclass(frozen=True)
class Observance:
    """A yearly rule for one STANDARD or DAYLIGHT block."""

    daylight: bool
    month: int
    weekday: int  # 0 = Monday
    nth: int | None  # 1..4, or -1 for the last; None for "weekday on or after first_day"
    first_day: int
    onset: time
    offset_from: timedelta
    offset_to: timedelta
    name: str

    def first_date(self, year: int) -> date:
        """The day this rule picks in the given year."""
        if self.nth == -1:
            last = date(year, self.month, calendar.monthrange(year, self.month)[1])
            return last - timedelta(days=(last.weekday() - self.weekday) % 7)
        floor = date(year, self.month, self.first_day)
        return floor + timedelta(days=(self.weekday - floor.weekday()) % 7)

    def rrule(self) -> dict:
        """The yearly RRULE: BYMONTH with an nth BYDAY, or BYDAY with a 7-day BYMONTHDAY window."""
        code = DAY_CODES[self.weekday]
        if self.nth is not None:
            return {"FREQ": "YEARLY", "BYMONTH": self.month, "BYDAY": f"{self.nth}{code}"}
        days = list(range(self.first_day, self.first_day + 7))
        return {"FREQ": "YEARLY", "BYMONTH": self.month, "BYDAY": code, "BYMONTHDAY": days}


def _offset(zone: ZoneInfo, instant: datetime) -> timedelta:
    """The zone's UTC offset at a UTC instant."""
    return instant.astimezone(zone).utcoffset() or timedelta(0)


def transitions(zone: ZoneInfo, year: int) -> list[Transition]:
    """Every offset change in a UTC calendar year, found by an hourly scan and a bisection to the second."""
    found: list[Transition] = []
    at = datetime(year, 1, 1, tzinfo=timezone.utc)
    end = datetime(year + 1, 1, 1, tzinfo=timezone.utc)
    before = _offset(zone, at)
    while at < end:
        after = _offset(zone, at + HOUR)
        if after != before:
            lo, hi = 0, 3600  # seconds: offset at lo is `before`, at hi is `after`
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if _offset(zone, at + timedelta(seconds=mid)) == before else (lo, mid)
            instant = at + timedelta(seconds=hi)
            onset = (instant + before).replace(tzinfo=None)
            found.append(Transition(onset, before, after, instant.astimezone(zone).tzname() or ""))
            before = after
        at += HOUR
    return found


def _observance(changes: list[Transition], daylight: bool) -> Observance:
    """The one yearly rule that generates the same transition in every sampled year."""
    first = changes[0]
    shape = {(t.onset.month, t.onset.weekday(), t.onset.time(), t.offset_from, t.offset_to) for t in changes}
    if len(shape) != 1:
        raise UnsupportedTimezone(f"transitions move between months, weekdays or times: {changes}")
    month, weekday = first.onset.month, first.onset.weekday()
    days = [t.onset.day for t in changes]
    lengths = [calendar.monthrange(t.onset.year, month)[1] for t in changes]
    nth: int | None = None
    if all(d > n - 7 for d, n in zip(days, lengths, strict=True)):
        nth = -1  # preferred when both fit: tzdata's "lastSun" is the common rule
    elif len({(d - 1) // 7 for d in days}) == 1:
        nth = (days[0] - 1) // 7 + 1
    elif max(days) - min(days) > 6:
        raise UnsupportedTimezone(f"no weekday-of-month rule fits {days}")
    return Observance(
        daylight=daylight,
        month=month,
        weekday=weekday,
        nth=nth,
        first_day=min(days) if nth is None else 1,
        onset=first.onset.time(),
        offset_from=first.offset_from,
        offset_to=first.offset_to,
        name=first.name,
    )


@cache
def zone_rules(tzid: str, year: int) -> tuple[Observance, ...]:
    """The zone's rules as of `year`: (DAYLIGHT, STANDARD), or (STANDARD,) for a zone without DST.

    Cached because the scan takes about a tenth of a second and tzdata does not change under a process.
    """
    zone = ZoneInfo(tzid)
    per_year = [transitions(zone, y) for y in range(year, year + SAMPLE_YEARS)]
    if not any(per_year):
        offset = _offset(zone, datetime(year, 1, 1, tzinfo=timezone.utc))
        name = datetime(year, 1, 1, tzinfo=timezone.utc).astimezone(zone).tzname() or tzid
        # One fixed STANDARD from 1 January 1970 (a Thursday); it has no onset rule to write.
        fixed = Observance(False, 1, 3, None, 1, time(0), offset_from=offset, offset_to=offset, name=name)
        return (fixed,)
    if any(len(changes) != 2 for changes in per_year):
        raise UnsupportedTimezone(f"{tzid} does not change its clocks exactly twice a year from {year}")
    # Sort each year's pair so the same rule lands in the same column (southern zones start in spring).
    pairs = [sorted(changes, key=lambda t: t.offset_to) for changes in per_year]
    standard = _observance([p[0] for p in pairs], daylight=False)
    daylight = _observance([p[1] for p in pairs], daylight=True)
    return daylight, standard


def _block(rule: Observance) -> TimezoneStandard | TimezoneDaylight:
    """One observance block: DTSTART is local time in TZOFFSETFROM, never UTC (Outlook shifts a Z by 1 h)."""
    block = TimezoneDaylight() if rule.daylight else TimezoneStandard()
    if rule.offset_from == rule.offset_to:
        block.add("DTSTART", datetime(EPOCH_YEAR, 1, 1))
    else:
        block.add("DTSTART", datetime.combine(rule.first_date(EPOCH_YEAR), rule.onset))
        block.add("RRULE", rule.rrule())
    block.add("TZOFFSETFROM", rule.offset_from)
    block.add("TZOFFSETTO", rule.offset_to)
    block.add("TZNAME", rule.name)
    return block


def vtimezone(tzid: str, year: int | None = None) -> Timezone:
    """The VTIMEZONE for an IANA zone under its current rules (those in force from `year`, default this year).

    Returns a new component on each call (the rules are cached), so a caller may not corrupt another's.
    """
    rules = zone_rules(tzid, year or date.today().year)
    component = Timezone()
    component.add("TZID", tzid)
    for rule in rules:
        component.add_component(_block(rule))
    return component
