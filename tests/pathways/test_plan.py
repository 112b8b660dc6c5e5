"""Throughcare rules, pure: the window, risky release days, proposals, and welfare flags."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from recovery_network.pathways.plan import (
    Slot,
    appointment_days,
    contact_flags,
    pick_inside,
    pick_outside,
    release_warnings,
    weeks_with_contact,
    window,
)

RELEASE = date(2027, 2, 9)  # a Tuesday


def slot(day: date, hour: int = 14, distance: float = 0.0, key: int = 1) -> Slot:
    """A one-hour slot on a day."""
    start = datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc)
    return Slot((key, day), start, start + timedelta(hours=1), distance)


def test_window_is_six_weeks_either_side():
    """42 days before and after."""
    assert window(RELEASE) == (date(2026, 12, 29), date(2027, 3, 23))


def test_risky_release_days():
    """Friday, weekend, public holiday, and the day before one are flagged; an ordinary Tuesday is not."""
    assert release_warnings(RELEASE) == []
    assert "Friday" in release_warnings(date(2027, 2, 12))[0]
    assert release_warnings(date(2027, 2, 13)) == ["Release at a weekend."]
    assert any("public holiday (Saint Andrew's Day)" in w for w in release_warnings(date(2026, 11, 30)))
    assert any("day before a public holiday (Saint Andrew's Day)" in w for w in release_warnings(date(2026, 11, 29)))
    assert any("day before a public holiday (Christmas Day)" in w for w in release_warnings(date(2026, 12, 24)))


def test_inside_takes_one_a_week_in_the_last_six_weeks():
    """Twice-weekly sessions give one per week (the later), nothing before the window or on release day."""
    days = [RELEASE - timedelta(days=n) for n in range(0, 60)]
    slots = [slot(d) for d in days if d.weekday() in (0, 3)]
    chosen = pick_inside(slots, RELEASE)
    assert len(chosen) == 6
    assert all(RELEASE - timedelta(days=42) <= s.start.date() < RELEASE for s in chosen)
    weeks = [(RELEASE - s.start.date()).days // 7 for s in chosen]
    assert sorted(weeks) == [0, 1, 2, 3, 4, 5]


def test_outside_takes_the_nearest_each_week():
    """Week by week the nearest meeting wins; the release day itself is the gate, not a meeting."""
    slots = []
    for week in range(7):
        monday = RELEASE + timedelta(days=1 + 7 * week)
        slots += [slot(monday, distance=5.0, key=1), slot(monday + timedelta(days=2), distance=1.0, key=2)]
    slots.append(slot(RELEASE, distance=0.1, key=3))
    chosen = pick_outside(slots, RELEASE)
    assert len(chosen) == 6
    assert {s.key[0] for s in chosen} == {2}


def test_appointments_avoid_weekends_and_holidays():
    """Placeholders land on working days."""
    for _, day in appointment_days(date(2026, 12, 24)):
        assert day.weekday() < 5 and day not in (date(2026, 12, 25), date(2026, 12, 28))


def test_contact_flags():
    """No flags before release or with regular contact; flags for a missed first contact and a week's silence."""
    assert contact_flags(RELEASE, RELEASE, []) == []
    regular = [RELEASE + timedelta(days=d) for d in (1, 7, 13, 20)]
    assert contact_flags(RELEASE, RELEASE + timedelta(days=21), regular) == []
    late = contact_flags(RELEASE, RELEASE + timedelta(days=4), [])
    assert late == ["No contact within 2 days of release."]
    silent = contact_flags(RELEASE, RELEASE + timedelta(days=20), [RELEASE + timedelta(days=1)])
    assert silent == ["No contact for 19 days after 10 February."]


@given(st.lists(st.integers(0, 41), max_size=12), st.integers(1, 60))
def test_flags_appear_exactly_when_a_gap_exceeds_a_week(days, elapsed):
    """Property: a 7-day-gap flag appears iff some gap (release→contacts→today) is longer than 7 days."""
    met = [RELEASE + timedelta(days=d) for d in days]
    today = RELEASE + timedelta(days=elapsed)
    end = min(today, RELEASE + timedelta(days=42))
    points = [RELEASE] + sorted(d for d in met if d <= end) + [end]
    longest = max((b - a).days for a, b in zip(points, points[1:]))
    flags = contact_flags(RELEASE, today, met)
    assert any(f.startswith("No contact for") for f in flags) == (longest > 7)


def test_weeks_with_contact():
    """Counted per week after release, for funders."""
    met = [RELEASE + timedelta(days=d) for d in (0, 1, 8, 30, 50)]
    assert weeks_with_contact(RELEASE, met) == 3


@settings(max_examples=200, deadline=None)
@given(release=st.dates(date(2026, 1, 1), date(2032, 12, 31)))
def test_appointment_days_are_distinct_working_days_after_release(release):
    """Property: each placeholder appointment has its own working day after release, in order (no two at once)."""
    from recovery_network.holidays import public_holiday

    days = [day for _, day in appointment_days(release)]
    assert days == sorted(set(days)) and all(d > release for d in days)
    assert all(d.weekday() < 5 and not public_holiday(d) for d in days)
