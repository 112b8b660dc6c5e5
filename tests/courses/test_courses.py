"""Courses that finish: enrolment by first name or initials only, attendance per held session, completion and a
certificate to print; only the course's organiser (or a co-ordinator) reaches its register."""

from __future__ import annotations

import html
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from recovery_network.courses.models import Enrolment
from recovery_network.courses.rules import NameRefused, course_name
from recovery_network.extensions import db
from tests.meetings.test_posting import text


@pytest.mark.parametrize("typed, kept", [
    ("Dee", "Dee"), ("  mary-jane ", "mary-jane"), ("O'Neil", "O'Neil"), ("J.K.", "J.K."), ("JK", "JK"),
    ("J K", "J K"), ("Dee K.", "Dee K."), ("Zoë", "Zoë"),
])
def test_first_names_and_initials_are_kept(typed, kept):
    """What may be written about someone on a course."""
    assert course_name(typed) == kept


@pytest.mark.parametrize("typed, words", [
    ("Dee Kowalski", "never a surname"), ("A1234BC", "No numbers"), ("Dee 12/3/90", "No numbers"), ("", "Give a first"),
    ("x" * 21, "20 characters"), ("Dee (heroin)", "letters only"), ("<script>", "letters only"),
    ("Mary Jane Smith", "never a surname"),
])
def test_anything_more_than_a_first_name_or_initials_is_refused(typed, words):
    """Surnames, prison numbers, dates of birth and notes never go in."""
    with pytest.raises(NameRefused, match=words):
        course_name(typed)


@pytest.fixture
def course(make_person, make_meeting, auth):
    """A closed 10-week course that began three weeks ago, run by a logged-in facilitator."""
    facilitator = make_person("facilitator", first_name="Fiona")
    start = date.today() - timedelta(weeks=3)
    meeting = make_meeting("Forfar 10-week Recovery Group", kind="programme", session_count=10, starts_on=start,
                           weekday=start.weekday(), listing="closed", referral_contact="Angus Recovery, 01632 960 123",
                           organiser=facilitator)
    auth.login(facilitator)
    return meeting


def register_url(meeting) -> str:
    """The course's register page."""
    return f"/organise/meetings/{meeting.slug}/course/"


def test_enrol_three_mark_attendance_complete_one_and_print_their_certificate(client, course):
    """The register journey, end to end through the pages."""
    assert "Course register" in text(client.get(f"/organise/meetings/{course.slug}"))
    for name in ("Dee", "Ross", "J.M."):
        assert client.post(register_url(course) + "enrol", data={"name": name}).status_code == 302
    people = {e.name: e for e in db.session.scalars(select(Enrolment))}
    page = client.get(register_url(course)).get_data(as_text=True)
    held = sorted(set(__import__("re").findall(rf'value="{people["Dee"].code}:([0-9-]+)"', page)))
    assert len(held) in (3, 4)  # three weeks of sessions have happened (four if today's has begun)
    ticked = [f"{people['Dee'].code}:{d}" for d in held] + [f"{people['Ross'].code}:{held[0]}"]
    assert client.post(register_url(course) + "attendance", data={"attended": ticked}).status_code == 302
    page = text(client.get(register_url(course)))
    assert f"{len(held)} of {len(held)}" in page and f"1 of {len(held)}" in page
    client.post(register_url(course) + f"{people['Dee'].code}/complete")
    db.session.refresh(people["Dee"])
    assert people["Dee"].status == "completed" and people["Dee"].completed_on == date.today()
    certificate = text(client.get(register_url(course) + f"{people['Dee'].code}/certificate"))
    assert "Certificate of completion Dee has completed Forfar 10-week Recovery Group" in certificate
    assert f"attending {len(held)} of 10 sessions" in certificate
    assert client.get(register_url(course) + f"{people['Ross'].code}/certificate").status_code == 404


def test_bad_register_input_is_explained_never_a_500(client, course):
    """A surname, a future session, a made-up date or code: each gets words or a 404, and nothing is stored."""
    refused = client.post(register_url(course) + "enrol", data={"name": "Zed Smith-Jones"})
    assert refused.status_code == 422 and "never a surname" in text(refused)
    # beside the name field, and the name as typed is still there to correct
    field = html.unescape(refused.get_data(as_text=True)).split('<label for="name">')[1].split("</div>")[0]
    assert "never a surname" in field and 'aria-invalid="true"' in field and 'value="Zed Smith-Jones"' in field
    client.post(register_url(course) + "enrol", data={"name": "Dee"})
    again = client.post(register_url(course) + "enrol", data={"name": "dee"})
    assert "already on this course" in text(again)
    dee = db.session.scalar(select(Enrolment))
    future = (date.today() + timedelta(weeks=2)).isoformat()
    for value in (f"{dee.code}:{future}", f"{dee.code}:2026-13-45", f"{dee.code}:{date.today() - timedelta(days=1)}"):
        response = client.post(register_url(course) + "attendance", data={"attended": [value]})
        assert response.status_code == 422, value
    assert dee.attended == set()
    assert client.post(register_url(course) + "nonsense/complete").status_code == 404
    assert client.post(register_url(course) + f"{dee.code}/graduate").status_code == 404


def test_only_the_organiser_or_a_coordinator_reaches_the_register(client, auth, course, make_person, make_meeting):
    """Another facilitator gets a 404; a series that is not a finishing course has no register."""
    client.post(register_url(course) + "enrol", data={"name": "Dee"})
    auth.logout()
    auth.login(make_person("facilitator", first_name="Olly"))
    assert client.get(register_url(course)).status_code == 404
    auth.logout()
    coordinator = make_person("coordinator", first_name="Morag")
    auth.login(coordinator)
    assert "Dee" in text(client.get(register_url(course)))
    weekly = make_meeting("Weekly SMART", organiser=coordinator)
    assert client.get(register_url(weekly)).status_code == 404
