"""The series rules shared by the posting form, the importer and the service: clock changes, midnight, links."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recovery_network.meetings import rules
from recovery_network.meetings.recurrence import Schedule, rule, zone


def sunday_0130(**fields) -> Schedule:
    """A weekly Sunday 01:30 series from 1 November 2026 (after that autumn's change), unless told otherwise."""
    values = {"frequency": "weekly", "weekday": 6, "starts_on": date(2026, 11, 1), "start_time": time(1, 30),
              "duration": timedelta(minutes=60)} | fields
    return Schedule(**values)


def test_a_weekly_sunday_0130_meets_on_the_night_the_clocks_go_forward():
    """28 March 2027: 01:30 never happens in London, so the series is refused on that date."""
    assert rules.clock_problem(sunday_0130()) == (
        "01:30 does not exist on Sunday 28 March 2027: the clocks go forward that night. Choose another time.")


def test_a_weekly_tuesday_0130_never_meets_on_a_clock_change():
    """Clocks change on Sundays in the UK: a Tuesday at 01:30 always exists, exactly once."""
    assert rules.clock_problem(sunday_0130(weekday=1)) is None


def test_a_time_repeated_when_the_clocks_go_back_is_refused_too():
    """From April 2027 the first change the series meets is 31 October, when 01:30 happens twice."""
    assert rules.clock_problem(sunday_0130(starts_on=date(2027, 4, 1))) == (
        "01:30 happens twice on Sunday 31 October 2027: the clocks go back that night, "
        "so calendars disagree about which one is meant. Choose another time.")


@pytest.mark.parametrize(("fields", "refused"), [
    ({"start_time": time(0, 59)}, False),  # the minute before the gap
    ({"start_time": time(1, 0)}, True),  # the gap's first minute
    ({"start_time": time(1, 59)}, True),
    ({"start_time": time(2, 0)}, False),  # the gap is over
    ({"frequency": "monthly", "week_of_month": 1}, False),  # a 1st Sunday is never the last Sunday of March
    ({"frequency": "monthly", "week_of_month": -1}, True),
    ({"frequency": "monthly", "week_of_month": 4}, True),  # 28 March 2027 is the 4th Sunday
    ({"count": 10}, False),  # a ten-week course from November ends before March
    ({"ends_on": date(2027, 3, 27)}, False),
    ({"ends_on": date(2027, 3, 28)}, True),
    ({"timezone": "America/New_York", "start_time": time(2, 30)}, True),  # 14 March 2027 there
    ({"timezone": "Asia/Kolkata"}, False),  # no clock changes at all
])
def test_only_series_that_meet_on_a_change_at_a_changed_time_are_refused(fields, refused):
    """Exact, not 'any Sunday 01:xx': the rule's own dates against the zone's own changes."""
    assert (rules.clock_problem(sunday_0130(**fields)) is not None) == refused


def brute_force(schedule: Schedule) -> date | None:
    """The first date the series meets at a skipped or repeated time, by checking every date it meets."""
    tz = zone(schedule.timezone)
    start = datetime.combine(schedule.starts_on, time.min)
    horizon = datetime(schedule.starts_on.year + rules.OPEN_ENDED_YEARS, 12, 31, 23, 59)
    for naive in rule(schedule).between(start, horizon, inc=True):
        first, second = naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)
        if first.utcoffset() != second.utcoffset():  # skipped or repeated: the two readings disagree
            return naive.date()
    return None


@settings(max_examples=60, deadline=None)
@given(
    frequency=st.sampled_from(["weekly", "fortnightly", "monthly"]),
    weekday=st.sampled_from([6, 6, 6, 0, 5]),  # mostly Sundays, where the changes are
    week_of_month=st.sampled_from([1, 2, 3, 4, -1]),
    minutes=st.integers(0, 4 * 60 - 1),
    starts_on=st.dates(date(2026, 1, 1), date(2040, 12, 31)),
    zone_name=st.sampled_from(["Europe/London", "Europe/London", "America/New_York", "Australia/Sydney"]),
)
def test_the_clock_rule_agrees_with_checking_every_date(frequency, weekday, week_of_month, minutes, starts_on,
                                                        zone_name):
    """Held to a brute force over every date of 28 years: the same first date, or none."""
    schedule = Schedule(frequency, weekday, starts_on, time(minutes // 60, minutes % 60), timedelta(minutes=60),
                        timezone=zone_name, week_of_month=week_of_month if frequency == "monthly" else None)
    expected = brute_force(schedule)
    problem = rules.clock_problem(schedule)
    if expected is None:
        assert problem is None
    else:
        assert problem is not None and f"{expected:%A} {expected.day} {expected:%B %Y}" in problem


@pytest.mark.parametrize(("start", "minutes", "message"), [
    (time(23, 0), 90, "Starting at 23:00, it would end at 00:30 the next day. A meeting must end by midnight"),
    (time(20, 0), 720, "Starting at 20:00, it would end at 08:00 the next day."),
    (time(18, 0), 5, "Between 15 and 720 minutes."),
    (time(18, 0), 721, "Between 15 and 720 minutes."),
])
def test_a_meeting_runs_between_15_minutes_and_12_hours_and_ends_by_midnight(start, minutes, message):
    """Over midnight a meeting is filed under one day but held on two; finders read its end as before its start."""
    assert message in rules.length_problem(start, minutes)


@pytest.mark.parametrize(("start", "minutes"), [(time(23, 0), 60), (time(0, 0), 720), (time(18, 30), 90)])
def test_ending_at_midnight_or_before_is_fine(start, minutes):
    """Midnight itself is still the same evening."""
    assert rules.length_problem(start, minutes) is None


@pytest.mark.parametrize(("url", "message"), [
    ("http://zoom.us/j/1", "The online link must start with https://"),
    ("https://[::1", "That doesn't look like a web address."),
    ("https://zoom.us/j/1 and more", "That doesn't look like a web address."),
    ("https://", "That doesn't look like a web address."),
    ("https://zoom.us/" + "x" * 300, "Keep the online link to 300 characters or fewer."),
])
def test_links_are_whole_https_addresses(url, message):
    """A plain http link can be read or redirected on the way; half a link helps nobody."""
    assert message in rules.link_problem(url)


def test_check_names_each_broken_rule_by_field():
    """Messages per field, as the form shows them and the importer prefixes them with the feed's keys."""
    schedule = Schedule("weekly", 6, date(2026, 11, 1), time(1, 30), timedelta(minutes=1000))
    assert set(rules.check(schedule, kind="aa", online_url="http://x")) == {
        "kind", "start_time", "duration_minutes", "online_url"}
    assert rules.check(sunday_0130(weekday=1), kind="mutual-aid", online_url="https://zoom.us/j/1") == {}
