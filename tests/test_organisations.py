"""Organisations: a co-ordinator acts only within their own (organisations/access.py), an admin spans all.

Every co-ordinator route that takes a meeting slug or a pathway id answers another organisation's co-ordinator
byte for byte as it answers a made-up id; an admin reaches them. The migration gives everything saved before
organisations one owner.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from recovery_network.audit.models import AuditEvent
from recovery_network.extensions import db
from recovery_network.meetings.models import Meeting
from recovery_network.organisations.access import acting_organisations, among_members, may_act_for, within
from recovery_network.organisations.models import Membership, Organisation
from recovery_network.pathways.models import Pathway
from recovery_network.meetings.recurrence import next_occurrences
from recovery_network.mentors.models import Course, TrainingRecord
from recovery_network.rota.models import Signup
from recovery_network.rota.queries import gaps
from recovery_network.rota.services import sign_up
from recovery_network.types import utcnow
from tests.conftest import founding_organisation
from tests.pathways.test_migration_0030 import insert
from tests.test_migrations import migrated_app  # noqa: F401 - the fixture

TODAY = utcnow().date()
# Blueprints whose routes take a meeting (meetings, courses) or a pathway (pathways, its pack).
COORDINATOR_BLUEPRINTS = ("meetings", "courses", "pathways", "pathways.pack")


@pytest.fixture
def two_organisations(make_person, make_venue, make_meeting):
    """The founding organisation owns a series and a pathway; Tayside Throughcare has its own co-ordinator."""
    ours = founding_organisation()
    theirs = Organisation(name="Tayside Throughcare", kind="throughcare")
    db.session.add(theirs)
    db.session.commit()
    morag = make_person("coordinator", first_name="Morag")  # the founding organisation's
    tom = make_person("coordinator", first_name="Tom", organisations=[theirs])
    admin = make_person("admin", first_name="Ada", organisations=[])
    meeting = make_meeting("Perth SMART group", mentors_needed=1, starts_on=TODAY - timedelta(days=30))
    prison = make_venue("custody", name="HMP Perth")
    pathway = Pathway(public_id="ours-pathway", reference="RN-ORG001", first_name="Ali", establishment=prison,
                      release_date=TODAY + timedelta(days=20), destination="Dundee", destination_latitude=56.46,
                      destination_longitude=-2.97, consent_scope="plan", consent_version="test",
                      consent_at=utcnow(), status="open", organisation_id=ours.id)
    db.session.add(pathway)
    db.session.commit()
    return {"ours": ours, "theirs": theirs, "morag": morag, "tom": tom, "admin": admin, "meeting": meeting,
            "pathway": pathway}


def test_the_rule(two_organisations, make_person):
    """Co-ordinators act for their organisations, admins for all, volunteers and staff for none."""
    n = two_organisations
    ours, theirs = n["ours"].id, n["theirs"].id
    assert may_act_for(n["morag"], ours) and not may_act_for(n["morag"], theirs)
    assert may_act_for(n["tom"], theirs) and not may_act_for(n["tom"], ours)
    assert may_act_for(n["admin"], ours) and may_act_for(n["admin"], theirs) and may_act_for(n["admin"], None)
    assert acting_organisations(n["admin"]) is None
    assert not may_act_for(n["morag"], None)  # an unowned record is the admins'
    mentor = make_person("peer_mentor")
    assert not may_act_for(mentor, ours)  # a member, but acting is a co-ordinator's
    # The query twins: what a co-ordinator acts on, and what concerns a volunteer (their organisations').
    titles = lambda condition: set(db.session.scalars(select(Meeting.title).where(condition)))  # noqa: E731
    assert titles(within(n["morag"], Meeting.organisation_id)) == {"Perth SMART group"}
    assert titles(within(n["tom"], Meeting.organisation_id)) == set()
    assert titles(within(n["admin"], Meeting.organisation_id)) == {"Perth SMART group"}
    assert titles(among_members(mentor, Meeting.organisation_id)) == {"Perth SMART group"}
    assert titles(among_members(n["tom"], Meeting.organisation_id)) == set()
    pending = make_person("coordinator", status="pending")
    assert not may_act_for(pending, ours)


def routes_taking_ids(app) -> list[tuple[str, str, dict]]:
    """Every (method, endpoint, arguments) of the co-ordinator blueprints that takes a slug or pathway id."""
    found = []
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.rpartition(".")[0]
        if blueprint not in COORDINATOR_BLUEPRINTS or not ({"slug", "public_id"} & rule.arguments):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, rule.endpoint, sorted(rule.arguments)))
    return found


def url(app, endpoint: str, arguments, slug: str, public_id: str) -> str:
    """The route's path with this slug or pathway id and harmless values for everything else."""
    values = {"slug": slug, "public_id": public_id, "item_id": 1, "leave_id": 1, "share_id": 1, "code": "x",
              "action": "complete"}
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **{a: values[a] for a in arguments})


def test_every_route_hides_another_organisations_meetings_and_pathways(app, client, auth, two_organisations):
    """Tom (Tayside) gets exactly the made-up id's answer for every route with our meeting or pathway."""
    n = two_organisations
    routes = routes_taking_ids(app)
    assert len(routes) > 30, routes  # the organise, course, pathway and pack routes
    auth.login(n["tom"])
    for method, endpoint, arguments in routes:
        real = url(app, endpoint, arguments, n["meeting"].slug, n["pathway"].public_id)
        made_up = url(app, endpoint, arguments, "no-such-meeting", "no-such-pathway")
        theirs = client.open(real, method=method, data={})
        missing = client.open(made_up, method=method, data={})
        assert theirs.status_code == missing.status_code == 404, (endpoint, theirs.status_code)
        assert theirs.data == missing.data, endpoint
    # Nothing of ours was changed or read by Tom on the way.
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.actor_id == n["tom"].id,
                                                      AuditEvent.action.like("pathway.%"))) is None


def test_an_admin_and_our_coordinator_reach_them(client, auth, two_organisations):
    """The same routes open for Morag (ours) and Ada (admin, in no organisation)."""
    n = two_organisations
    for person in (n["morag"], n["admin"]):
        auth.login(person)
        page = client.get(f"/organise/meetings/{n['meeting'].slug}")
        assert page.status_code == 200 and b"Perth SMART group" in page.data
        page = client.get(f"/pathways/{n['pathway'].public_id}")
        assert page.status_code == 200 and b"RN-ORG001" in page.data
        auth.logout()


def test_rota_assign_and_withdraw_stay_within_the_organisation(client, auth, two_organisations, make_person):
    """Tom cannot put anyone on our rota or take anyone off it: both answer as for a missing session."""
    n = two_organisations
    meeting = n["meeting"]
    volunteer = make_person("peer_mentor", first_name="Vic")
    course = Course(code="PM", name="Peer mentor training", qualifies_for="peer_mentor")
    db.session.add_all([course, TrainingRecord(person=volunteer, course=course, completed_on=TODAY - timedelta(days=9),
                                               status="verified", verified_by_id=n["morag"].id, verified_at=utcnow())])
    db.session.commit()
    on = next_occurrences(meeting.schedule, {}, utcnow(), 1)[0].original_start.date()
    auth.login(n["tom"])
    form = {"meeting_id": meeting.id, "occurrence_date": on.isoformat(), "role": "peer_mentor",
            "person": volunteer.public_id}
    theirs = client.post("/rota/assign", data=form)
    missing = client.post("/rota/assign", data={**form, "meeting_id": 999999})
    assert theirs.status_code == missing.status_code == 404 and theirs.data == missing.data
    assert db.session.scalar(select(Signup)) is None
    signup = sign_up(volunteer, meeting, on, "peer_mentor", by=n["morag"], now=utcnow()).signup
    db.session.commit()
    assert client.post(f"/rota/signups/{signup.id}/withdraw").status_code == 404
    db.session.expire_all()
    assert db.session.get(Signup, signup.id).status == "confirmed"


def test_lists_show_only_the_organisations_own(client, auth, two_organisations, make_meeting):
    """'Everyone's sessions', the gaps and the pathways list are bounded by organisation."""
    n = two_organisations
    make_meeting("Dundee Throughcare Café", organisation_id=n["theirs"].id, mentors_needed=1,
                 starts_on=TODAY - timedelta(days=30))
    auth.login(n["tom"])
    sessions = client.get("/organise/?show=all").get_data(as_text=True)
    assert "Dundee Throughcare Café" in sessions and "Perth SMART group" not in sessions
    gaps = client.get("/rota/gaps").get_data(as_text=True)
    assert "Perth SMART group" not in gaps
    assert "RN-ORG001" not in client.get("/pathways/").get_data(as_text=True)
    assert "Ali" not in client.get("/coordinate/").get_data(as_text=True)
    auth.login(n["morag"])
    sessions = client.get("/organise/?show=all").get_data(as_text=True)
    assert "Perth SMART group" in sessions and "Dundee Throughcare Café" not in sessions
    assert "RN-ORG001" in client.get("/pathways/").get_data(as_text=True)


def test_posting_and_opening_belong_to_the_posters_organisation(client, auth, two_organisations, make_venue):
    """A series Tom posts is Tayside's; Morag cannot manage it."""
    n = two_organisations
    hall = make_venue(name="Tayside Hall")
    db.session.commit()
    auth.login(n["tom"])
    client.post("/organise/new", data={"title": "Tayside SMART", "kind": "smart", "weekday": 2,
                                       "start_time": "18:00", "starts_on": TODAY.isoformat(),
                                       "duration_minutes": 90, "frequency": "weekly", "venue_id": hall.id,
                                       "facilitators_needed": 1, "mentors_needed": 0, "listing": "open"})
    posted = db.session.scalar(select(Meeting).where(Meeting.title == "Tayside SMART"))
    assert posted is not None and posted.organisation_id == n["theirs"].id
    auth.login(n["morag"])
    assert client.get(f"/organise/meetings/{posted.slug}/edit").status_code == 404


def test_admins_add_organisations_and_coordinators_add_members_to_their_own(client, auth, two_organisations,
                                                                            make_person):
    """Admins add organisations; a co-ordinator adds members only to theirs; bad input is said beside the field."""
    n = two_organisations
    newcomer = make_person("peer_mentor", first_name="Nia", email="nia@example.org", organisations=[])
    auth.login(n["tom"])
    assert 'href="/organisations/"' in client.get("/coordinate/").get_data(as_text=True)
    assert client.post("/organisations/", data={"name": "Glasgow Recovery Community", "kind": "community"}
                       ).status_code == 404
    assert db.session.scalar(select(Organisation).where(Organisation.name.like("Glasgow%"))) is None
    page = client.get("/organisations/").get_data(as_text=True)
    assert "Tayside Throughcare" in page and n["ours"].public_id not in page
    assert client.get(f"/organisations/{n['ours'].public_id}").status_code == 404
    assert client.post(f"/organisations/{n['ours'].public_id}/members", data={"email": "nia@example.org"}
                       ).status_code == 404
    bad = client.post(f"/organisations/{n['theirs'].public_id}/members", data={"email": "nobody@example.org"})
    assert bad.status_code == 422
    text_ = bad.get_data(as_text=True)
    assert "No approved account has that email" in text_ and 'value="nobody@example.org"' in text_
    # Morag is the founding organisation's: adding her would let Tom act on her register, so only an admin may.
    morag_email = n["morag"].email
    crossing = client.post(f"/organisations/{n['theirs'].public_id}/members", data={"email": morag_email})
    assert crossing.status_code == 422 and "ask an admin" in crossing.get_data(as_text=True)
    assert not db.session.scalar(select(Membership).where(Membership.person_id == n["morag"].id,
                                                          Membership.organisation_id == n["theirs"].id))
    added = client.post(f"/organisations/{n['theirs'].public_id}/members", data={"email": "NIA@example.org"})
    assert added.status_code == 303
    assert db.session.scalar(select(Membership).where(Membership.person_id == newcomer.id)).organisation_id == \
        n["theirs"].id
    auth.login(n["admin"])
    assert client.post(f"/organisations/{n['theirs'].public_id}/members", data={"email": morag_email}
                       ).status_code == 303
    assert n["ours"].public_id in client.get("/organisations/").get_data(as_text=True)
    same = client.post("/organisations/", data={"name": "tayside  throughcare", "kind": "throughcare"})
    assert same.status_code == 200 and "There is already an organisation with that name." in same.get_data(as_text=True)
    blank = client.post("/organisations/", data={"name": "", "kind": "nonsense"})
    assert "Enter the organisation&#39;s name." in blank.get_data(as_text=True)
    made = client.post("/organisations/", data={"name": "Glasgow Recovery Community", "kind": "community"})
    assert made.status_code == 303
    assert db.session.scalar(select(Organisation).where(Organisation.name == "Glasgow Recovery Community")
                             ).kind == "community"


@pytest.mark.usefixtures("migrated_app")
def test_migration_gives_everything_saved_one_owner(migrated_app):  # noqa: F811
    """Meetings and pathways saved before 0033 belong to "Recovery Network", which holds the volunteers."""
    with migrated_app.app_context():
        upgrade(revision="0031_network_grows")
        with db.engine.begin() as conn:
            insert(conn, "areas", id=1, slug="a", name="A")
            insert(conn, "venues", id=1, slug="v", area_id=1, setting="custody")
            insert(conn, "meetings", id=1, slug="m", venue_id=1, visibility="custody", weekday=1, frequency="weekly",
                   duration_minutes=90, facilitators_needed=0, mentors_needed=0, status="active", listing="open",
                   start_time="18:30:00")  # a string: SQLite binds no time objects; PostgreSQL casts it
            insert(conn, "pathways", id=1, public_id="p1", reference="RN-AAAAAA", establishment_id=1,
                   release_date=date(2026, 3, 10), status="open")
            for pid, role in ((1, "coordinator"), (2, "peer_mentor"), (3, "establishment_staff")):
                insert(conn, "people", id=pid, public_id=f"p{pid}", email=f"{pid}@example.org", status="active",
                       last_initial="K")
                insert(conn, "person_roles", person_id=pid, role=role)
        upgrade()
        with db.engine.connect() as conn:
            owner = conn.execute(text("SELECT id FROM organisations WHERE name = 'Recovery Network'")).scalar_one()
            assert conn.execute(text("SELECT organisation_id FROM meetings")).scalar_one() == owner
            assert conn.execute(text("SELECT organisation_id FROM pathways")).scalar_one() == owner
            assert sorted(conn.execute(text("SELECT person_id FROM organisation_members")).scalars()) == [1, 2]


def test_gap_alerts_count_only_the_organisations_own_sessions(two_organisations):
    """The daily gap email to a co-ordinator counts their organisations' short sessions, not another's."""
    n = two_organisations
    assert {p.meeting.title for p in gaps(n["morag"], utcnow())} == {"Perth SMART group"}
    assert gaps(n["tom"], utcnow()) == []


def test_custody_sessions_reach_another_organisations_coordinator_only_where_they_go_in(
        client, auth, two_organisations, make_venue, make_meeting):
    """Tom (Tayside) is neither staff at HMP Perth nor cleared for it: our session there is a 404 on its page and
    its manage page, absent from search, and off the day sheet, exactly as for the public; Morag and the admin
    see it. Cleared for Perth, Tom sees it like any cleared volunteer."""
    from recovery_network.mentors.models import Clearance

    n = two_organisations
    prison = make_venue("custody", name="HMP Castle Huntly", town="Longforgan")
    inside = make_meeting("Castle Huntly SMART group", venue=prison, custody=True)
    pages = [f"/meetings/{inside.slug}", f"/organise/meetings/{inside.slug}"]
    auth.login(n["tom"])
    for page in pages:
        assert client.get(page).status_code == 404, page
    assert b"Castle Huntly SMART" not in client.get("/meetings?q=Castle+Huntly").data
    sheet = client.get(f"/establishment/day-sheet?venue={prison.id}")
    assert b"Castle Huntly SMART" not in sheet.data
    auth.logout()
    for person in (n["morag"], n["admin"]):
        auth.login(person)
        assert b"Castle Huntly SMART" in client.get(pages[0]).data
        assert b"Castle Huntly SMART" in client.get("/meetings?q=Castle+Huntly").data
        auth.logout()
    db.session.add(Clearance(person_id=n["tom"].id, venue_id=prison.id, status="approved",
                             valid_from=TODAY - timedelta(days=1)))
    db.session.commit()
    auth.login(n["tom"])
    assert b"Castle Huntly SMART" in client.get(pages[0]).data
    assert client.get(pages[1]).status_code == 404  # seeing a session is not managing another's


def test_a_coordinator_puts_only_their_own_people_on_their_rota(client, auth, two_organisations, make_person,
                                                               make_meeting):
    """Tom's gaps picker never offers Vic (the founding organisation's trained mentor), and posting Vic's id onto
    Tom's session answers as for a made-up person, with no place taken; Tess (Tayside's) is offered and placed."""
    n = two_organisations
    course = Course(code="PM", name="Peer mentor training", qualifies_for="peer_mentor")
    vic = make_person("peer_mentor", first_name="Vic")
    tess = make_person("peer_mentor", first_name="Tess", organisations=[n["theirs"]])
    db.session.add(course)
    for person in (vic, tess):
        db.session.add(TrainingRecord(person=person, course=course, completed_on=TODAY - timedelta(days=9),
                                      status="verified", verified_by_id=n["morag"].id, verified_at=utcnow()))
    cafe = make_meeting("Dundee Throughcare Café", organisation_id=n["theirs"].id, mentors_needed=1,
                        starts_on=TODAY - timedelta(days=30))
    db.session.commit()
    on = next_occurrences(cafe.schedule, {}, utcnow(), count=1)[0].start.date()
    auth.login(n["tom"])
    grid = client.get(f"/rota/gaps?week={on.isoformat()}").get_data(as_text=True)
    assert "Tess" in grid and "Vic" not in grid
    form = {"meeting_id": cafe.id, "occurrence_date": on.isoformat(), "role": "peer_mentor"}
    theirs = client.post("/rota/assign", data={**form, "person": vic.public_id})
    made_up = client.post("/rota/assign", data={**form, "person": "no-such-person"})
    assert theirs.status_code == made_up.status_code == 404 and theirs.data == made_up.data
    assert db.session.scalar(select(Signup).where(Signup.person_id == vic.id)) is None
    assert client.post("/rota/assign", data={**form, "person": tess.public_id}).status_code == 302
    assert db.session.scalar(select(Signup).where(Signup.person_id == tess.id)) is not None
