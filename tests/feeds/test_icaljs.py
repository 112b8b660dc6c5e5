"""Cross-check: ical.js (Thunderbird) and recurring-ical-events expand our feeds to the same UTC instants."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.feeds.icaljs import IcalJsError, expand_with_icaljs, run_icaljs
from tests.feeds.samples import UTC, YEAR, at, feed, moved, python_occurrences, series

CASES = {
    "weekly-across-both-clock-changes": lambda: feed(series()),
    "exdate-and-overrides": lambda: feed(
        series(
            exdates=(at(2026, 4, 7), at(2026, 11, 3)),
            overrides=(
                moved(at(2026, 3, 24), at(2026, 3, 26, 19, 0)),  # moved across the spring change
                moved(at(2026, 10, 20), at(2026, 10, 22, 12, 0)),  # moved across the autumn change
                moved(at(2026, 6, 2), at(2026, 6, 9, 12, 0)),  # demoted to a one-off (C26)
            ),
        )
    ),
    "fortnightly": lambda: feed(
        series(rrule={"FREQ": "WEEKLY", "INTERVAL": 2, "BYDAY": "TU", "UNTIL": date(2026, 12, 31)})
    ),
    "monthly-2nd-tuesday": lambda: feed(
        series(start=at(2026, 1, 13), rrule={"FREQ": "MONTHLY", "BYDAY": "2TU", "UNTIL": date(2026, 12, 31)})
    ),
    "count-10-over-the-spring-change": lambda: feed(
        series(start=at(2026, 3, 3), rrule={"FREQ": "WEEKLY", "BYDAY": "TU", "COUNT": 10})
    ),
    "open-ended-monthly-last-tuesday": lambda: feed(
        series(start=at(2026, 1, 27), rrule={"FREQ": "MONTHLY", "BYDAY": "-1TU"})
    ),
    # Two series moved on the same date: ical.js would cross-relate them unless grouped by UID.
    "two-series-two-zones-same-move": lambda: feed(
        series(1, overrides=(moved(at(2026, 5, 5), at(2026, 5, 6)),)),
        series(2, overrides=(moved(at(2026, 5, 5), at(2026, 5, 7, 10, 0)),)),
        series(3, start=at(2026, 1, 6, tz=ZoneInfo("Europe/Dublin"))),
        series("talk", rrule=None, start=at(2026, 7, 1, 10, 0)),
    ),
}


@pytest.mark.parametrize("make", CASES.values(), ids=CASES.keys())
def test_icaljs_and_recurring_ical_events_agree(make):
    """The same (UID, UTC instant) set from both expanders over 2026, both clock changes included."""
    body = make()
    python = python_occurrences(body, *YEAR)
    assert python, "the case should produce occurrences"
    assert expand_with_icaljs(body, *YEAR) == python


def test_icaljs_sees_local_time_kept_across_the_clock_changes():
    """Spot checks on ical.js alone: 18:30Z in winter, 17:30Z in summer."""
    instants = {when for _, when in expand_with_icaljs(feed(series()), *YEAR)}
    assert datetime(2026, 3, 24, 18, 30, tzinfo=UTC) in instants
    assert datetime(2026, 3, 31, 17, 30, tzinfo=UTC) in instants
    assert datetime(2026, 10, 20, 17, 30, tzinfo=UTC) in instants
    assert datetime(2026, 10, 27, 18, 30, tzinfo=UTC) in instants


def test_icaljs_uses_the_embedded_vtimezone():
    """ical.js has no tz database of its own: a doctored VTIMEZONE moves the summer meetings."""
    body = (
        feed(series())
        .replace(b"TZOFFSETTO:+0100", b"TZOFFSETTO:+0200")
        .replace(b"TZOFFSETFROM:+0100", b"TZOFFSETFROM:+0200")
    )
    instants = {when for _, when in expand_with_icaljs(body, *YEAR)}
    assert datetime(2026, 6, 2, 16, 30, tzinfo=UTC) in instants


def test_a_tzid_without_its_vtimezone_is_refused_not_floated():
    """Without the VTIMEZONE ical.js would treat 18:30 as floating; the harness says so instead."""
    body = feed(series())
    start, end = body.index(b"BEGIN:VTIMEZONE"), body.index(b"END:VTIMEZONE\r\n") + len(b"END:VTIMEZONE\r\n")
    with pytest.raises(IcalJsError, match="float"):
        run_icaljs(body[:start] + body[end:], *YEAR)


def test_icaljs_reads_escaped_text_back():
    """C28 from the client's side: commas, semicolons and non-ASCII come back as written."""
    summary = "Café – “Step’s” group, Leeds; room 2"
    found = run_icaljs(feed(series(summary=summary)), *YEAR)
    assert {o["summary"] for o in found} == {summary}
