"""The clearance pipeline: undecided requests by establishment with how long they have waited, a chase after a set
number of days (once per period, however often cron runs), and the volunteer's own view of where theirs stands."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from recovery_network.extensions import db
from recovery_network.mentors.models import Clearance, ClearanceChange, Course, TrainingRecord
from recovery_network.mentors.rules import training_state
from recovery_network.rota.models import OutboxMessage
from recovery_network.rota.reminders import queue_clearance_chases
from recovery_network.types import utcnow
from recovery_network.venues.models import CUSTODY
from tests.meetings.test_posting import text

NOW = utcnow()


def request(person, venue, status: str, days_ago: int) -> Clearance:
    """A clearance that entered `status` `days_ago` days ago."""
    clearance = Clearance(person=person, venue=venue, status=status)
    clearance.changes = [ClearanceChange(from_status=None, to_status="requested", at=NOW - timedelta(days=days_ago + 5))]
    if status == "pending":
        clearance.changes.append(ClearanceChange(from_status="requested", to_status="pending",
                                                 at=NOW - timedelta(days=days_ago)))
    db.session.add(clearance)
    db.session.commit()
    return clearance


@pytest.fixture
def pipeline(make_person, make_venue):
    """Two prisons, a co-ordinator, and three requests: one 20 days pending, one 3 days requested, one approved."""
    perth, barlinnie = make_venue(CUSTODY, name="HMP Perth"), make_venue(CUSTODY, name="HMP Barlinnie")
    coordinator = make_person("coordinator", first_name="Morag")
    jamie, chris = make_person("peer_mentor", first_name="Jamie"), make_person("peer_mentor", first_name="Chris")
    waited = request(jamie, perth, "pending", 20)
    fresh = request(chris, barlinnie, "requested", 3)
    db.session.add(Clearance(person=chris, venue=perth, status="approved", valid_from=date.today()))
    db.session.commit()
    return {"coordinator": coordinator, "jamie": jamie, "waited": waited, "fresh": fresh}


def test_the_pipeline_lists_undecided_requests_by_establishment_with_waiting_since(client, auth, pipeline):
    """Pending since 20 days ago (its last move, not its first) and flagged to chase; approved ones are not listed."""
    auth.login(pipeline["coordinator"])
    page = text(client.get("/coordinate/clearances"))
    assert "HMP Barlinnie (1)" in page and "HMP Perth (1)" in page
    since = (NOW - timedelta(days=20)).strftime("%-d %b %Y")
    assert f"Jamie K. Pending {since} 20 Chase" in page
    assert "Chris K. Requested" in page and page.count("Chase") == 1


def test_a_chase_is_queued_once_per_period_and_again_after_another(app, pipeline):
    """Run twice, one message per co-ordinator for the overdue request; 14 days later, one more; none name anyone."""
    with app.test_request_context():
        assert queue_clearance_chases(NOW) == 1
        assert queue_clearance_chases(NOW + timedelta(hours=1)) == 0
        assert queue_clearance_chases(NOW + timedelta(days=14)) == 2  # the 20-day one again, and the fresh one's first
        db.session.commit()
    bodies = [m.body for m in db.session.scalars(select(OutboxMessage))]
    assert len(bodies) == 3
    assert all("Jamie" not in b and "Perth" not in b and "/coordinate/clearances" in b for b in bodies)


def test_send_reminders_runs_the_chase(runner, pipeline):
    """The existing cron command queues and sends it."""
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.dedupe_key.like("chase:%"))) == 1


def test_the_volunteer_sees_where_their_request_stands(client, auth, pipeline):
    """On /my/register: the stage in words, when it started waiting, and that it is being chased."""
    auth.login(pipeline["jamie"])
    page = text(client.get("/my/register"))
    assert "Pending: the establishment is checking it." in page
    assert f"Waiting since {(NOW - timedelta(days=20)).strftime('%-d %B %Y')} (20 days)" in page
    assert "reminded to chase it" in page


def test_expired_training_says_expired_on_not_verified(client, auth, make_person):
    """The last good day is the expiry date; the day after, it reads 'Expired on …' on both register pages."""
    today = date.today()
    assert training_state("verified", today, today) == ("Verified", "status-ok")
    assert training_state("verified", today - timedelta(days=1), today)[0] == \
        f"Expired on {today - timedelta(days=1):%-d %B %Y}"
    coordinator = make_person("coordinator", first_name="Morag")
    mentor = make_person("peer_mentor", first_name="Chris")
    course = Course(code="PEER", name="Peer mentor training", qualifies_for="peer_mentor", refresh_months=24)
    db.session.add(TrainingRecord(person=mentor, course=course, completed_on=today - timedelta(days=800),
                                  expires_on=today - timedelta(days=70), status="verified",
                                  verified_by_id=coordinator.id, verified_at=datetime.now(timezone.utc)))
    db.session.commit()
    expired = f"Expired on {today - timedelta(days=70):%-d %B %Y}"
    auth.login(mentor)
    mine = text(client.get("/my/register"))
    assert expired in mine and "Verified" not in mine
    auth.logout()
    auth.login(coordinator)
    assert expired in text(client.get(f"/coordinate/people/{mentor.public_id}"))
