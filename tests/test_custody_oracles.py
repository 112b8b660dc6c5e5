"""Custody sessions cannot be found by anyone not entitled to them: every route that takes a meeting id or slug
answers a hidden custody meeting byte for byte as it answers one that does not exist, whatever the date asked about.
"""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from recovery_network.extensions import db
from recovery_network.meetings.models import Meeting
from recovery_network.meetings.recurrence import next_occurrences
from recovery_network.meetings.services import (
    MeetingDetails,
    cancel_occurrence,
    move_occurrence,
    post_meeting,
    slugify,
)
from recovery_network.mentors.models import Clearance, Course, TrainingRecord
from recovery_network.pathways.models import Pathway
from recovery_network.types import utcnow
from recovery_network.venues.models import CUSTODY

TODAY = utcnow().date()
# Everyone here is logged in (or not) without a right to see HMP Perth's or HMP Barlinnie's sessions.
OUTSIDERS = ["anonymous", "pending", "uncleared_mentor", "uncleared_facilitator", "lapsed_mentor",
             "other_prison_staff", "cleared_elsewhere"]


@pytest.fixture
def network(make_person, make_venue, make_meeting):
    """Two prisons with custody sessions (one cancelled date, one moved), a third prison, and one person per role."""
    perth, barlinnie = make_venue(CUSTODY, name="HMP Perth"), make_venue(CUSTODY, name="HMP Barlinnie")
    low_moss = make_venue(CUSTODY, name="HMP Low Moss")
    sessions = [make_meeting("HMP Perth SMART group", venue=perth, weekday=1, start_time=time(14, 0)),
                make_meeting("Barlinnie Recovery Café", venue=barlinnie, kind="cafe", weekday=2, start_time=time(13, 30)),
                make_meeting("Perth family group", venue=perth, kind="family", weekday=4, start_time=time(10, 0))]
    coming = [o.original_start.date() for o in next_occurrences(sessions[0].schedule, {}, utcnow(), 3)]
    cancel_occurrence(sessions[0], coming[1], "Lockdown")
    moving = next_occurrences(sessions[1].schedule, {}, utcnow(), 2)[1].start
    move_occurrence(sessions[1], moving.date(), moving.replace(tzinfo=None) + timedelta(hours=1), "Visits")
    own_session = make_meeting("Low Moss café", venue=low_moss, kind="cafe", weekday=3)
    coordinator = make_person("coordinator", first_name="Morag")
    courses = {r: Course(code=r, name=r, qualifies_for=r) for r in ("peer_mentor", "facilitator")}
    db.session.add_all(courses.values())

    def volunteer(name: str, role: str = "peer_mentor", status: str = "active", cleared=(), expired=()):
        person = make_person(role, first_name=name, status=status)
        db.session.add(TrainingRecord(person=person, course=courses[role], completed_on=TODAY - timedelta(days=90),
                                      status="verified", verified_by_id=coordinator.id, verified_at=utcnow()))
        for venue in cleared:
            db.session.add(Clearance(person=person, venue=venue, status="approved", valid_from=TODAY - timedelta(days=9)))
        for venue in expired:
            db.session.add(Clearance(person=person, venue=venue, status="approved",
                                     valid_from=TODAY - timedelta(days=400), expires_on=TODAY - timedelta(days=1)))
        return person

    people = {
        # Pending with a clearance on file: pending means nothing but their own profile.
        "pending": volunteer("Pat", status="pending", cleared=[perth, barlinnie]),
        "uncleared_mentor": volunteer("Una"),
        "uncleared_facilitator": volunteer("Fin", role="facilitator"),
        "lapsed_mentor": volunteer("Lenny", expired=[perth, barlinnie]),
        "other_prison_staff": make_person("establishment_staff", first_name="Isla", establishments=[low_moss]),
        "cleared_elsewhere": volunteer("Cal", cleared=[low_moss]),
    }
    db.session.commit()
    # Cal mentors a Low Moss pathway, so the pathway routes are reached past their own access check.
    pathway = Pathway(public_id="low-moss-pathway", reference="RN-TEST01", first_name="Ali", establishment=low_moss,
                      release_date=TODAY + timedelta(days=20), destination="Glasgow", destination_latitude=55.86,
                      destination_longitude=-4.25, mentor_id=people["cleared_elsewhere"].id, consent_scope="plan",
                      consent_version="test", consent_at=utcnow(), consent_recorded_by_id=coordinator.id,
                      status="open")
    db.session.add(pathway)
    db.session.commit()
    return {"sessions": sessions, "people": people, "own_session": own_session, "pathway": pathway}


def dates_for(meeting: Meeting) -> list[date]:
    """A meeting date, a cancelled or moved one, a day it doesn't meet, today, the past and the far future."""
    coming = [o.original_start.date() for o in next_occurrences(meeting.schedule, {}, utcnow(), 3)]
    return [coming[0], coming[1], coming[0] + timedelta(days=1), TODAY, TODAY - timedelta(days=14),
            date(2099, 1, 6), date(2000, 1, 4)]


def answer(response) -> tuple:
    """Everything a prober can compare: status, where it sends you, the type and the bytes."""
    return response.status_code, response.headers.get("Location"), response.mimetype, response.get_data()


def missing_id() -> int:
    """An id no meeting has."""
    return (db.session.scalar(select(func.max(Meeting.id))) or 0) + 1000


def id_requests(network, meeting_id: int, on: date) -> list[tuple[str, str, dict, dict]]:
    """Every route that takes a meeting id in its form."""
    headers = {}
    signup = {"meeting_id": meeting_id, "occurrence_date": on.isoformat()}
    return [
        ("POST", "/rota/signup", {**signup, "role": "peer_mentor"}, headers),
        ("POST", "/rota/signup", {**signup, "role": "facilitator"}, headers),
        ("POST", "/rota/signup", {**signup, "role": "peer_mentor"}, {"HX-Request": "true"}),
        ("POST", "/rota/assign", {**signup, "role": "peer_mentor", "person": "nobody"}, headers),
        ("POST", f"/pathways/{network['pathway'].public_id}/items", signup, headers),
    ]


def slug_requests(slug: str) -> list[tuple[str, str, dict, dict]]:
    """Every route that takes a meeting slug in its path and no date."""
    return [
        ("GET", f"/meetings/{slug}", {}, {}),
        ("GET", f"/meetings/{slug}", {}, {"HX-Request": "true"}),
        ("GET", f"/meetings/{slug}.ics", {}, {}),
        ("GET", f"/api/v1/meetings/{slug}", {}, {}),
        ("GET", f"/organise/meetings/{slug}", {}, {}),
        ("GET", f"/organise/meetings/{slug}/edit", {}, {}),
        ("POST", f"/organise/meetings/{slug}/edit", {"title": "Renamed"}, {}),
        ("POST", f"/organise/meetings/{slug}/status", {"action": "pause"}, {}),
    ]


def dated_slug_requests(slug: str, on: date) -> list[tuple[str, str, dict, dict]]:
    """Every route that takes a meeting slug in its path and a date in its form."""
    day = {"date": on.isoformat()}
    return [
        ("POST", f"/organise/meetings/{slug}/cancel", {**day, "reason": "Staff shortage"}, {}),
        ("POST", f"/organise/meetings/{slug}/move", {**day, "new_date": on.isoformat(), "new_time": "15:00",
                                                      "reason": "Moved"}, {}),
        ("POST", f"/organise/meetings/{slug}/restore", day, {}),
    ]


def ask(client, method: str, url: str, data: dict, headers: dict) -> tuple:
    """One request, reduced to what a prober sees (a flash it leaves is dropped, so the next answer starts clean)."""
    seen = answer(client.open(url, method=method, data=data or None, headers=headers))
    with client.session_transaction() as session:
        session.pop("_flashes", None)
    return seen


FAKE = "no-such-meeting-at-all"


def pairs(network, meeting: Meeting, nowhere: int):
    """(hidden request, the same request for a meeting that does not exist) for every route and date."""
    yield from zip(slug_requests(meeting.slug), slug_requests(FAKE))
    for on in dates_for(meeting):
        yield from zip(id_requests(network, meeting.id, on) + dated_slug_requests(meeting.slug, on),
                       id_requests(network, nowhere, on) + dated_slug_requests(FAKE, on))


@pytest.mark.parametrize("role", OUTSIDERS)
def test_custody_ids_and_slugs_answer_as_if_they_did_not_exist(client, auth, network, role):
    """Every custody id × several dates × every route: identical to a made-up id (the review's first finding)."""
    if role != "anonymous":
        auth.login(network["people"][role])
    nowhere = missing_id()
    differences = []
    for meeting in network["sessions"]:
        for (method, url, data, headers), (_, fake_url, fake_data, _) in pairs(network, meeting, nowhere):
            seen, fake = ask(client, method, url, data, headers), ask(client, method, fake_url, fake_data, headers)
            # A redirect to the login page carries the path asked for; that part is the asker's own words.
            location, body = (seen[1] or "").replace(meeting.slug, FAKE), seen[3].replace(meeting.slug.encode(), FAKE.encode())
            if (seen[0], location, seen[2], body) != (fake[0], fake[1] or "", fake[2], fake[3]):
                differences.append(f"{method} {url} {data} {headers}: {seen[0]} vs {fake[0]}")
            if meeting.title.encode() in seen[3]:
                differences.append(f"{method} {url} names the session")
    assert not differences, differences[:10]
    assert db.session.scalar(select(func.count()).select_from(Meeting).where(Meeting.status != "active")) == 0


def test_the_same_routes_do_answer_people_entitled_to_see_them(client, auth, network, make_person):
    """The control: staff of HMP Perth reach its session's page, so the test above is not passing on a blanket 404."""
    staff = make_person("establishment_staff", first_name="Gordon", establishments=[network["sessions"][0].venue])
    auth.login(staff)
    page = client.get(f"/meetings/{network['sessions'][0].slug}")
    assert page.status_code == 200 and b"HMP Perth SMART group" in page.get_data()
    auth.logout()
    auth.login(network["people"]["cleared_elsewhere"])
    own = client.get(f"/meetings/{network['own_session'].slug}")
    assert own.status_code == 200 and b"Low Moss" in own.get_data()


def test_a_public_title_cannot_reveal_a_custody_slug(client, auth, network, make_person):
    """A facilitator posting a public series under a custody session's title gets the plain slug, not '-2'."""
    custody = network["sessions"][0]
    assert custody.slug != slugify(custody.title) and custody.slug.startswith(slugify(custody.title) + "-")
    facilitator = network["people"]["uncleared_facilitator"]
    public = post_meeting(MeetingDetails(title=custody.title, kind="smart", weekday=1, start_time=time(18, 0),
                                         starts_on=TODAY, online_url="https://meet.example.org/x"), facilitator)
    assert public.slug == slugify(custody.title)
