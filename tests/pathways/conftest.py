"""Pathway fixtures: a prison with weekly sessions, a cleared mentor, and meetings near Dundee."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from recovery_network.extensions import db
from recovery_network.mentors.models import Clearance, Course, TrainingRecord
from recovery_network.types import utcnow
from recovery_network.venues.models import CUSTODY

TODAY = utcnow().date()


def next_weekday(day, weekday: int):
    """The first date on or after `day` that falls on `weekday` (0 = Monday)."""
    return day + timedelta(days=(weekday - day.weekday()) % 7)


RELEASE = next_weekday(TODAY + timedelta(days=21), 1)  # a Tuesday three weeks or so away


@pytest.fixture
def setting(make_person, make_venue, make_meeting):
    """HMP Perth with a weekly session, two meetings in Dundee, a cleared mentor and an uncleared one."""
    prison = make_venue(CUSTODY, name="HMP Perth", lat=56.3884, lon=-3.4335, town="Perth")
    make_meeting("HMP Perth SMART group", venue=prison, weekday=3, start_time=time(14, 0))
    dundee = make_venue(name="West End Hall", lat=56.4580, lon=-2.9890, town="Dundee", address="130 Perth Road",
                        postcode="DD1 4JW", directions="Bus 5 or 9 along Perth Road.")
    make_meeting("Dundee SMART Monday", venue=dundee, weekday=0, start_time=time(18, 0))
    make_meeting("Dundee Recovery Café", venue=dundee, weekday=4, start_time=time(11, 0), kind="cafe")
    coordinator = make_person("coordinator", first_name="Morag")
    course = Course(code="PM", name="Peer mentor training", qualifies_for="peer_mentor")
    db.session.add(course)
    mentor = make_person("peer_mentor", first_name="Jamie")
    other = make_person("peer_mentor", first_name="Chris")
    for person in (mentor, other):
        db.session.add(TrainingRecord(person=person, course=course, completed_on=TODAY - timedelta(days=100),
                                      status="verified", verified_by_id=coordinator.id, verified_at=utcnow()))
    db.session.add(Clearance(person=mentor, venue=prison, status="approved", valid_from=TODAY - timedelta(days=50)))
    db.session.commit()
    return {"prison": prison, "coordinator": coordinator, "mentor": mentor, "other": other}


def open_form(setting, **overrides) -> dict:
    """The 'open a pathway' form as posted."""
    data = {
        "first_name": "Dee",
        "establishment_id": setting["prison"].id,
        "release_date": RELEASE.isoformat(),
        "destination": "Dundee",
        "mentor_id": setting["mentor"].id,
        "backup_mentor_id": 0,
        "consent_plan": "y",
        "consent_calendar": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
