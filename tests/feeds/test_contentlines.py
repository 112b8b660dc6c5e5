"""The direct VEVENT writer against icalendar's: the same properties must give the same bytes."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar, Event

from recovery_network.ical.contentlines import component, escape, fold, line

ZONES = [ZoneInfo("Europe/London"), ZoneInfo("America/New_York"), ZoneInfo("Australia/Sydney")]
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=260)
# Escapes and multi-byte characters near the fold are where writers differ, so they come often.
AWKWARD = st.lists(st.sampled_from(list("ab,;\\^\n\r:é€😀 N") + ["\\N"]), min_size=1, max_size=400).map("".join)
LONG = st.lists(st.sampled_from(list("ab,;\\^\né€😀 ")), min_size=80, max_size=400).map("".join)
# One-octet text takes fold()'s fast path; long runs of escapes test where it cuts.
PLAIN = st.text(st.sampled_from(list("ab ,;\\^N.")), min_size=60, max_size=300)
URL = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=160)
UTC_STAMP = st.datetimes(datetime(2000, 1, 1), datetime(2040, 1, 1)).map(
    lambda d: d.replace(microsecond=0, tzinfo=timezone.utc)
)
LOCAL = st.tuples(st.datetimes(datetime(2000, 1, 1), datetime(2040, 1, 1)), st.sampled_from(ZONES)).map(
    lambda pair: pair[0].replace(microsecond=0, tzinfo=pair[1])
)
DAY = st.dates(date(2000, 1, 1), date(2040, 1, 1))
RULE = st.fixed_dictionaries(
    {"FREQ": st.sampled_from(["WEEKLY", "MONTHLY"]), "BYDAY": st.sampled_from(["TU", "2TU", "-1FR"])},
    optional={"INTERVAL": st.just(2), "COUNT": st.integers(1, 520), "UNTIL": UTC_STAMP},
)


@st.composite
def vevents(draw) -> dict:
    """Properties as ical.py builds them: a timed or all-day event, maybe a series, maybe a moved one."""
    when = draw(st.one_of(LOCAL, DAY))
    end = when + timedelta(days=1) if not isinstance(when, datetime) else when + timedelta(minutes=90)
    stamp = draw(UTC_STAMP)
    properties = {
        "UID": draw(st.uuids()).hex,
        "SUMMARY": draw(st.one_of(TEXT, AWKWARD, PLAIN, LONG)),
        "DTSTART": when,
        "DTEND": end,
        "DTSTAMP": stamp,
        "CREATED": draw(UTC_STAMP),
        "LAST-MODIFIED": stamp,
        "SEQUENCE": draw(st.integers(0, 10_000)),
        "STATUS": draw(st.sampled_from(["CONFIRMED", "TENTATIVE", "CANCELLED"])),
        "TRANSP": "OPAQUE" if isinstance(when, datetime) else "TRANSPARENT",
    }
    optional = {
        "DESCRIPTION": st.one_of(TEXT, AWKWARD, PLAIN, LONG),
        "URL": URL,
        "LOCATION": st.one_of(TEXT, AWKWARD, PLAIN, LONG),
        "GEO": st.tuples(st.floats(-90, 90), st.floats(-180, 180)).map(lambda g: (round(g[0], 5), round(g[1], 5))),
        "RRULE": RULE,
        "RECURRENCE-ID": st.just(when),
        "EXDATE": st.lists(st.just(when), min_size=1, max_size=3).map(
            lambda days: [day + timedelta(days=7 * n) for n, day in enumerate(days)]
        ),
    }
    for name in draw(st.sets(st.sampled_from(sorted(optional)))):
        value = draw(optional[name])
        if value != "":
            properties[name] = value
    return properties


def icalendar_writes(properties: dict) -> bytes:
    """The oracle: the same properties through icalendar's own typed component and writer."""
    event = Event()
    for name, value in properties.items():
        for item in value if isinstance(value, list) else [value]:
            event.add(name, item)
    return event.to_ical()


@settings(max_examples=400, deadline=None)
@given(vevents())
def test_the_direct_writer_gives_icalendars_bytes(properties):
    """Property: escaping, parameters, order and folding all match icalendar, byte for byte."""
    assert component("VEVENT", properties) == icalendar_writes(properties)


@settings(max_examples=300, deadline=None)
@given(st.one_of(TEXT, AWKWARD, PLAIN, LONG))
def test_folded_lines_fit_75_octets_and_unfold_to_the_text(text):
    """Property: no physical line passes 75 octets or splits a character, and unfolding gives the line back."""
    logical = line("DESCRIPTION", text)
    folded = fold(logical)
    physical = folded.split("\r\n ")
    assert all(len(part.encode()) <= 75 for part in physical)
    assert "".join(physical) == logical
    parsed = Calendar.from_ical(f"BEGIN:VEVENT\r\n{folded}\r\nEND:VEVENT\r\n".encode())
    assert str(parsed["DESCRIPTION"]) == text.replace("\\N", "\n").replace("\r\n", "\n").replace("\r", "\n")


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (datetime(2026, 3, 29, 1, 30, tzinfo=ZoneInfo("Europe/London")), "DTSTART;TZID=Europe/London:20260329T013000"),
        (datetime(2026, 3, 29, 1, 30, tzinfo=timezone.utc), "DTSTART:20260329T013000Z"),
        (date(2026, 3, 29), "DTSTART;VALUE=DATE:20260329"),
    ],
)
def test_times_are_local_with_a_tzid_utc_with_z_or_a_date(value, written):
    """A series is written in its zone's wall-clock time; stamps in UTC; all-day items as dates."""
    assert line("DTSTART", value) == written


@pytest.mark.parametrize(
    "value", [datetime(2026, 1, 1, 9), datetime(2026, 1, 1, 9, tzinfo=timezone(timedelta(hours=1))), True]
)
def test_floating_and_offset_times_and_booleans_are_refused(value):
    """A floating time means 'wherever the reader is'; nothing here may be written that way."""
    with pytest.raises(ValueError):
        line("DTSTART", value)


def test_text_escapes_backslash_first():
    """RFC 5545 §3.3.11: the backslash is escaped before the characters it then escapes."""
    assert escape("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"


def test_a_remembered_rule_is_not_reused_for_the_same_instant_in_another_zone():
    """UNTIL in UTC ends in Z; the same instant in London is written as local digits, so they are two rules."""
    instant = datetime(2026, 12, 29, 23, 59, 59, tzinfo=timezone.utc)
    in_utc = line("RRULE", {"FREQ": "WEEKLY", "UNTIL": instant})
    in_london = line("RRULE", {"FREQ": "WEEKLY", "UNTIL": instant.astimezone(ZoneInfo("Europe/London"))})
    assert in_utc.endswith("UNTIL=20261229T235959Z") and not in_london.endswith("Z")
