"""The rules a series keeps wherever it comes from (the posting form, an import, the service): messages per field.

Pure: no Flask, no database. The posting form shows each message beside its field; the importer names the
feed's own key in front of it; `apply_details` refuses a series that breaks any of them. One set of rules,
so a feed can never store a meeting the form would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import cache
from urllib.parse import urlsplit

from recovery_network.meetings.kinds import BY_CODE
from recovery_network.meetings.recurrence import Schedule, last_slot, rule, zone

MIN_MINUTES, MAX_MINUTES = 15, 720
MAX_URL = 300
DAY_MINUTES = 24 * 60
# The weekday calendar repeats every 28 years (1901–2099) and the tz database's rule for the future is one yearly
# rule, so an open-ended series that ever meets at a skipped or repeated time does so within 28 years. (A
# fortnightly one shifts by a week whenever a year's change falls 53 weeks after the last, at least every 7 years.)
OPEN_ENDED_YEARS = 28

Problems = dict[str, list[str]]


@dataclass(frozen=True)
class ClockChange:
    """Wall-clock times in [start, end) that a zone skips (clocks forward) or repeats (clocks back) on one night."""

    start: datetime  # naive local
    end: datetime
    forward: bool


def _offset(zone_name: str, timestamp: int) -> timedelta:
    """The zone's UTC offset at a POSIX instant."""
    return datetime.fromtimestamp(timestamp, zone(zone_name)).utcoffset() or timedelta(0)


@cache
def clock_changes(zone_name: str, year: int) -> tuple[ClockChange, ...]:
    """Each change of the zone's offset in a year, found from the tz database (any zone, any rule, no list kept)."""
    found = []
    day = 86400
    moment = int(datetime(year, 1, 1, tzinfo=timezone.utc).timestamp())
    end = int(datetime(year + 1, 1, 1, tzinfo=timezone.utc).timestamp())
    before = _offset(zone_name, moment)
    while moment < end:
        after = _offset(zone_name, moment + day)
        if after != before:
            lo, hi = moment, moment + day  # lo has the old offset, hi the new: narrow to the second it changes
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if _offset(zone_name, mid) == before else (lo, mid)
            instant = datetime.fromtimestamp(hi, timezone.utc).replace(tzinfo=None)
            found.append(ClockChange(instant + min(before, after), instant + max(before, after), after > before))
        before, moment = after, moment + day
    return tuple(found)


def _meets_on(schedule: Schedule, day: date) -> bool:
    """Whether the series' rule gives a slot on this local date."""
    start = datetime.combine(day, time.min)
    return bool(rule(schedule, not_before=start).between(start, datetime.combine(day, time.max), inc=True))


def clock_problem(schedule: Schedule) -> str | None:
    """The first date the series meets at a time the clocks skip or repeat, as a message; None when there is none.

    Skipped, the meeting never happens that day; repeated, calendars disagree about which 01:30 is meant.
    """
    first = schedule.starts_on
    last = last_slot(schedule)
    final = last.date() if last is not None else date(min(first.year + OPEN_ENDED_YEARS, 9999), 12, 31)
    for year in range(first.year, final.year + 1):
        for change in clock_changes(schedule.timezone, year):
            for day in sorted({change.start.date(), change.end.date()}):
                at = datetime.combine(day, schedule.start_time)
                if not (change.start <= at < change.end and first <= day <= final):
                    continue
                if day.weekday() == schedule.weekday and _meets_on(schedule, day):
                    return skipped_time(at) if change.forward else repeated_time(at)
    return None


def skipped_time(naive: datetime) -> str:
    """The message for a wall-clock time the clocks skip."""
    return (f"{naive:%H:%M} does not exist on {naive:%A} {naive.day} {naive:%B %Y}: "
            "the clocks go forward that night. Choose another time.")


def repeated_time(naive: datetime) -> str:
    """The message for a wall-clock time that happens twice."""
    return (f"{naive:%H:%M} happens twice on {naive:%A} {naive.day} {naive:%B %Y}: the clocks go back that night, "
            "so calendars disagree about which one is meant. Choose another time.")


def length_problem(start: time, minutes: int) -> str | None:
    """A length in range that ends by midnight: a series is listed under the day it starts, everywhere."""
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        return f"Between {MIN_MINUTES} and {MAX_MINUTES} minutes."
    end = start.hour * 60 + start.minute + minutes
    if end > DAY_MINUTES:
        # Finders read Meeting Guide's end_time (a time, no date) as before the start; a day filter misses it.
        ends = end - DAY_MINUTES
        return (f"Starting at {start:%H:%M}, it would end at {ends // 60:02d}:{ends % 60:02d} the next day. "
                "A meeting must end by midnight: shorten it or start earlier.")
    return None


def link_problem(url: str) -> str | None:
    """Only whole https links: a plain http link could be read or redirected by anyone on the network."""
    if not url.lower().startswith("https://"):
        return "The online link must start with https://"
    if len(url) > MAX_URL:
        return f"Keep the online link to {MAX_URL} characters or fewer."
    try:
        host = urlsplit(url).hostname
    except ValueError:  # e.g. "https://[::1": an IPv6 bracket never closed
        host = None
    if not host or any(c.isspace() for c in url):
        return "That doesn't look like a web address. Paste the whole link."
    return None


def check(schedule: Schedule | None, *, kind: str, online_url: str | None) -> Problems:
    """Every rule a series breaks, as messages by the posting form's field names (empty when it keeps them all).

    Without a schedule (a form still missing the fields one needs) only the kind and the link are checked.
    """
    found = {
        "kind": None if kind in BY_CODE else "Choose a kind of meeting from the list.",
        "start_time": clock_problem(schedule) if schedule else None,
        "duration_minutes": length_problem(schedule.start_time, schedule.duration // timedelta(minutes=1))
        if schedule else None,
        "online_url": link_problem(online_url) if online_url else None,
    }
    return {field: [message] for field, message in found.items() if message}
