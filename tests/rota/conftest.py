"""Rota fixtures: trained, cleared volunteers and a series that needs helpers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from recovery_network.extensions import db
from recovery_network.meetings.recurrence import next_occurrences
from recovery_network.mentors.models import Clearance, Course, TrainingRecord
from recovery_network.types import utcnow
from recovery_network.venues.models import CUSTODY

TODAY = utcnow().date()


@pytest.fixture
def courses(app_ctx):
    """Peer mentor and facilitator training."""
    mentor = Course(code="PM", name="Peer mentor training", qualifies_for="peer_mentor")
    facilitator = Course(code="FAC", name="SMART facilitator training", qualifies_for="facilitator")
    db.session.add_all([mentor, facilitator])
    db.session.commit()
    return {"peer_mentor": mentor, "facilitator": facilitator}


@pytest.fixture
def make_volunteer(make_person, courses):
    """Factory: an approved peer mentor with verified training (and clearances if asked)."""
    verifier = make_person("coordinator", first_name="Verity")

    def make(first_name: str = "Jamie", *, cleared_for=(), clearance_until=None, roles=("peer_mentor",), **fields):
        person = make_person(*roles, first_name=first_name, **fields)
        for role in roles:
            db.session.add(TrainingRecord(person=person, course=courses[role], completed_on=TODAY - timedelta(days=30),
                                          status="verified", verified_by_id=verifier.id, verified_at=utcnow()))
        for venue in cleared_for:
            db.session.add(Clearance(person=person, venue=venue, status="approved",
                                     valid_from=TODAY - timedelta(days=10), expires_on=clearance_until))
        db.session.commit()
        return person

    return make


@pytest.fixture
def community(make_meeting):
    """A weekly community meeting that needs two peer mentors."""
    return make_meeting("Perth Tuesday SMART", mentors_needed=2, facilitators_needed=0)


@pytest.fixture
def prison(make_venue):
    """A custody establishment."""
    return make_venue(CUSTODY, name="HMP Perth")


@pytest.fixture
def custody(make_meeting, prison):
    """A weekly custody session that needs one peer mentor."""
    return make_meeting("HMP Perth SMART group", venue=prison, mentors_needed=1, facilitators_needed=0)


def next_date(meeting, n: int = 0):
    """The original date of the meeting's nth next occurrence."""
    return next_occurrences(meeting.schedule, {}, utcnow(), count=n + 1)[n].original_start.date()
