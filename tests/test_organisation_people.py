"""Organisations bound the people screens (issue #14): a co-ordinator sees and acts on their organisations' people
and on newcomers who belong to none yet; an admin on everyone (organisations/access.py, may_act_for_person).

Every co-ordination route that takes a person, a training record or a clearance answers another organisation's
co-ordinator byte for byte as it answers a made-up id, and changes nothing; the lists, counts, dashboard and
pipeline leave that person out. Taking on a newcomer adds them to the co-ordinator's (chosen) organisation.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from recovery_network.accounts.models import Person
from recovery_network.audit.models import AuditEvent
from recovery_network.extensions import db
from recovery_network.mentors.models import Clearance, ClearanceChange, Course, PvgMembership, TrainingRecord
from recovery_network.organisations.access import may_act_for_person, people_within
from recovery_network.organisations.models import Membership, Organisation
from recovery_network.rota.models import OutboxMessage
from recovery_network.rota.reminders import queue_clearance_chases
from recovery_network.types import utcnow
from recovery_network.venues.models import CUSTODY
from tests.conftest import founding_organisation
from tests.meetings.test_posting import text

NOW = utcnow()
TODAY = NOW.date()
ID_ARGUMENTS = {"public_id", "training_id", "clearance_id"}


def organisations_of(person: Person) -> set[int]:
    """The organisations a person belongs to, read afresh."""
    return set(db.session.scalars(select(Membership.organisation_id).where(Membership.person_id == person.id)))


@pytest.fixture
def network(make_person, make_venue):
    """Ours (Morag) and Tayside (Tom); Fay is Tayside's volunteer with every kind of record; Nell is a newcomer in
    no organisation; Pia registered through Tayside and waits; Cal co-ordinates for both; Ada is an admin."""
    ours = founding_organisation()
    theirs = Organisation(name="Tayside Throughcare", kind="throughcare")
    elsewhere = Organisation(name="Glasgow Recovery Community", kind="community")
    db.session.add_all([theirs, elsewhere])
    db.session.commit()
    perth = make_venue(CUSTODY, name="HMP Perth")
    morag = make_person("coordinator", first_name="Morag")
    tom = make_person("coordinator", first_name="Tom", organisations=[theirs])
    cal = make_person("coordinator", first_name="Cal", organisations=[ours, theirs])
    ada = make_person("admin", first_name="Ada", organisations=[])
    fay = make_person("peer_mentor", first_name="Fay", organisations=[theirs], establishments=[perth])
    nell = make_person(first_name="Nell", status="pending", organisations=[])
    pia = make_person(first_name="Pia", status="pending", organisations=[theirs])
    course = Course(code="PM", name="Peer mentor training", qualifies_for="peer_mentor")
    training = TrainingRecord(person=fay, course=course, completed_on=TODAY - timedelta(days=700),
                              expires_on=TODAY + timedelta(days=10), status="verified", verified_by_id=tom.id,
                              verified_at=NOW)
    approved = Clearance(person=fay, venue=perth, status="approved", valid_from=TODAY - timedelta(days=300),
                         expires_on=TODAY + timedelta(days=12))
    waiting = Clearance(person=fay, venue=make_venue(CUSTODY, name="HMP Castle Huntly"), status="requested")
    waiting.changes = [ClearanceChange(from_status=None, to_status="requested", at=NOW - timedelta(days=20))]
    pvg = PvgMembership(person_id=fay.id, status="member", confirmed_on=TODAY - timedelta(days=300),
                        renewal_due=TODAY + timedelta(days=14))
    db.session.add_all([course, training, approved, waiting, pvg])
    db.session.commit()
    return {"ours": ours, "theirs": theirs, "elsewhere": elsewhere, "perth": perth, "morag": morag, "tom": tom,
            "cal": cal, "ada": ada, "fay": fay, "nell": nell, "pia": pia, "course": course, "training": training,
            "approved": approved, "waiting": waiting}


def test_the_person_rule_and_its_sql_twin_agree(network):
    """Their organisations' people and newcomers for a co-ordinator; everyone for an admin; nobody for a volunteer."""
    n = network
    people = [n[k] for k in ("morag", "tom", "cal", "ada", "fay", "nell", "pia")]
    # Ada, an admin in no organisation, stands where a newcomer does (the accounts rules keep her account safe).
    expected = {
        "morag": {"morag", "cal", "ada", "nell"},
        "tom": {"tom", "cal", "ada", "fay", "nell", "pia"},
        "cal": {"morag", "tom", "cal", "ada", "fay", "nell", "pia"},
        "ada": {"morag", "tom", "cal", "ada", "fay", "nell", "pia"},
        "fay": set(),  # a volunteer acts on nobody
    }
    names = {n[k].id: k for k in ("morag", "tom", "cal", "ada", "fay", "nell", "pia")}
    for actor, allowed in expected.items():
        by_rule = {names[p.id] for p in people if may_act_for_person(n[actor], p)}
        by_sql = {names[i] for i in db.session.scalars(select(Person.id).where(people_within(n[actor], Person.id)))
                  if i in names}
        assert by_rule == by_sql == allowed, actor
    assert not may_act_for_person(n["morag"], None)


def person_routes(app) -> list[tuple[str, str, list[str]]]:
    """Every (method, endpoint, arguments) of the co-ordination blueprint that takes a person, training or clearance."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.rpartition(".")[0] != "coordination" or not (ID_ARGUMENTS & rule.arguments):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, rule.endpoint, sorted(rule.arguments)))
    return found


def route_url(app, endpoint: str, arguments, public_id: str, training_id: int, clearance_id: int) -> str:
    """The route's path for these ids (a training decision to revoke)."""
    values = {"public_id": public_id, "training_id": training_id, "clearance_id": clearance_id, "status": "revoked"}
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **{a: values[a] for a in arguments})


def harmful(n) -> dict:
    """Every field any of those forms reads, set to do damage if it were accepted."""
    return {"action": "suspend", "role": "admin", "confirm": "yes", "course_id": n["course"].id,
            "completed_on": TODAY.isoformat(), "venue_id": n["perth"].id, "status": "revoked",
            "confirmed_on": TODAY.isoformat(), "renewal_due": (TODAY + timedelta(days=300)).isoformat(),
            "organisation": n["ours"].id}


@pytest.mark.parametrize("actor", ["morag", "ada_sees"])
def test_every_person_route_hides_another_organisations_people(app, client, auth, network, actor):
    """Morag gets a made-up id's 404, byte for byte, on every route with Fay's id, GET and POST; nothing changes.
    (The admin, for contrast, reaches every one of them: none answers 404.)"""
    n = network
    routes = person_routes(app)
    assert {e for _, e, _ in routes} >= {
        "coordination.person", "coordination.change_status", "coordination.change_roles", "coordination.erase",
        "coordination.add_training", "coordination.decide_training", "coordination.request_clearance",
        "coordination.move_clearance", "coordination.record_pvg"}, routes
    if actor == "ada_sees":
        auth.login(n["ada"])
        for method, endpoint, arguments in routes:
            if method == "GET":
                real = route_url(app, endpoint, arguments, n["fay"].public_id, n["training"].id, n["approved"].id)
                assert client.get(real).status_code == 200, endpoint
        return
    auth.login(n["morag"])
    before = {"roles": set(n["fay"].role_codes), "status": n["fay"].status}
    for method, endpoint, arguments in routes:
        real = route_url(app, endpoint, arguments, n["fay"].public_id, n["training"].id, n["approved"].id)
        made_up = route_url(app, endpoint, arguments, "no-such-person", 999999, 999999)
        data = harmful(n) if method == "POST" else None
        theirs = client.open(real, method=method, data=data)
        missing = client.open(made_up, method=method, data=data)
        assert theirs.status_code == missing.status_code == 404, (method, endpoint, theirs.status_code)
        assert theirs.data == missing.data, endpoint
    db.session.expire_all()
    fay = db.session.get(Person, n["fay"].id)
    assert fay.status == before["status"] and set(fay.role_codes) == before["roles"]
    assert db.session.get(TrainingRecord, n["training"].id).status == "verified"
    assert db.session.get(Clearance, n["approved"].id).status == "approved"
    assert db.session.scalar(select(PvgMembership.status).where(PvgMembership.person_id == fay.id)) == "member"
    assert len(db.session.scalars(select(TrainingRecord).where(TrainingRecord.person_id == fay.id)).all()) == 1
    assert organisations_of(fay) == {n["theirs"].id}
    # Nothing of Fay's was read or changed by Morag on the way (her own login is all the log holds of her).
    assert set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == n["morag"].id))) <= {"login"}


def test_lists_counts_dashboard_and_pipeline_leave_out_another_organisations_people(client, auth, network):
    """Morag's dashboard, people list, pipeline and establishment page name neither Fay nor Pia; Tom's and Ada's do."""
    n = network
    auth.login(n["morag"])
    dashboard = text(client.get("/coordinate/"))
    assert "Waiting for approval (1)" in dashboard and "Nell" in dashboard and "Pia" not in dashboard
    assert "Fay" not in dashboard and "Nothing expires in the next 30 days." in dashboard
    assert f"Person #{n['fay'].id}" not in dashboard  # the PVG row
    people = text(client.get("/coordinate/people"))
    assert "Nell" in people and "Morag" in people and "Fay" not in people and "Pia" not in people
    assert "Fay" not in text(client.get("/coordinate/people?status=active"))
    pipeline = text(client.get("/coordinate/clearances"))
    assert "Fay" not in pipeline and "HMP Castle Huntly" not in pipeline
    establishment = client.get(f"/coordinate/establishments/{n['perth'].slug}").get_data(as_text=True)
    assert "Fay" not in establishment and n["fay"].public_id not in establishment and "Staff (0)" in establishment
    # Choosing Fay by her id (not offered) reads as choosing no one; she stays off HMP Perth's list.
    refused = client.post(f"/coordinate/establishments/{n['perth'].slug}/staff", data={"person": n["fay"].public_id})
    assert "Choose someone from the list." in text(refused)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "establishment.staff_link")) is None
    for who in ("tom", "ada"):
        auth.login(n[who])
        dashboard = text(client.get("/coordinate/"))
        assert "Waiting for approval (2)" in dashboard and "Nell" in dashboard and "Pia" in dashboard
        assert "Fay K. Clearance: HMP Perth" in dashboard and "Fay K. Training: Peer mentor training" in dashboard
        assert f"Person #{n['fay'].id}" in dashboard
        assert "Fay" in text(client.get("/coordinate/people"))
        pipeline = text(client.get("/coordinate/clearances"))
        assert "HMP Castle Huntly (1)" in pipeline and "Fay K." in pipeline
        assert "Staff (1)" in text(client.get(f"/coordinate/establishments/{n['perth'].slug}"))


def test_a_chase_goes_only_to_the_coordinators_who_act_on_the_person(app, network):
    """Fay's 20-day-old request is chased to Tom, Cal and the admin, not Morag (the link would show her nothing)."""
    with app.test_request_context():
        assert queue_clearance_chases(NOW) == 3
        db.session.commit()
    to = {m.person_id for m in db.session.scalars(select(OutboxMessage))}
    assert to == {network["tom"].id, network["cal"].id, network["ada"].id}


def test_approving_a_newcomer_adds_them_to_the_coordinators_organisation(client, auth, network):
    """Morag approves Nell from the dashboard: Nell is now ours, and Tom no longer sees her."""
    n = network
    auth.login(n["morag"])
    page = client.get(f"/coordinate/people/{n['nell'].public_id}").get_data(as_text=True)
    assert 'name="organisation"' not in page  # one organisation: nothing to choose
    client.post(f"/coordinate/people/{n['nell'].public_id}/status", data={"action": "approve"})
    db.session.expire_all()
    assert db.session.get(Person, n["nell"].id).status == "active"
    assert organisations_of(n["nell"]) == {n["ours"].id}
    auth.login(n["tom"])
    assert client.get(f"/coordinate/people/{n['nell'].public_id}").status_code == 404


@pytest.mark.parametrize("how", ["approve", "training", "clearance", "pvg"])
def test_a_coordinator_of_several_chooses_where_a_newcomer_goes(client, auth, network, how):
    """Cal sees a choice of his two organisations and takes Nell into Tayside, however he takes her on."""
    n = network
    nell = n["nell"]
    if how != "approve":
        nell.status = "active"
        db.session.commit()
    auth.login(n["cal"])
    page = client.get(f"/coordinate/people/{nell.public_id}").get_data(as_text=True)
    assert f'id="organisation-{how}"' in page and "Glasgow Recovery Community" not in page
    assert page.count('name="organisation"') == (4 if how == "approve" else 3)
    path, data = {
        "approve": ("status", {"action": "approve"}),
        "training": ("training", {"course_id": n["course"].id, "completed_on": TODAY.isoformat()}),
        "clearance": ("clearances", {"venue_id": n["perth"].id}),
        "pvg": ("pvg", {"status": "applied"}),
    }[how]
    answer = client.post(f"/coordinate/people/{nell.public_id}/{path}", data={**data, "organisation": n["theirs"].id})
    assert answer.status_code == 302, text(answer)
    assert organisations_of(nell) == {n["theirs"].id}
    auth.login(n["morag"])
    assert client.get(f"/coordinate/people/{nell.public_id}").status_code == 404


@pytest.mark.parametrize("forged", ["glasgow", "999999", "x", "-1", "²"])
def test_a_forged_organisation_is_refused_beside_the_field_and_nothing_is_saved(client, auth, network, forged):
    """Cal cannot put Nell into an organisation he does not act for: 422, the message beside the choice."""
    n = network
    value = n["elsewhere"].id if forged == "glasgow" else forged
    auth.login(n["cal"])
    answer = client.post(f"/coordinate/people/{n['nell'].public_id}/status",
                         data={"action": "approve", "organisation": value})
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert 'id="organisation-approve-error"' in page and "Choose one of your organisations." in page
    db.session.expire_all()
    assert db.session.get(Person, n["nell"].id).status == "pending" and organisations_of(n["nell"]) == set()
    assert set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == n["cal"].id))) <= {"login"}


def test_an_admin_approves_without_adopting_and_a_new_staff_account_is_the_coordinators(client, auth, network):
    """An admin spans all: approving leaves Nell in no organisation (the organisation screens add her). A staff
    account Morag creates belongs to her organisation, so it is not left nobody's."""
    n = network
    auth.login(n["ada"])
    assert 'name="organisation"' not in client.get(f"/coordinate/people/{n['nell'].public_id}").get_data(as_text=True)
    client.post(f"/coordinate/people/{n['nell'].public_id}/status", data={"action": "approve"})
    db.session.expire_all()
    assert db.session.get(Person, n["nell"].id).status == "active" and organisations_of(n["nell"]) == set()
    auth.login(n["morag"])
    client.post(f"/coordinate/establishments/{n['perth'].slug}/staff/new",
                data={"email": "officer@example.org", "first_name": "Ola", "last_initial": "B"})
    officer = db.session.scalar(select(Person).where(Person.email == "officer@example.org"))
    assert officer is not None and organisations_of(officer) == {n["ours"].id}
