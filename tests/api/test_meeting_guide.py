"""The Meeting Guide feed: what meeting-finder apps read, and never a custody session."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest

from recovery_network.api.meeting_guide import CUSTOM_TYPES, RESERVED_USED
from recovery_network.extensions import db
from recovery_network.venues.models import CUSTODY

# The reserved codes in the code4recovery spec's type table (README "Meeting Types", proposed ones included).
SPEC_RESERVED = set(
    "11 12x12 A ABSI AL AL-AN AM ASL B BA BE BI BRK C CAN CF D DA DB DD DE DR EL EN FA FF FR G GR H HE HI HR HU "
    "ITA JA KOR L LGBTQ LIT LS LT M MED ML N NB NDG NO O OUT P POA POC POL POR PUN RUS S SEN SK SM SP ST SV T TC "
    "TH TL TR UK W X XB XT Y BV-I D-HOH LO-I QSL RSL ONL".split()
)


@pytest.fixture
def meetings(make_meeting, make_venue):
    """A weekly, a fortnightly, a monthly, an online-only and a custody meeting."""
    hall = make_venue(name="Perth Recovery Hub", town="Perth", step_free=True, directions="Near the bus station.")
    prison = make_venue(CUSTODY, name="HMP Perth")
    return {
        "weekly": make_meeting("Perth Tuesday", venue=hall),
        "fortnightly": make_meeting("Perth Family", venue=hall, kind="family", frequency="fortnightly", weekday=3),
        "monthly": make_meeting("Dundee Monthly", venue=hall, frequency="monthly", week_of_month=2),
        "online": make_meeting("Online Sunday", online_url="https://meet.example.org/s", weekday=6, start_time=time(19, 30)),
        "custody": make_meeting("HMP Perth SMART group", venue=prison),
    }


def feed(client) -> dict[str, dict]:
    """The feed as a dict by slug."""
    response = client.get("/api/meetings.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return {m["slug"]: m for m in response.get_json()}


def test_custody_meetings_never_appear_whatever_the_query(client, meetings):
    """The feed takes no parameters; trying to ask for custody ones changes nothing."""
    plain = client.get("/api/meetings.json").get_data()
    assert b"HMP" not in plain
    assert client.get("/api/meetings.json?visibility=custody&all=1").get_data() == plain
    assert meetings["custody"].slug not in feed(client)


def test_weekly_meeting_record(client, meetings):
    """Tuesday is day 2 counting from Sunday; times are HH:MM local with the zone named."""
    record = feed(client)[meetings["weekly"].slug]
    assert record["name"] == "Perth Tuesday"
    assert (record["day"], record["time"], record["end_time"], record["timezone"]) == (2, "18:30", "20:00", "Europe/London")
    assert record["types"] == ["SMART", "X"]
    assert record["city"] == "Perth" and record["country"] == "GB" and record["approximate"] == "no"
    assert record["latitude"] == 56.3962 and record["longitude"] == -3.4363
    assert record["location_notes"] == "Near the bus station."
    assert record["url"] == f"http://localhost/meetings/{meetings['weekly'].slug}"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", record["updated"])
    assert "notes" not in record


def test_non_weekly_meetings_say_so_honestly(client, meetings):
    """Fortnightly and monthly meetings carry a type and notes that start with the real rule."""
    records = feed(client)
    fortnightly = records[meetings["fortnightly"].slug]
    assert "RN-FORTNIGHTLY" in fortnightly["types"] and "SMART-FF" in fortnightly["types"]
    assert fortnightly["notes"].startswith("Every other Thursday — check the dates: http://localhost/meetings/")
    monthly = records[meetings["monthly"].slug]
    assert "RN-MONTHLY" in monthly["types"]
    assert monthly["notes"].startswith("The 2nd Tuesday of each month")


def test_online_only_meeting_has_conference_url_and_approximate_origin(client, meetings):
    """Online meetings need a conference_url and an approximate place in one time zone."""
    record = feed(client)[meetings["online"].slug]
    assert record["conference_url"] == "https://meet.example.org/s"
    assert record["formatted_address"] == "Scotland, UK" and record["approximate"] == "yes"
    assert record["day"] == 0 and record["time"] == "19:30"


def test_paused_meeting_is_marked_temporarily_closed(client, meetings):
    """A paused series stays listed with TC so apps can say so."""
    meetings["weekly"].status = "paused"
    db.session.commit()
    assert "TC" in feed(client)[meetings["weekly"].slug]["types"]


def test_custom_type_codes_collide_with_nothing_reserved():
    """Custom codes avoid the spec's reserved codes and anything shaped like an ISO 639 code (2–3 letters)."""
    for code in CUSTOM_TYPES:
        assert code not in SPEC_RESERVED
        assert len(code) > 3
    assert set(RESERVED_USED) <= SPEC_RESERVED


def test_no_personal_fields_and_conditional_get(client, meetings):
    """No contact names or emails; a repeat poll with the ETag gets 304."""
    response = client.get("/api/meetings.json")
    text = response.get_data(as_text=True)
    assert "@" not in text.replace("meet.example.org", "")
    assert not any(k.startswith("contact_") for m in response.get_json() for k in m)
    again = client.get("/api/meetings.json", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


def test_pages_advertise_the_feed(client):
    """Meeting finders discover the feed from our <head>, as the spec suggests."""
    body = client.get("/").get_data(as_text=True)
    assert '<link rel="alternate" type="application/json" title="Meetings Feed" href="http://localhost/api/meetings.json">' in body


def test_a_series_is_listed_from_its_first_date(client, make_meeting, make_venue):
    """The format has no start date: a course (or any series) that has not begun is left out, not misdated."""
    hall = make_venue(name="Forfar Hall")
    today = date.today()
    upcoming_course = make_meeting("Forfar course", venue=hall, kind="programme", session_count=10,
                                   starts_on=today + timedelta(days=21), weekday=(today + timedelta(days=21)).weekday())
    upcoming_weekly = make_meeting("New Arbroath group", venue=hall, starts_on=today + timedelta(days=8),
                                   weekday=(today + timedelta(days=8)).weekday())
    running_course = make_meeting("Perth course", venue=hall, kind="programme", session_count=10,
                                  starts_on=today - timedelta(days=14), weekday=(today - timedelta(days=14)).weekday())
    today_first = make_meeting("Starts today", venue=hall, starts_on=today, weekday=today.weekday())
    records = feed(client)
    assert upcoming_course.slug not in records and upcoming_weekly.slug not in records
    assert today_first.slug in records
    course = records[running_course.slug]
    assert "RN-COURSE" in course["types"]
    assert course["notes"].startswith(f"Every {today.strftime('%A')}, 10 sessions — check the dates: ")
