"""The hand-built VTIMEZONE: Outlook's shape (C12, C13) and tzdata's offsets every half hour (C14)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, vRecur

from recovery_network.ical.vtimezone import UnsupportedTimezone, vtimezone, zone_rules
from tests.feeds.ical_lint import _outlook_shape
from tests.feeds.ics_parse import offset_mismatches, parse

HORIZON = (date(2026, 1, 1), date(2029, 1, 1))
ZONES_WITH_DST = [
    "Europe/London",
    "Europe/Dublin",  # tzdata's "negative DST": summer must still be the DAYLIGHT block
    "Europe/Paris",
    "America/New_York",  # 2nd Sunday of March, 1st of November
    "America/St_Johns",  # a -03:30 zone
    "Australia/Sydney",  # southern: DAYLIGHT starts in October
    "Australia/Lord_Howe",  # a 30-minute shift
    "Pacific/Chatham",  # +12:45, onset at 02:45
    "Asia/Jerusalem",  # "Friday on or after the 23rd": BYMONTHDAY window
    "America/Santiago",  # "Sunday on or after the 2nd"
]
ZONES_WITHOUT_DST = ["Asia/Tokyo", "Asia/Kolkata", "UTC", "Europe/Moscow"]

LONDON = (
    "BEGIN:VTIMEZONE\r\n"
    "TZID:Europe/London\r\n"
    "BEGIN:DAYLIGHT\r\n"
    "DTSTART:19700329T010000\r\n"
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n"
    "TZNAME:BST\r\n"
    "TZOFFSETFROM:+0000\r\n"
    "TZOFFSETTO:+0100\r\n"
    "END:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\n"
    "DTSTART:19701025T020000\r\n"
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n"
    "TZNAME:GMT\r\n"
    "TZOFFSETFROM:+0100\r\n"
    "TZOFFSETTO:+0000\r\n"
    "END:STANDARD\r\n"
    "END:VTIMEZONE\r\n"
)


def embedded(tzid: str):
    """The VTIMEZONE as the lint's independent reader sees it."""
    return parse(vtimezone(tzid).to_ical().decode())[0]


def test_london_is_the_classic_two_rule_shape():
    """DAYLIGHT last Sunday of March 01:00 GMT, STANDARD last Sunday of October 02:00 BST.

    icalendar writes RRULE parts in its canonical order (BYDAY before BYMONTH); the same rule as
    FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU, and keeping its order is what makes the round trip byte-exact.
    """
    component = vtimezone("Europe/London")
    assert component.to_ical().decode() == LONDON
    daylight, standard = component.subcomponents
    assert daylight.name == "DAYLIGHT" and standard.name == "STANDARD"
    assert daylight["DTSTART"].dt == datetime(1970, 3, 29, 1, 0) and daylight["DTSTART"].dt.tzinfo is None
    assert daylight["RRULE"] == vRecur({"FREQ": "YEARLY", "BYMONTH": 3, "BYDAY": "-1SU"})
    assert standard["DTSTART"].dt == datetime(1970, 10, 25, 2, 0)
    assert standard["RRULE"] == vRecur({"FREQ": "YEARLY", "BYMONTH": 10, "BYDAY": "-1SU"})
    assert (daylight["TZOFFSETFROM"].td, daylight["TZOFFSETTO"].td) == (timedelta(0), timedelta(hours=1))
    assert (standard["TZOFFSETFROM"].td, standard["TZOFFSETTO"].td) == (timedelta(hours=1), timedelta(0))


@pytest.mark.parametrize("tzid", ZONES_WITH_DST + ZONES_WITHOUT_DST)
def test_shape_no_rdate_lists_and_outlook_layout(tzid):
    """C12, C13: no RDATE at all, no Z in DTSTART, one STANDARD + one DAYLIGHT with yearly BYDAY rules."""
    text = vtimezone(tzid).to_ical().decode()
    assert "RDATE" not in text and "Z\r\n" not in text.split("TZID:")[1]
    assert _outlook_shape(parse(text)[0])


@pytest.mark.parametrize("tzid", ZONES_WITH_DST + ZONES_WITHOUT_DST)
def test_offsets_from_the_embedded_zone_match_tzdata_every_half_hour(tzid):
    """C14: expanding the VTIMEZONE by RFC 5545 gives tzdata's offset at every half hour of 2026–2028."""
    assert offset_mismatches(embedded(tzid), *HORIZON) == []


def test_icalendar_reads_our_london_zone_as_tzdata_does():
    """C14, second opinion: icalendar's own VTIMEZONE evaluator (not its tzdata lookup) agrees."""
    calendar = Calendar.from_ical(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
        + vtimezone("Europe/London").to_ical()
        + b"END:VCALENDAR\r\n"
    )
    ours = calendar.timezones[0].to_tz(lookup_tzid=False)
    tzdata = ZoneInfo("Europe/London")
    at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    while at < datetime(2029, 1, 1, tzinfo=timezone.utc):
        assert at.astimezone(ours).utcoffset() == at.astimezone(tzdata).utcoffset(), at
        at += timedelta(minutes=30)


def test_clock_changes_land_on_the_right_instant():
    """The spring onset is 01:00 UTC, not 02:00 UTC (icalendar 7.3's generated zone gets this wrong)."""
    zone = embedded("Europe/London")
    assert offset_mismatches(zone, date(2026, 3, 29), date(2026, 3, 30), timedelta(minutes=1)) == []
    assert offset_mismatches(zone, date(2026, 10, 25), date(2026, 10, 26), timedelta(minutes=1)) == []


@pytest.mark.parametrize("tzid", ZONES_WITHOUT_DST)
def test_zone_without_dst_is_one_fixed_standard(tzid):
    """No clock changes: a single STANDARD, no RRULE, TZOFFSETFROM = TZOFFSETTO."""
    component = vtimezone(tzid)
    (block,) = component.subcomponents
    assert block.name == "STANDARD" and "RRULE" not in block
    assert (
        block["TZOFFSETFROM"].td == block["TZOFFSETTO"].td == ZoneInfo(tzid).utcoffset(datetime(2026, 6, 1))
    )


def test_southern_zone_puts_daylight_in_spring():
    """Sydney's DAYLIGHT starts on the first Sunday of October, STANDARD on the first Sunday of April."""
    daylight, standard = vtimezone("Australia/Sydney").subcomponents
    assert daylight["RRULE"] == vRecur({"FREQ": "YEARLY", "BYMONTH": 10, "BYDAY": "1SU"})
    assert standard["RRULE"] == vRecur({"FREQ": "YEARLY", "BYMONTH": 4, "BYDAY": "1SU"})


def test_zone_whose_rules_are_not_yearly_is_refused():
    """Casablanca's Ramadan changes follow the lunar calendar: no yearly rule fits, so say so."""
    with pytest.raises(UnsupportedTimezone):
        vtimezone("Africa/Casablanca")


def test_rules_are_cached_and_components_are_fresh():
    """The tzdata scan runs once per zone; each caller still gets its own component to add to a calendar."""
    first, second = vtimezone("Europe/London", 2026), vtimezone("Europe/London", 2026)
    assert first is not second and first.to_ical() == second.to_ical()
    hits = zone_rules.cache_info().hits
    vtimezone("Europe/London", 2026)
    assert zone_rules.cache_info().hits == hits + 1


def test_rules_do_not_depend_on_the_reference_year():
    """London's rule has been the same since 1996; any recent year gives the same bytes."""
    assert vtimezone("Europe/London", 2024).to_ical() == vtimezone("Europe/London", 2030).to_ical()
