"""When a meeting series meets: its rule expanded into local occurrences, correct across clock changes.

Pure: no Flask, no database. Times are wall-clock times in the venue's zone; each occurrence is made
aware only after the rule is expanded, so 18:30 stays 18:30 in March and October alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

from dateutil.rrule import MONTHLY, WEEKLY, rrule, weekday as rr_weekday

from recovery_network import localzone
from recovery_network.holidays import public_holiday

DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# How far to look either side of a window for slots whose move lands inside it.
MOVE_REACH = timedelta(days=62)


@dataclass(frozen=True)
class Schedule:
    """A series' rule: weekly, fortnightly or monthly on the nth weekday, with an optional end."""

    frequency: str  # weekly | fortnightly | monthly
    weekday: int  # 0 = Monday, as in Python
    starts_on: date
    start_time: time
    duration: timedelta
    timezone: str = field(default_factory=localzone.name)  # the network's zone unless the series says
    week_of_month: int | None = None  # 1..4, or -1 for the last, when monthly
    ends_on: date | None = None
    count: int | None = None  # a fixed course of N sessions


@dataclass(frozen=True)
class Change:
    """An exception to one occurrence: cancelled, or moved to a new local time and/or venue."""

    original_date: date
    cancelled: bool
    reason: str = ""
    new_start: datetime | None = None  # naive local wall-clock time
    new_venue_id: int | None = None
    confirmed: bool = False  # on as usual, though a public holiday


@dataclass(frozen=True)
class Occurrence:
    """One dated meeting as people see it, after exceptions are applied."""

    original_start: datetime  # aware local: the slot the rule generates
    start: datetime  # aware local: when it actually happens
    end: datetime
    cancelled: bool = False
    moved: bool = False
    reason: str = ""
    venue_id: int | None = None  # set only when moved to another venue
    # A public holiday's name when the date falls on one and nobody has said it is on: "check before you go".
    holiday: str = ""
    confirmed: bool = False  # the facilitator said a holiday date is on as usual


@cache
def zone(name: str) -> ZoneInfo:
    """The IANA zone by name (cached; ZoneInfo keeps the IANA key for feeds' TZIDs)."""
    return ZoneInfo(name)


def localise(naive: datetime, tz: str) -> datetime:
    """Attach a zone to a wall-clock time; a time skipped by the clocks going forward moves an hour on.

    An ambiguous time (clocks going back) takes its first instance, as RFC 5545 §3.3.5 does.
    """
    aware = naive.replace(tzinfo=zone(tz), fold=0)
    # Round-tripping through UTC normalises a non-existent time (01:30 on spring-forward night).
    return aware.astimezone(timezone.utc).astimezone(zone(tz))


def exists_locally(naive: datetime, tz: str) -> bool:
    """False for a wall-clock time that the clocks skip (it never happens on that date)."""
    return localise(naive, tz).replace(tzinfo=None) == naive


@lru_cache(maxsize=8192)  # every feed render asks for every meeting's; a Schedule is immutable
def first_slot_date(schedule: Schedule) -> date:
    """The first date on or after starts_on that the rule generates."""
    return rule(schedule, limit_count=False)[0].date()


def _byweekday(schedule: Schedule) -> rr_weekday:
    """The rule's weekday, with the nth-of-month when monthly."""
    day = rr_weekday(schedule.weekday)
    if schedule.frequency == "monthly":
        return day(schedule.week_of_month or 1)
    return day


def _weekly_start(schedule: Schedule, not_before: datetime | None) -> tuple[datetime, timedelta]:
    """A weekly or fortnightly series' first real meeting (naive local) and its period.

    Fortnights are anchored on that first meeting, not on whatever day starts_on is. With not_before,
    the start moves on by whole periods to the last slot at or before it, so expanding costs the window.
    """
    first = datetime.combine(schedule.starts_on, schedule.start_time)
    start = first + timedelta(days=(schedule.weekday - first.weekday()) % 7)
    period = timedelta(weeks=2 if schedule.frequency == "fortnightly" else 1)
    if not_before is not None and not_before > start:
        start += ((not_before - start) // period) * period
    return start, period


def _until(schedule: Schedule) -> datetime | None:
    """The last moment of the series' last day (naive local), when it has an end date: the end is inclusive."""
    return None if schedule.ends_on is None else datetime.combine(schedule.ends_on, time(23, 59, 59))


def rule(schedule: Schedule, *, limit_count: bool = True, not_before: datetime | None = None) -> rrule:
    """The series as a dateutil rule over naive local wall-clock times.

    not_before (naive local) lets an open-ended series start its rule near the window asked
    about, so expanding it costs the window, not the series' age; a counted series keeps its
    real start, since COUNT counts from there.
    """
    start = datetime.combine(schedule.starts_on, schedule.start_time)
    skip = not_before is not None and not (limit_count and schedule.count) and not_before > start
    if schedule.frequency == "monthly":
        freq, interval = MONTHLY, 1
        if skip:
            start = max(start, datetime.combine(not_before.date().replace(day=1), schedule.start_time))
    else:
        start, period = _weekly_start(schedule, not_before if skip else None)
        freq, interval = WEEKLY, period.days // 7
    return rrule(
        freq,
        dtstart=start,
        interval=interval,
        byweekday=_byweekday(schedule),
        until=_until(schedule),
        count=schedule.count if limit_count else None,
        cache=False,  # each rule is expanded once; caching its results only costs
    )


def slots(schedule: Schedule, start: datetime, end: datetime) -> list[datetime]:
    """Aware local starts the rule generates with start <= slot < end."""
    tz = schedule.timezone
    # Compare in local wall-clock terms: the rule is naive local.
    lo = start.astimezone(zone(tz)).replace(tzinfo=None) - timedelta(days=1)
    hi = end.astimezone(zone(tz)).replace(tzinfo=None) + timedelta(days=1)
    if schedule.frequency == "monthly" or schedule.count:
        naive = rule(schedule, not_before=lo).between(lo, hi, inc=True)
    else:
        naive = stepped(schedule, lo, hi)
    found = (localise(n, tz) for n in naive)
    return [s for s in found if start <= s < end]


def stepped(schedule: Schedule, lo: datetime, hi: datetime) -> list[datetime]:
    """Naive local slots lo <= slot <= hi of an uncounted weekly or fortnightly series, by adding weeks.

    The same slots as `rule(...).between(lo, hi, inc=True)` (a property test holds it to that), at a
    fifth of the cost: every search result asks for its next dates, and these are nine series in ten.
    """
    slot, period = _weekly_start(schedule, lo)
    until = _until(schedule)
    last = hi if until is None else min(hi, until)
    found = []
    while slot <= last:
        if slot >= lo:
            found.append(slot)
        slot += period
    return found


def last_slot(schedule: Schedule) -> datetime | None:
    """The final slot of a series that ends, or None for an open-ended one."""
    if schedule.ends_on is None and schedule.count is None:
        return None
    naive = rule(schedule)[-1] if schedule.count else rule(schedule).before(
        datetime.combine(schedule.ends_on, time.max), inc=True
    )
    return localise(naive, schedule.timezone) if naive else None


def as_occurrence(schedule: Schedule, slot: datetime, change: Change | None) -> Occurrence:
    """One slot the rule generates, as people see it once its dated change (cancelled or moved) is applied."""
    duration = schedule.duration
    if change is None:
        return Occurrence(slot, slot, slot + duration, holiday=public_holiday(slot.date()))
    if change.confirmed:
        return Occurrence(slot, slot, slot + duration, confirmed=True)
    if change.cancelled:
        return Occurrence(slot, slot, slot + duration, cancelled=True, reason=change.reason)
    moved = localise(change.new_start, schedule.timezone) if change.new_start else slot
    return Occurrence(slot, moved, moved + duration, moved=True, reason=change.reason, venue_id=change.new_venue_id)


def occurrences(
    schedule: Schedule, changes: dict[date, Change], start: datetime, end: datetime
) -> list[Occurrence]:
    """Occurrences happening in [start, end), with cancellations kept (marked) and moves applied.

    A slot moved into the window from outside it is included; one moved out of it is not.
    """
    result: list[Occurrence] = []
    # Only a moved slot can land in the window from outside it.
    reach = MOVE_REACH if any(not c.cancelled for c in changes.values()) else timedelta(0)
    for slot in slots(schedule, start - reach, end + reach):
        occ = as_occurrence(schedule, slot, changes.get(slot.date()))
        if start <= occ.start < end:
            result.append(occ)
    result.sort(key=lambda o: o.start)
    return result


def occurrence_on(schedule: Schedule, changes: dict[date, Change], on: date) -> Occurrence | None:
    """The occurrence the rule slots on a local date, as it now stands (cancelled, moved or as usual); None if the
    series does not meet that day. The rota, the plan, the pack and the reminders all ask this, never the rule."""
    tz = schedule.timezone
    day = slots(schedule, localise(datetime.combine(on, time.min), tz),
                localise(datetime.combine(on + timedelta(days=1), time.min), tz))
    return as_occurrence(schedule, day[0], changes.get(on)) if day else None


def next_occurrences(
    schedule: Schedule, changes: dict[date, Change], now: datetime, count: int = 6
) -> list[Occurrence]:
    """The next `count` occurrences from now, cancelled ones included so people see them."""
    found: list[Occurrence] = []
    # Enough days for `count` meetings after one in progress (a month is at most five weeks). A
    # cancellation or an ending series may need more, and the loop below widens for that.
    period = {"weekly": 7, "fortnightly": 14}.get(schedule.frequency, 35)
    window = timedelta(days=period * count + 1)
    # Start one meeting-length back, so a meeting in progress still counts as next; a series that has not begun
    # is searched from its first meeting, however far ahead (a course starting next autumn has dates too).
    first = localise(datetime.combine(schedule.starts_on, time.min), schedule.timezone)
    since = max(now - schedule.duration, first - MOVE_REACH)
    horizon = max(now, first) + window
    # Widen the search until enough are found or the series has ended.
    for _ in range(6):
        found = [o for o in occurrences(schedule, changes, since, horizon) if o.end > now]
        if len(found) >= count:
            break
        horizon = horizon + window
    return found[:count]


def rrule_parts(schedule: Schedule) -> dict:
    """The rule as RFC 5545 RRULE parts (FREQ first), with UNTIL in UTC at the end of the last local day."""
    parts: dict = {}
    if schedule.frequency == "monthly":
        parts["FREQ"] = "MONTHLY"
        parts["BYDAY"] = f"{schedule.week_of_month or 1}{DAY_CODES[schedule.weekday]}"
    else:
        parts["FREQ"] = "WEEKLY"
        if schedule.frequency == "fortnightly":
            parts["INTERVAL"] = 2
        parts["BYDAY"] = DAY_CODES[schedule.weekday]
    if schedule.count:
        parts["COUNT"] = schedule.count
    elif schedule.ends_on is not None:
        end_of_day = datetime.combine(schedule.ends_on, time(23, 59, 59))
        parts["UNTIL"] = localise(end_of_day, schedule.timezone).astimezone(timezone.utc)
    return parts


def describe(schedule: Schedule) -> str:
    """The rule in plain words, e.g. 'Every other Tuesday' or 'The 2nd Tuesday of each month'."""
    day = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[schedule.weekday]
    if schedule.frequency == "monthly":
        nth = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", -1: "last"}[schedule.week_of_month or 1]
        text = f"The {nth} {day} of each month"
    elif schedule.frequency == "fortnightly":
        text = f"Every other {day}"
    else:
        text = f"Every {day}"
    if schedule.count:
        text += f", {schedule.count} sessions"
    return text
