"""The feed builder against the ical.md checklist, expanded by recurring-ical-events as a client would."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from recovery_network.ical.builder import PRODID, FeedError, build_calendar, rendered_events, stable_uid
from recovery_network.ical.rendered import RenderedEvents
from tests.feeds.ical_lint import lint
from tests.feeds.ics_parse import unfold
from tests.feeds.samples import (
    LON,
    UTC,
    YEAR,
    at,
    feed,
    info,
    local_starts,
    moved,
    python_occurrences,
    series,
)

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def lines(body: bytes) -> list[str]:
    """Unfolded content lines."""
    return unfold(body.decode())


def test_weekly_series_keeps_local_time_across_both_clock_changes():
    """18:30 in London every Tuesday: 18:30Z in winter, 17:30Z in summer (C20)."""
    body = feed(series())
    starts = local_starts(body, *YEAR)
    assert len(starts) == 52
    assert {(s.hour, s.minute, s.weekday()) for s in starts} == {(18, 30, 1)}
    utc = {s.astimezone(UTC) for s in starts}
    assert datetime(2026, 3, 24, 18, 30, tzinfo=UTC) in utc  # last Tuesday before 29 March
    assert datetime(2026, 3, 31, 17, 30, tzinfo=UTC) in utc
    assert datetime(2026, 10, 20, 17, 30, tzinfo=UTC) in utc  # last Tuesday before 25 October
    assert datetime(2026, 10, 27, 18, 30, tzinfo=UTC) in utc
    assert "DTSTART;TZID=Europe/London:20260106T183000" in lines(body)


def test_until_is_utc_at_the_end_of_the_last_local_day():
    """C21: a date, or any time on the last day, becomes 23:59:59 local in UTC."""
    winter = feed(series())
    summer = feed(series(rrule={"FREQ": "WEEKLY", "BYDAY": "TU", "UNTIL": at(2026, 7, 28, 9, 0)}))
    assert "RRULE:FREQ=WEEKLY;UNTIL=20261229T235959Z;BYDAY=TU" in lines(winter)
    assert "RRULE:FREQ=WEEKLY;UNTIL=20260728T225959Z;BYDAY=TU" in lines(summer)
    assert local_starts(summer, *YEAR)[-1] == at(2026, 7, 28)


def test_cancelled_date_is_an_exdate_in_dtstart_form():
    """C22: EXDATE;TZID=… local, and the date disappears."""
    body = feed(series(exdates=(at(2026, 4, 7),)))
    assert "EXDATE;TZID=Europe/London:20260407T183000" in lines(body)
    starts = local_starts(body, *YEAR)
    assert at(2026, 4, 7) not in starts and len(starts) == 51
    assert lint(body) == []


def test_moved_date_appears_at_its_new_time_and_not_the_old():
    """A RECURRENCE-ID override with the same UID, the original slot, SEQUENCE ≥ master (C23–C25)."""
    event = series(
        overrides=(moved(at(2026, 5, 5), at(2026, 5, 6, 19, 0), location="Leeds Central Library"),)
    )
    body = feed(event)
    starts = local_starts(body, *YEAR)
    assert at(2026, 5, 6, 19, 0) in starts and at(2026, 5, 5) not in starts
    assert "RECURRENCE-ID;TZID=Europe/London:20260505T183000" in lines(body)
    override = [e for e in Calendar.from_ical(body).events if "RECURRENCE-ID" in e][0]
    assert str(override["UID"]) == event.uid and override["LOCATION"] == "Leeds Central Library"
    # Nothing is inherited: the override repeats what the occurrence shows.
    for name in ("SUMMARY", "DESCRIPTION", "URL", "GEO"):
        assert name in override
    assert lint(body) == []


def test_override_sequence_is_never_below_the_master():
    """C25: Google ignores an override with a lower SEQUENCE."""
    body = feed(series(sequence=7, overrides=(moved(at(2026, 5, 5), at(2026, 5, 6), sequence=1),)))
    override = [e for e in Calendar.from_ical(body).events if "RECURRENCE-ID" in e][0]
    assert override["SEQUENCE"] == 7


@pytest.mark.parametrize(
    "new_start",
    [
        at(2026, 5, 13, 12, 0),  # past the next slot (12 May is a Tuesday, 13 May after it)
        at(2026, 5, 12, 12, 0),  # the same day as the next slot
        at(2026, 4, 28, 20, 30),  # the same day as, and straight after, the previous slot
        at(2026, 8, 1, 10, 0),  # months away
    ],
)
def test_a_move_outlook_cannot_hold_becomes_exdate_plus_one_off(new_start):
    """C26: EXDATE the slot and publish the move as its own event with a stable UID of its own."""
    event = series(overrides=(moved(at(2026, 5, 5), new_start),))
    body = feed(event)
    assert "EXDATE;TZID=Europe/London:20260505T183000" in lines(body)
    assert not any(line.startswith("RECURRENCE-ID") for line in lines(body))
    found = python_occurrences(body, *YEAR)
    one_off = stable_uid("moved", f"{event.uid}/2026-05-05T18:30:00+01:00")
    assert (one_off, new_start.astimezone(UTC)) in found
    assert (event.uid, at(2026, 5, 5).astimezone(UTC)) not in found
    assert lint(body) == []
    assert feed(event) == body


def test_orphans_are_not_written_as_overrides():
    """C24: an EXDATE naming no slot is dropped; a move of a non-slot is kept as a one-off."""
    stray = at(2026, 5, 6)  # a Wednesday: the rule never makes it
    body = feed(series(exdates=(stray,), overrides=(moved(stray, at(2026, 5, 7)),)))
    assert not any(line.startswith(("EXDATE", "RECURRENCE-ID")) for line in lines(body))
    assert at(2026, 5, 7) in local_starts(body, *YEAR)
    assert lint(body) == []


@pytest.mark.parametrize(
    ("rule", "start", "expected"),
    [
        ({"FREQ": "WEEKLY", "INTERVAL": 2, "BYDAY": "TU", "UNTIL": date(2026, 12, 31)}, at(2026, 1, 6), 26),
        ({"FREQ": "MONTHLY", "BYDAY": "2TU", "UNTIL": date(2026, 12, 31)}, at(2026, 1, 13), 12),
        ({"FREQ": "WEEKLY", "BYDAY": "TU", "COUNT": 10}, at(2026, 3, 3), 10),
        ({"FREQ": "MONTHLY", "BYDAY": "-1TU"}, at(2026, 1, 27), 12),
    ],
    ids=["fortnightly", "monthly-2nd-tuesday", "count-10", "monthly-last-open-ended"],
)
def test_other_rules_expand_at_local_time(rule, start, expected):
    """Fortnightly, monthly nth weekday and COUNT rules keep 18:30 local on Tuesdays."""
    body = feed(series(start=start, rrule=rule))
    starts = local_starts(body, *YEAR)
    assert len(starts) == expected
    assert {(s.hour, s.minute, s.weekday()) for s in starts} == {(18, 30, 1)}
    if rule["BYDAY"] == "2TU":
        assert all(8 <= s.day <= 14 for s in starts)
    assert lint(body) == []


def test_envelope_and_calendar_metadata():
    """C4–C9, C11: one VCALENDAR with a fixed PRODID, no METHOD (a snapshot, not iTIP), names and refresh hints."""
    body = feed(series())
    content = lines(body)
    for expected in (
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "NAME:Leeds meetings",
        "X-WR-CALNAME:Leeds meetings",
        "REFRESH-INTERVAL;VALUE=DURATION:PT6H",
        "X-PUBLISHED-TTL:PT6H",
        "X-WR-TIMEZONE:Europe/London",
        f"UID:{info().uid}",
        "TRANSP:OPAQUE",
        "STATUS:CONFIRMED",
        "GEO:53.7997;-1.5492",
        "DTSTAMP:20260102T090000Z",
    ):
        assert expected in content
    assert body.count(b"BEGIN:VCALENDAR") == 1 and body.count(b"BEGIN:VTIMEZONE") == 1
    assert b"METHOD" not in body and b"ORGANIZER" not in body
    assert lint(body) == []


def test_two_zones_get_two_vtimezones_and_no_x_wr_timezone():
    """C10, C11: every TZID has its VTIMEZONE; X-WR-TIMEZONE only when one zone is used."""
    dublin = ZoneInfo("Europe/Dublin")
    body = feed(series(1), series(2, start=at(2026, 1, 6, tz=dublin)))
    assert body.count(b"BEGIN:VTIMEZONE") == 2 and b"X-WR-TIMEZONE" not in body
    assert lint(body) == []


def test_empty_feed_is_still_a_valid_calendar():
    """A search with no results: no VTIMEZONE, no X-WR-TIMEZONE, still lint-clean."""
    body = feed()
    assert b"BEGIN:VTIMEZONE" not in body and b"X-WR-TIMEZONE" not in body
    assert lint(body) == []


def test_one_offs_cancelled_and_all_day_items():
    """A cancelled one-off says so in its title too; an all-day notice is VALUE=DATE and transparent (C27)."""
    cancelled = series("talk", rrule=None, status="CANCELLED", summary="Recovery talk")
    notice = series(
        "closed", start=date(2026, 8, 31), length=timedelta(days=1), rrule=None, summary="Hall closed"
    )
    body = feed(cancelled, notice)
    content = lines(body)
    assert "SUMMARY:CANCELLED – Recovery talk" in content and "STATUS:CANCELLED" in content
    assert "DTSTART;VALUE=DATE:20260831" in content and "DTEND;VALUE=DATE:20260901" in content
    assert "TRANSP:TRANSPARENT" in content
    assert lint(body) == []


def test_all_day_series_uses_dates_throughout():
    """C27: an all-day series has DATE EXDATEs, a DATE UNTIL and no TZID anywhere."""
    event = series(
        "notice",
        start=date(2026, 1, 5),
        length=timedelta(days=1),
        rrule={"FREQ": "WEEKLY", "BYDAY": "MO", "UNTIL": date(2026, 3, 30)},
        exdates=(date(2026, 2, 2),),
    )
    body = feed(event)
    assert "EXDATE;VALUE=DATE:20260202" in lines(body) and b"TZID" not in body
    assert lint(body) == []


def test_same_input_gives_same_bytes_whatever_the_order():
    """Stable DTSTAMP, calendar UID and component order: the ETag only moves with the data."""
    events = [series(k, overrides=(moved(at(2026, 5, 5), at(2026, 5, 6)),)) for k in range(6)]
    body = feed(*events)
    shuffled = events[:]
    random.Random(4).shuffle(shuffled)
    assert build_calendar(info(), shuffled) == body
    uids = [str(e["UID"]) for e in Calendar.from_ical(body).events]
    assert uids == sorted(uids)


def test_round_trip_is_byte_identical():
    """icalendar reads our bytes and writes them back unchanged."""
    body = feed(
        series(1, exdates=(at(2026, 4, 7),), overrides=(moved(at(2026, 5, 5), at(2026, 5, 6)),)), series(2)
    )
    assert Calendar.from_ical(body).to_ical() == body


def test_remembered_events_give_the_same_bytes_as_a_fresh_render():
    """Events are kept rendered between feeds: warm or cold, the calendar is the same, and icalendar agrees."""
    events = [series(k, exdates=(at(2026, 4, 7),), overrides=(moved(at(2026, 5, 5), at(2026, 5, 6)),)) for k in range(3)]
    rendered_events.clear()
    cold = feed(*events)
    assert len(rendered_events) == 3
    assert feed(*events) == cold
    # The spliced calendar is exactly what icalendar writes for the whole calendar.
    assert Calendar.from_ical(cold).to_ical() == cold


def test_a_changed_event_is_rendered_again_not_taken_from_memory():
    """Any field that changes gives new bytes, even with the same UID and stamps."""
    before = feed(series(1))
    after = feed(series(1, summary="SMART Recovery meeting (upstairs)"))
    assert "SUMMARY:SMART Recovery meeting (upstairs)" in lines(after)
    assert "SUMMARY:SMART Recovery meeting" in lines(before)
    assert "SUMMARY:SMART Recovery meeting" not in lines(after)


def test_the_memory_of_rendered_events_is_bounded():
    """The least recently used event is forgotten first, so a worker's memory stays flat."""
    renders = []
    memory = RenderedEvents(lambda event: renders.append(event) or [(event, b"")], size=2)
    for key in ("a", "b", "a", "c", "a", "b"):
        memory.components(key)
    assert len(memory) == 2
    assert renders == ["a", "b", "c", "b"]  # "a" stayed in use; "b" was the one forgotten


def test_text_is_escaped_and_folded_without_splitting_characters():
    """C1–C3, C28: , ; \\ and newlines escaped; 75-octet lines; “–’é” never cut in half."""
    summary = "Café – “Step’s” group, Leeds; room 2 \\ upstairs\nBring tea – é" * 3
    body = feed(series(summary=summary, description=summary, location="Flat 1, 2; 3 \\ é’"))
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    assert b"\n" not in body.replace(b"\r\n", b"")
    for line in body.split(b"\r\n"):
        line.decode("utf-8")  # a split character would fail here
    assert any(line.startswith(b" ") for line in body.split(b"\r\n"))
    event = Calendar.from_ical(body).events[0]
    assert event["SUMMARY"] == summary and event["LOCATION"] == "Flat 1, 2; 3 \\ é’"
    assert (
        "\\," in body.decode()
        and "\\;" in body.decode()
        and "\\\\" in body.decode()
        and "\\n" in body.decode()
    )
    assert lint(body) == []


def test_geo_near_the_meridian_is_plain_decimal():
    """GEO stays an RFC FLOAT: icalendar alone would print -1e-05 for Greenwich."""
    body = feed(series(geo=(51.47788, -0.00001)))
    assert "GEO:51.47788;0.0" in lines(body)
    assert lint(body) == []


def test_stable_uid_is_a_uuid_that_leaks_nothing():
    """C16: the same key gives the same UUID; different kinds or keys give different ones."""
    assert stable_uid("meeting", 12) == stable_uid("meeting", "12")
    assert stable_uid("meeting", 12) != stable_uid("meeting", 13) != stable_uid("feed", 12)
    assert "@" not in stable_uid("meeting", 12) and len(stable_uid("meeting", 12)) == 36


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"start": datetime(2026, 1, 6, 18, 30)}, "ZoneInfo"),
        ({"start": datetime(2026, 1, 6, 18, 30, tzinfo=timezone.utc)}, "ZoneInfo"),
        ({"rrule": {"BYDAY": "TU"}}, "FREQ"),
        ({"rrule": {"FREQ": "WEEKLY", "BYDAY": "TU", "COUNT": 3, "UNTIL": date(2026, 3, 1)}}, "COUNT"),
        ({"rrule": {"FREQ": "WEEKLY", "BYDAY": "WE"}}, "generate start"),
        ({"exdates": (at(2026, 5, 5),), "overrides": (moved(at(2026, 5, 5), at(2026, 5, 6)),)}, "moved"),
        (
            {"overrides": (moved(at(2026, 5, 5), at(2026, 5, 6)), moved(at(2026, 5, 5), at(2026, 5, 7)))},
            "moved",
        ),
        ({"rrule": None, "exdates": (at(2026, 1, 6),)}, "one-off"),
        ({"status": "MAYBE"}, "status"),
        ({"length": timedelta(0)}, "end"),
        ({"exdates": (datetime(2026, 4, 7, 18, 30),)}, "aware"),
        ({"last_modified": datetime(2026, 1, 2, 9, 0)}, "aware"),
        ({"rrule": {"FREQ": "WEEKLY", "BYDAY": "TU", "UNTIL": "20261229T235959Z"}}, "UNTIL"),
        ({"rrule": {"FREQ": "WEEKLY", "BYDAY": "TU", "UNTIL": datetime(2026, 12, 29)}}, "aware"),
    ],
)
def test_the_builder_refuses_input_rfc_5545_leaves_undefined(fields, message):
    """Naive times, non-IANA zones, broken rules and contradictory changes raise FeedError."""
    with pytest.raises(FeedError, match=message):
        feed(series(**fields))


def test_two_different_events_may_not_share_a_uid():
    """C17: Google shows only the last of several same-UID masters."""
    with pytest.raises(FeedError, match="share the UID"):
        feed(series(1), series(1, summary="Other"))
    assert feed(series(1), series(1)) == feed(series(1))


@settings(max_examples=40, deadline=None)
@given(
    weekday=st.integers(0, 6),
    minutes=st.integers(6 * 60, 22 * 60 + 30),
    first=st.dates(date(2025, 6, 1), date(2026, 6, 1)),
    weeks=st.integers(30, 80),
)
def test_weekly_series_keep_their_wall_clock_time(weekday, minutes, first, weeks):
    """Any weekly series, any start: every expanded occurrence is at the series' local time."""
    first = first + timedelta(days=(weekday - first.weekday()) % 7)
    start = datetime.combine(first, time(minutes // 60, minutes % 60), LON)
    rule = {"FREQ": "WEEKLY", "BYDAY": DAYS[weekday], "COUNT": weeks}
    body = feed(series(start=start, rrule=rule))
    window = (start.astimezone(UTC) - timedelta(days=1), start.astimezone(UTC) + timedelta(weeks=weeks + 1))
    starts = local_starts(body, *window)
    assert len(starts) == weeks
    assert {(s.weekday(), s.hour, s.minute) for s in starts} == {(weekday, start.hour, start.minute)}
    assert f"DTSTART;TZID=Europe/London:{start:%Y%m%dT%H%M%S}" in lines(body)
