"""Who may open a pathway where, the backup mentor under the mentor's rule, and custody titles on the page."""

from __future__ import annotations

import html
from datetime import timedelta

from sqlalchemy import func, select

from recovery_network.extensions import db
from recovery_network.mentors.models import Clearance, Course, TrainingRecord
from recovery_network.pathways.models import Pathway
from recovery_network.types import utcnow
from recovery_network.venues.models import CUSTODY
from tests.pathways.conftest import TODAY, open_form


def text(response) -> str:
    """The response body as a person reads it."""
    return html.unescape(response.get_data(as_text=True))


def pathways() -> int:
    """How many pathways are stored."""
    return db.session.scalar(select(func.count(Pathway.id)))


def trained(make_person, setting, first_name: str, *roles: str, **fields):
    """A person with verified peer mentor training (and the given roles)."""
    person = make_person(*(roles or ("peer_mentor",)), first_name=first_name, **fields)
    course = db.session.scalar(select(Course).where(Course.code == "PM"))
    db.session.add(TrainingRecord(person=person, course=course, completed_on=TODAY - timedelta(days=100),
                                  status="verified", verified_by_id=setting["coordinator"].id, verified_at=utcnow()))
    db.session.commit()
    return person


def opened_with_a_cleared_backup(client, auth, setting) -> tuple[Pathway, Clearance]:
    """The co-ordinator opens a pathway with Chris, cleared for HMP Perth, as backup; returns it and his clearance."""
    clearance = Clearance(person=setting["other"], venue=setting["prison"], status="approved",
                          valid_from=TODAY - timedelta(days=5))
    db.session.add(clearance)
    db.session.commit()
    auth.login(setting["coordinator"])
    client.post("/pathways/new", data=open_form(setting, backup_mentor_id=setting["other"].id))
    return db.session.scalar(select(Pathway)), clearance


def test_an_expired_backup_is_refused_beside_the_backup_field(client, auth, setting, make_person):
    """The review's case: an expired mentor names a cleared mentor and himself as backup. Both fail now."""
    lapsed = trained(make_person, setting, "Lenny")
    db.session.add(Clearance(person=lapsed, venue=setting["prison"], status="approved",
                             valid_from=TODAY - timedelta(days=400), expires_on=TODAY - timedelta(days=10)))
    db.session.commit()
    auth.login(setting["coordinator"])  # even a co-ordinator cannot name him
    response = client.post("/pathways/new", data=open_form(setting, backup_mentor_id=lapsed.id))
    assert "Lenny K. can't be the backup mentor" in text(response) and pathways() == 0
    auth.logout()
    auth.login(lapsed)  # and he cannot open one at a prison he may no longer see
    assert client.get("/pathways/new").status_code == 200
    assert "HMP Perth" not in text(client.get("/pathways/new"))
    response = client.post("/pathways/new", data=open_form(setting, backup_mentor_id=lapsed.id))
    assert "Not a valid choice" in text(response) and pathways() == 0


def test_an_uncleared_backup_is_refused_and_a_cleared_one_accepted(client, auth, setting, make_person):
    """Same rule for both mentors; a cleared backup opens the pathway."""
    auth.login(setting["coordinator"])
    refused = client.post("/pathways/new", data=open_form(setting, backup_mentor_id=setting["other"].id))
    assert "Chris K. can't be the backup mentor" in text(refused) and pathways() == 0
    db.session.add(Clearance(person=setting["other"], venue=setting["prison"], status="approved",
                             valid_from=TODAY - timedelta(days=5)))
    db.session.commit()
    client.post("/pathways/new", data=open_form(setting, backup_mentor_id=setting["other"].id))
    assert db.session.scalar(select(Pathway.backup_mentor_id)) == setting["other"].id


def test_rebasing_holds_the_backup_to_the_rule_on_the_new_date(client, auth, setting):
    """A backup whose clearance ends before the new date stops the re-base, with nothing changed."""
    pathway, clearance = opened_with_a_cleared_backup(client, auth, setting)
    release = pathway.release_date
    clearance.expires_on = release + timedelta(days=3)
    db.session.commit()
    later = release + timedelta(days=28)
    response = client.post(f"/pathways/{pathway.public_id}/release-date", data={"release_date": later.isoformat()})
    assert "can't be the backup mentor" in text(response)
    db.session.refresh(pathway)
    assert pathway.release_date == release


def test_who_may_open_where(client, auth, setting, make_person, make_venue):
    """Co-ordinators anywhere; mentors where cleared; a prison's staff refer instead; pending and others nowhere."""
    make_venue(CUSTODY, name="HMP Barlinnie")  # offered to the co-ordinator only
    perth_staff = make_person("establishment_staff", first_name="Gordon", establishments=[setting["prison"]])
    pending = make_person("peer_mentor", first_name="Pat", status="pending")
    expected = {setting["coordinator"]: {"HMP Perth", "HMP Barlinnie"}, setting["mentor"]: {"HMP Perth"},
                setting["other"]: set()}
    for person, prisons in expected.items():
        auth.login(person)
        page = text(client.get("/pathways/new"))
        assert {p for p in ("HMP Perth", "HMP Barlinnie") if p in page} == prisons, person.first_name
        auth.logout()
    for person in (pending, perth_staff):
        auth.login(person)
        assert client.get("/pathways/new").status_code == 404, person.first_name
        assert client.post("/pathways/new", data=open_form(setting)).status_code == 404
        auth.logout()
    assert pathways() == 0


def test_the_page_names_custody_sessions_only_to_people_entitled_to_that_prison(client, auth, setting):
    """A backup whose clearance has since lapsed still sees the plan, but 'Session inside', never its title."""
    other = setting["other"]
    pathway, clearance = opened_with_a_cleared_backup(client, auth, setting)
    url = f"/pathways/{pathway.public_id}"
    assert "HMP Perth SMART group" in text(client.get(url))
    auth.logout()
    auth.login(other)
    assert "HMP Perth SMART group" in text(client.get(url))
    clearance.expires_on = TODAY - timedelta(days=1)
    db.session.commit()
    page = text(client.get(url))
    assert "Session inside" in page and "HMP Perth SMART group" not in page
