"""Cross-check: libical (Evolution, GNOME Calendar, many servers) reads our feeds as recurring-ical-events does.

Every feed must also pass libical's RFC 5546 restriction check: with no METHOD, the RFC 5545 rules for a
plain calendar; a METHOD:PUBLISH would demand an ORGANIZER in each VEVENT, which is why there is none.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.feeds.libical import LibicalError
from tests.feeds.samples import UTC, YEAR, feed, python_occurrences, series
from tests.feeds.test_icaljs import CASES

VERSION_LINE = b"VERSION:2.0\r\n"


@pytest.mark.parametrize("make", CASES.values(), ids=CASES.keys())
def test_libical_and_recurring_ical_events_agree(libical, make):
    """The same (UID, UTC instant) set over 2026, both clock changes, EXDATEs and moves, and no complaint."""
    body = make()
    python = python_occurrences(body, *YEAR)
    assert python, "the case should produce occurrences"
    reading = libical.read(body, *YEAR)
    assert reading.errors == []
    assert reading.occurrences == python


def test_libical_keeps_local_time_across_the_clock_changes(libical):
    """Spot checks on libical alone: 18:30Z in winter, 17:30Z in summer."""
    instants = {when for _, when in libical.expand(feed(series()), *YEAR)}
    assert datetime(2026, 3, 24, 18, 30, tzinfo=UTC) in instants
    assert datetime(2026, 3, 31, 17, 30, tzinfo=UTC) in instants
    assert datetime(2026, 10, 20, 17, 30, tzinfo=UTC) in instants
    assert datetime(2026, 10, 27, 18, 30, tzinfo=UTC) in instants


def test_libical_uses_the_embedded_vtimezone(libical):
    """The harness reads the feed's VTIMEZONE, not a zone database: doctored offsets move summer meetings."""
    body = (
        feed(series())
        .replace(b"TZOFFSETTO:+0100", b"TZOFFSETTO:+0200")
        .replace(b"TZOFFSETFROM:+0100", b"TZOFFSETFROM:+0200")
    )
    instants = {when for _, when in libical.expand(body, *YEAR)}
    assert datetime(2026, 6, 2, 16, 30, tzinfo=UTC) in instants


def test_a_tzid_without_its_vtimezone_is_refused_not_floated(libical):
    """Without the VTIMEZONE libical would float 18:30; the checker says so instead of comparing."""
    body = feed(series())
    start, end = body.index(b"BEGIN:VTIMEZONE"), body.index(b"END:VTIMEZONE\r\n") + len(b"END:VTIMEZONE\r\n")
    with pytest.raises(LibicalError, match="float"):
        libical.expand(body[:start] + body[end:], *YEAR)


def test_method_publish_without_organizer_fails_libicals_itip_check(libical):
    """Why the feeds carry no METHOD: PUBLISH makes libical demand an ORGANIZER in every VEVENT."""
    body = feed(series())
    assert VERSION_LINE in body and b"METHOD" not in body
    errors = libical.read(body.replace(VERSION_LINE, VERSION_LINE + b"METHOD:PUBLISH\r\n"), *YEAR).errors
    assert ("INVALID-ITIP", "Failed iTIP restrictions for ORGANIZER property. "
            "Expected 1 instances of the property and got 0") in errors


BREACHES = {
    "two-dtstarts": lambda b: b.replace(b"DTSTAMP:", b"DTSTART:20260106T183000Z\r\nDTSTAMP:", 1),
    "two-summaries": lambda b: b.replace(b"DTSTAMP:", b"SUMMARY:Again\r\nDTSTAMP:", 1),
    "dtend-and-duration": lambda b: b.replace(b"DTSTAMP:", b"DURATION:PT1H\r\nDTSTAMP:", 1),
}


@pytest.mark.parametrize("breach", BREACHES.values(), ids=BREACHES.keys())
def test_the_restriction_check_still_guards_a_plain_calendar(libical, breach):
    """With no METHOD libical still applies RFC 5545's rules, so the check is not vacuous."""
    body = feed(series())
    broken = breach(body)
    assert broken != body
    assert libical.read(body, *YEAR).errors == []
    assert libical.read(broken, *YEAR).errors != []
