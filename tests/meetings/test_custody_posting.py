"""Facilitators post in custody: cleared ones may, the session waits for that prison's staff, and until then it
is off the rota and unseen by mentors. A prison officer who facilitates needs no clearance record for their own prison."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from recovery_network.extensions import db
from recovery_network.meetings.models import ACTIVE, AWAITING, ENDED, Meeting
from recovery_network.mentors.models import Clearance, Course, TrainingRecord
from recovery_network.mentors.services import eligibility
from recovery_network.rota import queries
from recovery_network.types import utcnow
from recovery_network.venues.models import CUSTODY
from tests.meetings.test_posting import series, text

TODAY = date.today()


def train(person, role: str, by, expires_on: date | None = None) -> None:
    """Verified training for the role (verified by someone else, as the register insists)."""
    course = db.session.scalar(select(Course).where(Course.code == role)) or Course(code=role, name=role,
                                                                                    qualifies_for=role)
    db.session.add(TrainingRecord(person=person, course=course, completed_on=TODAY - timedelta(days=30),
                                  expires_on=expires_on, status="verified", verified_by_id=by.id, verified_at=utcnow()))


def clear(person, venue, expires_on: date | None = None) -> None:
    """Approved clearance for one prison."""
    db.session.add(Clearance(person=person, venue=venue, status="approved", valid_from=TODAY - timedelta(days=10),
                             expires_on=expires_on))


@pytest.fixture
def prison(make_person, make_venue):
    """HMP Perth and HMP Barlinnie; a cleared facilitator, an uncleared one, a cleared mentor, Perth's staff, an officer
    who is a trained facilitator with no clearance record, and a co-ordinator."""
    perth, barlinnie = make_venue(CUSTODY, name="HMP Perth"), make_venue(CUSTODY, name="HMP Barlinnie")
    hall = make_venue(name="Perth Hall")
    verifier = make_person("coordinator", first_name="Morag")
    people = {
        "cleared": make_person("facilitator", first_name="Fiona"),
        "uncleared": make_person("facilitator", first_name="Olly"),
        "mentor": make_person("peer_mentor", first_name="Jamie"),
        "staff": make_person("establishment_staff", first_name="Gordon", establishments=[perth]),
        "other_staff": make_person("establishment_staff", first_name="Bea", establishments=[barlinnie]),
        "officer": make_person("establishment_staff", "facilitator", first_name="Iain", establishments=[perth]),
        "coordinator": verifier,
    }
    for who in ("cleared", "uncleared", "officer"):
        train(people[who], "facilitator", verifier)
    train(people["mentor"], "peer_mentor", verifier)
    clear(people["cleared"], perth)
    clear(people["mentor"], perth)
    db.session.commit()
    return {"perth": perth, "barlinnie": barlinnie, "hall": hall, **people}


def posted(client, venue, **overrides) -> Meeting:
    """Post through the form; the newest series."""
    response = client.post("/organise/new", data=series(venue, title="Perth Thursday SMART", weekday=3,
                                                        mentors_needed=1, **overrides))
    assert response.status_code == 302, text(response)
    return db.session.scalar(select(Meeting).order_by(Meeting.id.desc()))


def test_a_cleared_facilitator_posts_and_it_waits_unseen_until_staff_approve(client, auth, prison):
    """Offered only the prison they are cleared for; the post awaits; the mentor cleared there sees nothing and the
    rota has no place until Perth's staff approve from /establishment/, after which both see it."""
    auth.login(prison["cleared"])
    form = text(client.get("/organise/new"))
    assert "HMP Perth" in form and "HMP Barlinnie" not in form
    meeting = posted(client, prison["perth"])
    assert meeting.status == AWAITING and meeting.is_custody
    auth.logout()

    auth.login(prison["mentor"])
    assert client.get(f"/meetings/{meeting.slug}").status_code == 404
    assert all(p.meeting.id != meeting.id for p in queries.openings(prison["mentor"], utcnow()))
    auth.logout()

    auth.login(prison["other_staff"])
    assert "Perth Thursday SMART" not in text(client.get("/establishment/"))
    assert client.post(f"/establishment/sessions/{meeting.slug}/approve").status_code == 404
    auth.logout()

    auth.login(prison["staff"])
    queue = text(client.get("/establishment/"))
    assert "Waiting for your approval (1)" in queue and "posted by Fiona K." in queue
    client.post(f"/establishment/sessions/{meeting.slug}/approve")
    db.session.refresh(meeting)
    assert meeting.status == ACTIVE
    auth.logout()

    auth.login(prison["mentor"])
    assert client.get(f"/meetings/{meeting.slug}").status_code == 200
    assert any(p.meeting.id == meeting.id for p in queries.openings(prison["mentor"], utcnow()))


def test_an_uncleared_facilitator_is_refused_with_the_reason(client, auth, prison):
    """No clearance for Perth: the prison is not offered, and a forged post is refused; nothing is saved."""
    auth.login(prison["uncleared"])
    assert "HMP Perth" not in text(client.get("/organise/new"))
    response = client.post("/organise/new", data=series(prison["perth"]))
    assert response.status_code == 422 and "Choose a venue from the list." in text(response)
    assert db.session.scalar(select(Meeting.id)) is None


def test_a_prison_officer_who_facilitates_posts_in_their_own_prison_but_not_approves_it(client, auth, prison):
    """The staff post counts as clearance for Perth (not Barlinnie); another staff member approves, not the poster."""
    officer = prison["officer"]
    assert eligibility(officer, "facilitator", TODAY, prison["perth"].id)
    assert not eligibility(officer, "facilitator", TODAY, prison["barlinnie"].id)
    auth.login(officer)
    meeting = posted(client, prison["perth"])
    assert meeting.status == AWAITING
    queue = text(client.get("/establishment/"))
    assert "Another member of this establishment's staff approves it." in queue
    client.post(f"/establishment/sessions/{meeting.slug}/approve")
    db.session.refresh(meeting)
    assert meeting.status == AWAITING
    auth.logout()
    auth.login(prison["staff"])
    client.post(f"/establishment/sessions/{meeting.slug}/decline")
    db.session.refresh(meeting)
    assert meeting.status == ENDED


def test_a_coordinator_posts_in_custody_without_approval(client, auth, prison):
    """Co-ordinators place sessions anywhere, and theirs run at once."""
    auth.login(prison["coordinator"])
    assert posted(client, prison["barlinnie"]).status == ACTIVE


def test_clearance_must_hold_on_the_first_date(client, auth, prison):
    """A clearance that ends before the series starts does not let a facilitator post it."""
    db.session.execute(Clearance.__table__.update().values(expires_on=TODAY + timedelta(days=3)))
    db.session.commit()
    auth.login(prison["cleared"])
    response = client.post("/organise/new", data=series(prison["perth"],
                                                         starts_on=(TODAY + timedelta(days=30)).isoformat()))
    assert response.status_code == 422
    assert "approved clearance for this establishment" in text(response)
    assert db.session.scalar(select(Meeting.id)) is None
