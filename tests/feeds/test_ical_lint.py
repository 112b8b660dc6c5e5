"""The lint itself: a clean feed passes, and each checklist breach, made by hand, is reported by its id."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from icalendar import Calendar

from tests.feeds.ical_lint import lint
from tests.feeds.samples import at, feed, moved, series

BASE = feed(series(exdates=(at(2026, 4, 7),), overrides=(moved(at(2026, 5, 5), at(2026, 5, 6, 19, 0)),)))
NOTICE = feed(series("closed", start=date(2026, 8, 31), length=timedelta(days=1), rrule=None))
RDATE_LIST_ZONE = (
    b"BEGIN:VTIMEZONE\r\nTZID:Europe/London\r\n"
    b"BEGIN:DAYLIGHT\r\nDTSTART:20260329T010000\r\nRDATE:20270328T010000,20280326T010000\r\n"
    b"TZNAME:BST\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100\r\nEND:DAYLIGHT\r\n"
    b"BEGIN:STANDARD\r\nDTSTART:20261025T020000\r\nRDATE:20271031T020000,20281029T020000\r\n"
    b"TZNAME:GMT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
)
ZONE_BLOCK = re.compile(rb"BEGIN:VTIMEZONE\r\n.*?END:VTIMEZONE\r\n", re.S)
MASTER = re.compile(rb"BEGIN:VEVENT\r\n(?:(?!END:VEVENT).)*?RRULE.*?END:VEVENT\r\n", re.S)


def swap(old: bytes, new: bytes, count: int = -1) -> Callable[[bytes], bytes]:
    """A mutation replacing bytes that must be present."""

    def mutate(body: bytes) -> bytes:
        assert old in body, old
        return body.replace(old, new, count)

    return mutate


def master_swap(old: bytes, new: bytes) -> Callable[[bytes], bytes]:
    """A mutation inside the series' master VEVENT only."""

    def mutate(body: bytes) -> bytes:
        block = MASTER.search(body).group()
        assert old in block, old
        return body.replace(block, block.replace(old, new))

    return mutate


MUTATIONS = {
    "C1": lambda b: b.replace(b"\r\n", b"\n"),
    "C2": swap(b"DESCRIPTION:Open to anyone.", b"DESCRIPTION:" + b"x" * 80),
    "C3": swap(b"\xe2\x80\x99", b"\xe2\r\n \x80\x99"),
    "C4": lambda b: b + b,
    "C5": swap(
        b"PRODID:-//Recovery Network//Meeting Feeds 1.0//EN", b"PRODID:-//collective//icalendar//7.3.0//EN"
    ),
    "C6": swap(b"VERSION:2.0\r\n", b"VERSION:2.0\r\nMETHOD:PUBLISH\r\n"),
    "C7": swap(b"REFRESH-INTERVAL;VALUE=DURATION:PT6H", b"REFRESH-INTERVAL:PT6H"),
    "C8": swap(b"X-PUBLISHED-TTL:PT6H", b"X-PUBLISHED-TTL:6:00:00"),
    "C9": swap(b"\r\nNAME:Leeds meetings\r\n", b"\r\n"),
    "C10": lambda b: ZONE_BLOCK.sub(b"", b),
    "C11": swap(b"X-WR-TIMEZONE:Europe/London", b"X-WR-TIMEZONE:Europe/Paris"),
    "C12": lambda b: ZONE_BLOCK.sub(RDATE_LIST_ZONE, b),
    "C13": swap(
        b"END:STANDARD\r\n",
        b"END:STANDARD\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
        b"TZNAME:GMT\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000\r\nEND:STANDARD\r\n",
    ),
    "C14": swap(b"DTSTART:19700329T010000", b"DTSTART:19700329T020000"),  # icalendar 7.3's late onset
    "C15": master_swap(b"DTSTAMP:20260102T090000Z\r\n", b""),
    "C16": lambda b: re.sub(
        rb"UID:[0-9a-f-]{36}\r\n(?=DTSTART|SEQUENCE|RECURRENCE|RRULE)", b"UID:m1@host.example\r\n", b
    ),
    "C17": lambda b: b.replace(MASTER.search(b).group(), MASTER.search(b).group() * 2),
    "C18": master_swap(b"RRULE:FREQ=WEEKLY;UNTIL=20261229T235959Z;BYDAY=TU", b"RRULE:BYDAY=TU;FREQ=WEEKLY"),
    "C19": master_swap(b"BYDAY=TU\r\n", b"BYDAY=TU;COUNT=5\r\n"),
    "C20": master_swap(b"DTSTART;TZID=Europe/London:20260106T183000", b"DTSTART:20260106T183000Z"),
    "C21": master_swap(b"UNTIL=20261229T235959Z", b"UNTIL=20261229T183000Z"),
    "C22": swap(b"EXDATE;TZID=Europe/London:20260407T183000", b"EXDATE:20260407T173000Z"),
    "C23": swap(b"RECURRENCE-ID;TZID=Europe/London:20260505T183000", b"RECURRENCE-ID:20260505T173000Z"),
    "C24": swap(
        b"RECURRENCE-ID;TZID=Europe/London:20260505T183000",
        b"RECURRENCE-ID;TZID=Europe/London:20260506T183000",
    ),
    "C25": master_swap(b"SEQUENCE:2", b"SEQUENCE:9"),
    "C26": swap(b"DTSTART;TZID=Europe/London:20260506T190000", b"DTSTART;TZID=Europe/London:20260512T120000"),
    "C28": swap(b"SUMMARY:SMART Recovery meeting", b"SUMMARY:SMART Recovery, meeting"),
    "X-GEO": swap(b"GEO:53.7997;-1.5492", b"GEO:1e-05;-1.5492"),
    # icalendar writes properties in its own order, so one out of place does not come back the same.
    "X-ROUNDTRIP": swap(b"BEGIN:VEVENT\r\n", b"BEGIN:VEVENT\r\nX-FIRST:1\r\n", 1),
}


def test_clean_feeds_pass():
    """Our own output is the baseline: nothing to report."""
    assert lint(BASE) == []
    assert lint(NOTICE) == []


@pytest.mark.parametrize(("rule", "mutate"), MUTATIONS.items(), ids=MUTATIONS.keys())
def test_each_breach_is_reported_by_its_id(rule, mutate):
    """Break one rule by hand and the lint names it."""
    assert rule in lint(mutate(BASE))


def test_until_in_local_time_is_reported():
    """C21: a zoned DTSTART needs a UTC UNTIL."""
    assert "C21" in lint(master_swap(b"UNTIL=20261229T235959Z", b"UNTIL=20261229T235959")(BASE))


def test_backslash_escaping_nothing_is_reported():
    """C28: only \\\\ \\; \\, \\n are escapes; an escaped backslash before a letter is fine."""
    assert "C28" in lint(swap(b"DESCRIPTION:Open to anyone.", b"DESCRIPTION:Open \\x to anyone.")(BASE))
    assert lint(feed(series(description="C:\\xyz"))) == []


def test_all_day_end_must_be_the_next_day():
    """C27: DTEND;VALUE=DATE is exclusive, so it is after DTSTART."""
    assert "C27" in lint(swap(b"DTEND;VALUE=DATE:20260901", b"DTEND;VALUE=DATE:20260831")(NOTICE))


def test_private_feeds_are_checked_for_words_a_lock_screen_must_not_show():
    """P5 only when asked: public meeting descriptions may mention custody; private titles may not."""
    body = feed(series(summary="Probation check-in"))
    assert "P5" in lint(body, private=True)
    assert "P5" not in lint(body)


def test_icalendars_generated_zone_is_the_shape_ical_md_warns_about():
    """add_missing_timezones() in 7.3: RDATE lists, 2×STANDARD, late spring onset (C12, C13, C14)."""
    calendar = Calendar.from_ical(BASE)
    calendar.subcomponents = [c for c in calendar.subcomponents if c.name != "VTIMEZONE"]
    calendar.add_missing_timezones()
    found = lint(calendar.to_ical())
    assert {"C12", "C13"} <= set(found)
