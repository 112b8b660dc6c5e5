"""Fifty people press 'sign up' at the same instant for two places: exactly two are confirmed.

Runs against whichever database the suite uses (SQLite file by default, PostgreSQL in CI via
TEST_DATABASE_URL), through real HTTP requests on separate threads and connections.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from recovery_network.extensions import db
from recovery_network.rota.models import RotaSlot, Signup
from tests.conftest import PASSWORD
from tests.rota.conftest import next_date

CROWD = 50


@pytest.mark.slow
def test_fifty_simultaneous_signups_for_two_places(app, community, make_volunteer):
    """The database, not the view, decides: 2 confirmed, 48 waiting, counter equal to the confirmed rows."""
    on = next_date(community)
    people = [make_volunteer(f"V{n:02d}", email=f"v{n}@example.org") for n in range(CROWD)]
    clients = []
    for person in people:
        client = app.test_client()
        assert client.post("/account/login", data={"email": person.email, "password": PASSWORD}).status_code == 302
        clients.append(client)
    start = threading.Barrier(CROWD)
    data = {"meeting_id": community.id, "occurrence_date": on.isoformat(), "role": "peer_mentor"}

    def press(client):
        start.wait()  # everyone presses at once
        return client.post("/rota/signup", data=data).status_code

    with ThreadPoolExecutor(max_workers=CROWD) as pool:
        codes = list(pool.map(press, clients))
    assert codes == [302] * CROWD
    db.session.expire_all()
    counts = dict(db.session.execute(
        select(Signup.status, func.count()).where(Signup.meeting_id == community.id).group_by(Signup.status)
    ).all())
    assert counts == {"confirmed": 2, "waitlisted": CROWD - 2}
    assert db.session.scalar(select(RotaSlot.filled)) == 2


@pytest.mark.slow
def test_two_tabs_withdrawing_at_once_free_one_place(app, community, make_volunteer):
    """A double withdraw can't free a place twice (the status change is conditional)."""
    from recovery_network.rota.services import sign_up
    from recovery_network.types import utcnow

    on = next_date(community)
    people = [make_volunteer(n, email=f"{n}@example.org") for n in ("a", "b", "c")]
    for person in people:
        sign_up(person, community, on, "peer_mentor", by=person, now=utcnow())
    db.session.commit()
    signup_id = db.session.scalar(select(Signup.id).where(Signup.person_id == people[0].id))
    tabs = []
    for _ in range(2):
        tab = app.test_client()
        tab.post("/account/login", data={"email": people[0].email, "password": PASSWORD})
        tabs.append(tab)
    start = threading.Barrier(2)

    def withdraw(tab):
        start.wait()
        return tab.post(f"/rota/signups/{signup_id}/withdraw").status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(withdraw, tabs))
    db.session.expire_all()
    statuses = sorted(db.session.scalars(select(Signup.status).where(Signup.meeting_id == community.id)))
    assert statuses == ["confirmed", "confirmed", "withdrawn"]
    assert db.session.scalar(select(RotaSlot.filled)) == 2
