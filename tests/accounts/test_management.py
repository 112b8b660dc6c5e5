"""Admins' accounts are for admins to change, the last admin stays, and accounts can be erased."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, text

from recovery_network.accounts.models import Person
from recovery_network.audit.models import AuditEvent
from recovery_network.extensions import db
from recovery_network.feeds.models import FeedToken
from recovery_network.mentors.models import Clearance, Course, TrainingRecord
from recovery_network.types import utcnow
from recovery_network.venues.models import CUSTODY
from tests.conftest import PASSWORD


@pytest.mark.parametrize("url, data", [
    ("status", {"action": "suspend"}),
    ("roles", {"role": ["admin", "coordinator"]}),
    ("roles", {"role": ["peer_mentor"]}),
])
def test_a_coordinator_cannot_change_an_admins_account(client, auth, make_person, url, data):
    """A co-ordinator used to be able to suspend the admin, or change the admin's other roles."""
    admin = make_person("admin")
    auth.login(make_person("coordinator"))
    response = client.post(f"/coordinate/people/{admin.public_id}/{url}", data=data)
    assert "Only an admin can" in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.status == "active" and admin.role_codes == {"admin"}


def test_a_coordinator_cannot_reactivate_or_repost_an_admin(client, auth, make_person, make_venue):
    """Every account change, not just the two seen, is an admin's to make on an admin."""
    admin = make_person("admin", "establishment_staff", status="suspended")
    prison = make_venue(CUSTODY)
    auth.login(make_person("coordinator"))
    client.post(f"/coordinate/people/{admin.public_id}/status", data={"action": "reactivate"})
    client.post(f"/coordinate/people/{admin.public_id}/roles",
                data={"role": ["admin", "establishment_staff"], "venue": [str(prison.id)]})
    db.session.refresh(admin)
    assert admin.status == "suspended" and admin.establishment_ids == set()


def test_an_admin_can_suspend_another_admin(client, auth, make_person):
    """Admins act on admins."""
    other = make_person("admin")
    auth.login(make_person("admin"))
    client.post(f"/coordinate/people/{other.public_id}/status", data={"action": "suspend"})
    db.session.refresh(other)
    assert other.status == "suspended"


def test_the_last_admin_cannot_erase_their_account(client, auth, make_person):
    """The network always keeps an active admin; with a second one, erasure goes ahead."""
    admin = make_person("admin")
    auth.login(admin)
    refused = client.post("/account/erase", data={"password": PASSWORD})
    assert "This is the last admin" in refused.get_data(as_text=True)
    assert db.session.get(Person, admin.id) is not None
    make_person("admin")
    assert client.post("/account/erase", data={"password": PASSWORD}).status_code == 302
    db.session.expunge_all()
    assert db.session.get(Person, admin.id) is None


def test_the_last_admin_cannot_be_suspended_or_lose_the_role(app_ctx, make_person):
    """The rule holds in the service, whoever calls it."""
    from recovery_network.accounts import management
    from recovery_network.accounts.services import NotAllowed

    admin, other = make_person("admin"), make_person("admin", status="suspended")
    with pytest.raises(NotAllowed, match="last admin"):
        management.suspend_person(admin, other)
    with pytest.raises(NotAllowed, match="last admin"):
        management.set_roles(admin, {"coordinator"}, other)


def everything_in_the_database() -> str:
    """Every value in every table, as text: what an erasure must leave no trace of the person in."""
    rows = []
    for table in db.metadata.sorted_tables:
        rows += [repr(tuple(r)) for r in db.session.execute(text(f"SELECT * FROM {table.name}"))]
    return "\n".join(rows)


@pytest.fixture
def volunteer(make_person, make_venue):
    """A volunteer with training, a clearance and a calendar link: things erasure must take away."""
    person = make_person("peer_mentor", first_name="Zebedee", email="zebedee@example.org")
    course = Course(code="PM", name="Peer mentor training")
    db.session.add_all([
        course,
        TrainingRecord(person=person, course=course, completed_on=date(2026, 1, 5), status="pending"),
        Clearance(person=person, venue=make_venue(CUSTODY), status="approved", valid_from=date(2026, 1, 1)),
        FeedToken(person_id=person.id, token_hash="a" * 64),
    ])
    db.session.commit()
    return person


def test_an_admin_erases_an_account_and_only_numbers_remain(app, client, auth, make_person, volunteer):
    """After erasure no table holds the person's name or email; the audit keeps what happened, by id."""
    person_id, public_id = volunteer.id, volunteer.public_id
    their_phone = app.test_client()
    their_phone.post("/account/login", data={"email": volunteer.email, "password": PASSWORD})
    auth.login(make_person("admin"))
    unconfirmed = client.post(f"/coordinate/people/{public_id}/erase")
    assert "Tick the box to confirm" in unconfirmed.get_data(as_text=True)
    assert client.post(f"/coordinate/people/{public_id}/erase", data={"confirm": "yes"}).status_code == 302
    db.session.expunge_all()
    dump = everything_in_the_database()
    assert "zebedee" not in dump.lower() and public_id not in dump
    erased = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.erase"))
    assert (erased.object_id, erased.detail) == (person_id, "admin")
    assert db.session.scalar(select(TrainingRecord)) is None and db.session.scalar(select(FeedToken)) is None
    assert their_phone.get("/account").status_code == 302


def test_a_coordinator_cannot_erase_accounts(client, auth, make_person, volunteer):
    """Erasure is an admin's job: for a co-ordinator the route does not exist."""
    auth.login(make_person("coordinator"))
    assert client.post(f"/coordinate/people/{volunteer.public_id}/erase", data={"confirm": "yes"}).status_code == 404
    assert db.session.get(Person, volunteer.id) is not None


def test_a_volunteer_erases_their_own_account_with_their_password(client, auth, volunteer):
    """The right to erasure from the profile: the password confirms it, and they are logged out."""
    auth.login(volunteer)
    assert "Erase my account" in client.get("/account").get_data(as_text=True)
    wrong = client.post("/account/erase", data={"password": "not my password"})
    assert "That is not your current password." in wrong.get_data(as_text=True)
    assert client.post("/account/erase", data={"password": PASSWORD}).status_code == 302
    assert client.get("/account").status_code == 302
    db.session.expunge_all()
    assert "zebedee" not in everything_in_the_database().lower()


def test_unapproved_accounts_are_erased_after_thirty_days(runner, make_person):
    """Strangers' registrations with other people's emails do not stay in the people table."""
    now = utcnow()
    old = make_person("peer_mentor", status="pending", created_at=now - timedelta(days=31))
    recent = make_person("peer_mentor", status="pending", created_at=now - timedelta(days=29))
    approved = make_person("peer_mentor", created_at=now - timedelta(days=400))
    old_id, kept = old.id, (recent.id, approved.id)
    result = runner.invoke(args=["purge-accounts"])
    assert result.exit_code == 0, result.output
    assert "1 unapproved accounts erased" in result.output
    db.session.expunge_all()
    assert db.session.get(Person, old_id) is None
    assert all(db.session.get(Person, i) is not None for i in kept)


def test_erasing_a_coordinator_keeps_the_training_they_verified(client, auth, make_person, volunteer):
    """A co-ordinator who verified others' training leaves and is erased: no 500, and the training still counts
    (the fuzz found erasure refused by 'verified needs a verifier')."""
    verifier = make_person("coordinator", first_name="Vera", email="vera@example.org")
    record = db.session.scalar(select(TrainingRecord).where(TrainingRecord.person_id == volunteer.id))
    record.status, record.verified_by_id, record.verified_at = "verified", verifier.id, utcnow()
    db.session.commit()
    verifier_id, volunteer_id = verifier.public_id, volunteer.id
    auth.login(make_person("admin"))
    response = client.post(f"/coordinate/people/{verifier_id}/erase", data={"confirm": "yes"})
    assert response.status_code == 302
    db.session.expunge_all()
    kept = db.session.scalar(select(TrainingRecord).where(TrainingRecord.person_id == volunteer_id))
    assert kept.status == "verified" and kept.verified_by_id is None and kept.verified_at is not None
    assert db.session.scalar(select(Person).where(Person.email == "vera@example.org")) is None
