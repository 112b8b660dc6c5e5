"""The register through the co-ordinator's screens: training, clearance moves, PVG, and who may do what."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from recovery_network.audit.models import AuditEvent
from recovery_network.extensions import db
from recovery_network.mentors.models import Clearance, Course, TrainingRecord
from recovery_network.mentors.services import eligibility
from recovery_network.types import utcnow
from recovery_network.venues.models import CUSTODY

TODAY = utcnow().date()


@pytest.fixture
def course(app_ctx):
    """Peer mentor training with a two-year refresh."""
    course = Course(code="PEER-MENTOR", name="Peer mentor training", refresh_months=24, qualifies_for="peer_mentor")
    db.session.add(course)
    db.session.commit()
    return course


@pytest.fixture
def people(make_person, make_venue):
    """A co-ordinator, a mentor, and a prison."""
    return {
        "coordinator": make_person("coordinator", first_name="Morag"),
        "mentor": make_person("peer_mentor", first_name="Jamie"),
        "prison": make_venue(CUSTODY, name="HMP Perth"),
    }


def body(response) -> str:
    """The page text with entities decoded."""
    return html.unescape(response.get_data(as_text=True))


def test_volunteer_submits_training_as_pending_and_cannot_verify_it(client, auth, people, course):
    """A volunteer's own record waits; posting 'verified' to the co-ordinator route is a 404."""
    auth.login(people["mentor"])
    response = client.post("/my/register", data={"course_id": course.id, "completed_on": str(TODAY - timedelta(days=3))})
    assert response.status_code == 302
    training = db.session.scalar(select(TrainingRecord))
    completed = TODAY - timedelta(days=3)
    assert training.status == "pending"
    assert training.expires_on == completed + relativedelta(months=24)  # the course's refresh period
    assert client.post(f"/coordinate/training/{training.id}/verified").status_code == 404
    db.session.refresh(training)
    assert training.status == "pending"


def test_future_or_malformed_completion_dates_are_explained(client, auth, people, course):
    """Dates in the future or not dates at all get a message beside the field; nothing is saved."""
    auth.login(people["mentor"])
    future = client.post("/my/register", data={"course_id": course.id, "completed_on": str(TODAY + timedelta(days=5))})
    assert "can't be in the future" in body(future)
    bad = client.post("/my/register", data={"course_id": course.id, "completed_on": "31/02/2026"})
    assert "Give the date you completed it (day, month, year)." in body(bad)
    assert db.session.scalar(select(TrainingRecord)) is None


def test_coordinator_verifies_and_the_database_refuses_self_verification(client, auth, people, course):
    """Verification is by someone else; even a direct write of self-verification fails a CHECK."""
    mentor = people["mentor"]
    auth.login(mentor)
    client.post("/my/register", data={"course_id": course.id, "completed_on": str(TODAY - timedelta(days=10))})
    auth.logout()
    auth.login(people["coordinator"])
    training = db.session.scalar(select(TrainingRecord))
    assert client.post(f"/coordinate/training/{training.id}/verified").status_code == 302
    db.session.refresh(training)
    assert training.status == "verified" and training.verified_by_id == people["coordinator"].id
    assert eligibility(mentor, "peer_mentor", TODAY, None)
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE training_records SET verified_by_id = person_id"))
    db.session.rollback()


def test_clearance_moves_are_recorded_and_audited(client, auth, people, course, app):
    """Requested → approved with dates → suspended; each move kept, each audited; bad moves refused."""
    auth.login(people["coordinator"])
    mentor, prison = people["mentor"], people["prison"]
    assert client.post(f"/coordinate/people/{mentor.public_id}/clearances", data={"venue_id": prison.id}).status_code == 302
    clearance = db.session.scalar(select(Clearance))
    no_date = client.post(f"/coordinate/clearances/{clearance.id}", data={"status": "approved"})
    assert "Give the date the clearance starts." in body(no_date)
    backwards = client.post(f"/coordinate/clearances/{clearance.id}", data={
        "status": "approved", "valid_from": str(TODAY), "expires_on": str(TODAY - timedelta(days=1))})
    assert "must be on or after the start date" in body(backwards)
    ok = client.post(f"/coordinate/clearances/{clearance.id}", data={
        "status": "approved", "valid_from": str(TODAY), "expires_on": str(TODAY + timedelta(days=90))})
    assert ok.status_code == 302
    db.session.refresh(clearance)
    assert clearance.status == "approved"
    client.post(f"/coordinate/clearances/{clearance.id}", data={"status": "suspended"})
    db.session.refresh(clearance)
    assert [(c.from_status, c.to_status) for c in clearance.changes] == [
        (None, "requested"), ("requested", "approved"), ("approved", "suspended")]
    impossible = client.post(f"/coordinate/clearances/{clearance.id}", data={"status": "pending"})
    assert "A suspended clearance can't become pending." in body(impossible)
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "clearances")).all()
    assert actions == ["clearance.request", "clearance.approved", "clearance.suspended"]


def test_one_live_clearance_per_establishment_is_a_database_rule(people, app_ctx):
    """The partial unique index refuses a second live clearance, whatever the code does."""
    mentor, prison = people["mentor"], people["prison"]
    db.session.add_all([Clearance(person=mentor, venue=prison, status="requested"),
                        Clearance(person=mentor, venue=prison, status="pending")])
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_nobody_approves_their_own_clearance(client, auth, people, make_person):
    """A co-ordinator cannot move their own clearance."""
    coordinator = people["coordinator"]
    auth.login(coordinator)
    client.post(f"/coordinate/people/{coordinator.public_id}/clearances", data={"venue_id": people["prison"].id})
    clearance = db.session.scalar(select(Clearance))
    response = client.post(f"/coordinate/clearances/{clearance.id}", data={"status": "approved", "valid_from": str(TODAY)})
    assert "Someone else must decide on your own clearance." in body(response)


def test_expiring_credentials_show_on_the_dashboard(client, auth, people, course):
    """A clearance ending in three weeks is listed; one ending in three months is not."""
    mentor, prison = people["mentor"], people["prison"]
    db.session.add(Clearance(person=mentor, venue=prison, status="approved", valid_from=TODAY - timedelta(days=100),
                             expires_on=TODAY + timedelta(days=21)))
    db.session.commit()
    auth.login(people["coordinator"])
    page = body(client.get("/coordinate/"))
    assert "Clearance: HMP Perth" in page and "Jamie K." in page


def test_approving_a_pending_volunteer(client, auth, people, make_person):
    """Pending people are listed; one click approves them."""
    newcomer = make_person("peer_mentor", status="pending", first_name="Robin")
    auth.login(people["coordinator"])
    assert "Robin K." in body(client.get("/coordinate/"))
    client.post(f"/coordinate/people/{newcomer.public_id}/status", data={"action": "approve"})
    db.session.refresh(newcomer)
    assert newcomer.status == "active"


def test_only_admins_grant_admin_and_nobody_changes_their_own_roles(client, auth, people, make_person):
    """Role changes happen only here, with limits."""
    coordinator, mentor = people["coordinator"], people["mentor"]
    auth.login(coordinator)
    refused = client.post(f"/coordinate/people/{mentor.public_id}/roles", data={"role": ["peer_mentor", "admin"]})
    assert "Only an admin can grant" in body(refused)
    db.session.refresh(mentor)
    assert mentor.role_codes == {"peer_mentor"}
    client.post(f"/coordinate/people/{mentor.public_id}/roles", data={"role": ["peer_mentor", "facilitator"]})
    db.session.refresh(mentor)
    assert mentor.role_codes == {"peer_mentor", "facilitator"}
    own = client.post(f"/coordinate/people/{coordinator.public_id}/roles", data={"role": ["coordinator", "facilitator"]})
    assert "Ask another co-ordinator" in body(own)


def test_viewing_a_person_is_audited(client, auth, people):
    """Opening someone's register leaves a trace."""
    auth.login(people["coordinator"])
    client.get(f"/coordinate/people/{people['mentor'].public_id}")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "register.view"))
    assert event.actor_id == people["coordinator"].id and event.object_id == people["mentor"].id


def test_audit_log_is_append_only_in_the_database(people, app_ctx):
    """UPDATE and DELETE on audit_events are refused by a trigger."""
    from recovery_network.audit.services import record

    record("test.event", people["coordinator"], object_type="x")
    db.session.commit()
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text("UPDATE audit_events SET action = 'forged'"))
    db.session.rollback()
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text("DELETE FROM audit_events"))
    db.session.rollback()
    assert db.session.scalar(select(AuditEvent.action)) == "test.event"
