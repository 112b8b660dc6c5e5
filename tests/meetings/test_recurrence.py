"""Recurrence is pure: expand schedules without an app, across both clock changes."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recovery_network.meetings.recurrence import (
    Change,
    Schedule,
    describe,
    exists_locally,
    last_slot,
    localise,
    next_occurrences,
    occurrence_on,
    occurrences,
    rule,
    rrule_parts,
    slots,
    stepped,
)

LONDON = ZoneInfo("Europe/London")
UTC = timezone.utc


def weekly(**kw) -> Schedule:
    """A Tuesday 18:30 weekly series from 6 January 2026 unless told otherwise."""
    base = dict(frequency="weekly", weekday=1, starts_on=date(2026, 1, 6), start_time=time(18, 30),
                duration=timedelta(minutes=90))
    base.update(kw)
    return Schedule(**base)


def test_weekly_keeps_local_time_across_both_clock_changes():
    """18:30 stays 18:30 local: 18:30Z in winter, 17:30Z in summer."""
    found = slots(weekly(), datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC))
    assert all(s.astimezone(LONDON).time() == time(18, 30) for s in found)
    by_date = {s.date(): s.astimezone(UTC).hour for s in found}
    assert by_date[date(2026, 3, 24)] == 18  # last Tuesday of GMT
    assert by_date[date(2026, 3, 31)] == 17  # first Tuesday of BST
    assert by_date[date(2026, 10, 20)] == 17
    assert by_date[date(2026, 10, 27)] == 18  # back to GMT


def test_fortnightly_is_anchored_on_the_first_real_meeting():
    """starts_on a Monday, meeting on Thursdays: the first is that Thursday, then every 14 days."""
    s = weekly(frequency="fortnightly", weekday=3, starts_on=date(2026, 3, 2))
    found = slots(s, datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC))
    assert [d.date() for d in found] == [date(2026, 3, 5), date(2026, 3, 19), date(2026, 4, 2),
                                         date(2026, 4, 16), date(2026, 4, 30)]


def test_monthly_second_tuesday_and_last_friday():
    """Monthly on the nth weekday, including 'last'."""
    second_tue = weekly(frequency="monthly", week_of_month=2)
    found = slots(second_tue, datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC))
    assert [d.date() for d in found] == [date(2026, 1, 13), date(2026, 2, 10), date(2026, 3, 10), date(2026, 4, 14)]
    last_fri = weekly(frequency="monthly", weekday=4, week_of_month=-1)
    found = slots(last_fri, datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
    assert [d.date() for d in found] == [date(2026, 1, 30), date(2026, 2, 27), date(2026, 3, 27)]


def test_fixed_course_has_exactly_n_sessions_and_a_last_slot():
    """A 10-week programme stops after ten sessions."""
    course = weekly(count=10, starts_on=date(2026, 9, 1))
    found = slots(course, datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 12, 31, tzinfo=UTC))
    assert len(found) == 10
    assert found[-1].date() == date(2026, 11, 3)
    assert last_slot(course) == found[-1]
    assert last_slot(weekly()) is None


def test_end_date_is_inclusive():
    """A series ending on a meeting day includes that day."""
    s = weekly(ends_on=date(2026, 2, 3))
    found = slots(s, datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
    assert found[-1].date() == date(2026, 2, 3)
    assert len(found) == 5


def test_cancelled_and_moved_occurrences():
    """A cancellation stays visible and marked; a move shows at its new time and not its old."""
    changes = {
        date(2026, 3, 10): Change(date(2026, 3, 10), cancelled=True, reason="Hall closed"),
        date(2026, 3, 17): Change(date(2026, 3, 17), cancelled=False, reason="Later start",
                                  new_start=datetime(2026, 3, 18, 19, 0)),
    }
    found = occurrences(weekly(), changes, datetime(2026, 3, 9, tzinfo=UTC), datetime(2026, 3, 25, tzinfo=UTC))
    assert [(o.start.astimezone(LONDON).replace(tzinfo=None), o.cancelled, o.moved) for o in found] == [
        (datetime(2026, 3, 10, 18, 30), True, False),
        (datetime(2026, 3, 18, 19, 0), False, True),
        (datetime(2026, 3, 24, 18, 30), False, False),
    ]
    assert found[0].reason == "Hall closed"
    assert found[1].original_start.date() == date(2026, 3, 17)


def test_a_move_into_the_window_from_outside_is_included():
    """An occurrence moved a week later shows in the week it now happens."""
    changes = {date(2026, 3, 3): Change(date(2026, 3, 3), cancelled=False, new_start=datetime(2026, 3, 12, 18, 30))}
    found = occurrences(weekly(), changes, datetime(2026, 3, 11, tzinfo=UTC), datetime(2026, 3, 13, tzinfo=UTC))
    assert [o.original_start.date() for o in found] == [date(2026, 3, 3)]


def test_next_occurrences_includes_one_in_progress():
    """A meeting that started ten minutes ago is still 'next' (people can still join a café)."""
    now = datetime(2026, 11, 24, 18, 40, tzinfo=UTC)
    found = next_occurrences(weekly(), {}, now, count=2)
    assert found[0].start == datetime(2026, 11, 24, 18, 30, tzinfo=LONDON)
    assert len(found) == 2


def test_next_occurrences_of_monthly_series_finds_enough():
    """Monthly series need a wider look-ahead than weekly ones."""
    found = next_occurrences(weekly(frequency="monthly", week_of_month=2), {}, datetime(2026, 1, 1, tzinfo=UTC), 6)
    assert len(found) == 6


def test_spring_forward_gap_moves_an_hour_on_and_autumn_overlap_takes_the_first():
    """01:30 on 29 March 2026 does not exist; 01:30 on 25 October happens twice."""
    assert not exists_locally(datetime(2026, 3, 29, 1, 30), "Europe/London")
    assert localise(datetime(2026, 3, 29, 1, 30), "Europe/London").astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert exists_locally(datetime(2026, 10, 25, 1, 30), "Europe/London")
    assert localise(datetime(2026, 10, 25, 1, 30), "Europe/London").astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_rrule_parts_for_feeds():
    """FREQ first, INTERVAL for fortnights, nth weekday for months, UNTIL in UTC at the end of the local day."""
    assert list(rrule_parts(weekly())) == ["FREQ", "BYDAY"]
    assert rrule_parts(weekly(frequency="fortnightly"))["INTERVAL"] == 2
    assert rrule_parts(weekly(frequency="monthly", week_of_month=2))["BYDAY"] == "2TU"
    until = rrule_parts(weekly(ends_on=date(2026, 7, 7)))["UNTIL"]
    assert until == datetime(2026, 7, 7, 22, 59, 59, tzinfo=UTC)  # 23:59:59 BST
    assert rrule_parts(weekly(count=10))["COUNT"] == 10


def test_describe_in_plain_words():
    """People read the rule, not an RRULE."""
    assert describe(weekly()) == "Every Tuesday"
    assert describe(weekly(frequency="fortnightly")) == "Every other Tuesday"
    assert describe(weekly(frequency="monthly", week_of_month=2)) == "The 2nd Tuesday of each month"
    assert describe(weekly(count=10)) == "Every Tuesday, 10 sessions"


@settings(max_examples=150, deadline=None)
@given(
    weekday=st.integers(0, 6),
    minutes=st.integers(6 * 60, 22 * 60 + 30),
    frequency=st.sampled_from(["weekly", "fortnightly", "monthly"]),
    start=st.dates(date(2024, 1, 1), date(2030, 12, 31)),
)
def test_every_slot_is_on_its_weekday_at_its_local_time(weekday, minutes, frequency, start):
    """Property: whatever the rule, every slot in a year falls on its weekday at the same wall-clock time."""
    s = Schedule(frequency=frequency, weekday=weekday, starts_on=start,
                 start_time=time(minutes // 60, minutes % 60), duration=timedelta(hours=1),
                 week_of_month=2 if frequency == "monthly" else None)
    window_start = datetime.combine(start, time(0), tzinfo=UTC)
    found = slots(s, window_start, window_start + timedelta(days=366))
    assert found, "a year always holds at least one slot"
    for slot in found:
        local = slot.astimezone(LONDON)
        assert local.weekday() == weekday
        assert local.time() == s.start_time
        assert local.date() >= start
    gaps = {(b.date() - a.date()).days for a, b in zip(found, found[1:])}
    if frequency == "weekly":
        assert gaps <= {7}
    elif frequency == "fortnightly":
        assert gaps <= {14}
    else:
        assert gaps <= {28, 35}


@settings(max_examples=300, deadline=None)
@given(
    weekday=st.integers(0, 6),
    minutes=st.integers(0, 23 * 60 + 59),
    fortnightly=st.booleans(),
    start=st.dates(date(2024, 1, 1), date(2030, 12, 31)),
    ends_after=st.one_of(st.none(), st.integers(0, 400)),
    window_from=st.integers(-60, 900),
    window_days=st.integers(0, 120),
)
def test_stepped_weeks_are_the_slots_dateutil_generates(
    weekday, minutes, fortnightly, start, ends_after, window_from, window_days
):
    """Property: the arithmetic for weekly and fortnightly series gives exactly dateutil's slots, ends included."""
    s = Schedule(frequency="fortnightly" if fortnightly else "weekly", weekday=weekday, starts_on=start,
                 start_time=time(minutes // 60, minutes % 60), duration=timedelta(hours=1),
                 ends_on=None if ends_after is None else start + timedelta(days=ends_after))
    lo = datetime.combine(start, time(0)) + timedelta(days=window_from, minutes=minutes % 37)
    hi = lo + timedelta(days=window_days)
    assert stepped(s, lo, hi) == list(rule(s).between(lo, hi, inc=True))


@settings(max_examples=300, deadline=None)
@given(
    weekday=st.integers(0, 6),
    minutes=st.integers(0, 23 * 60 + 59),
    frequency=st.sampled_from(["weekly", "fortnightly", "monthly"]),
    week_of_month=st.sampled_from([1, 2, 3, 4, -1]),
    start=st.dates(date(2024, 1, 1), date(2030, 12, 31)),
    count=st.one_of(st.none(), st.integers(1, 12)),
    day_offset=st.integers(-10, 500),
    change=st.sampled_from(["none", "cancelled", "moved"]),
)
def test_the_occurrence_on_a_date_is_dateutils_slot_with_its_change(
    weekday, minutes, frequency, week_of_month, start, count, day_offset, change
):
    """Property: occurrence_on gives a slot exactly when dateutil's rule has one that local day, with the change."""
    s = Schedule(frequency=frequency, weekday=weekday, starts_on=start, start_time=time(minutes // 60, minutes % 60),
                 duration=timedelta(hours=1), week_of_month=week_of_month if frequency == "monthly" else None,
                 count=count)
    on = start + timedelta(days=day_offset)
    expected = [d for d in rule(s).between(datetime.combine(on, time.min), datetime.combine(on, time.max), inc=True)]
    moved_to = datetime.combine(on + timedelta(days=1), time(12, 0))
    changes = {} if change == "none" else {on: Change(on, change == "cancelled", "why",
                                                      moved_to if change == "moved" else None)}
    found = occurrence_on(s, changes, on)
    if not expected:
        assert found is None
        return
    assert found is not None and found.original_start == localise(expected[0], "Europe/London")
    assert found.cancelled == (change == "cancelled") and found.moved == (change == "moved")
    assert found.start == (localise(moved_to, "Europe/London") if change == "moved" else found.original_start)
    # The same occurrence as the range expansion gives for its day (pages and feeds read that one).
    day = [o for o in occurrences(s, changes, found.original_start - timedelta(hours=1),
                                  found.original_start + timedelta(days=2)) if o.original_start == found.original_start]
    assert day == [found]


@pytest.mark.parametrize("frequency, days_ahead", [("weekly", 253), ("weekly", 900), ("fortnightly", 505),
                                                    ("monthly", 1261), ("monthly", 3000)])
def test_a_series_that_starts_far_ahead_still_has_next_dates(frequency, days_ahead):
    """A course starting next year lists its dates, as its .ics does (it said 'no more dates' from 253 days)."""
    now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    s = weekly(frequency=frequency, starts_on=now.date() + timedelta(days=days_ahead),
               week_of_month=2 if frequency == "monthly" else None)
    found = next_occurrences(s, {}, now, count=6)
    expected = list(rule(s)[:6])
    assert [o.start.replace(tzinfo=None) for o in found] == expected
