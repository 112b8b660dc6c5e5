"""Reading the rota: gaps for co-ordinators, openings for a volunteer, who is coming to a session."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from recovery_network.accounts.models import Person
from recovery_network.extensions import db
from recovery_network.meetings.models import ACTIVE, Meeting
from recovery_network.meetings.recurrence import Occurrence, occurrences
from recovery_network.meetings.visibility import visible_to
from recovery_network.mentors.models import Clearance
from recovery_network.mentors.rules import eligible
from recovery_network.mentors.services import facts_for
from recovery_network.rota.models import ACTIVE_SIGNUP, RotaSlot, Signup
from recovery_network.rota.services import needed


@dataclass
class Place:
    """One role at one occurrence, with how many are needed and confirmed, and who."""

    meeting: Meeting
    occurrence: Occurrence
    role: str
    needed: int
    confirmed: list[Signup]
    waiting: int = 0

    @property
    def short(self) -> int:
        """How many more helpers are needed."""
        return max(0, self.needed - len(self.confirmed))


def _staffed_meetings(viewer: Person | None) -> list[Meeting]:
    """Active series that need any helpers and that the viewer may see."""
    return list(db.session.scalars(
        select(Meeting)
        .where(Meeting.status == ACTIVE, or_(Meeting.facilitators_needed > 0, Meeting.mentors_needed > 0),
               visible_to(viewer))
        .options(selectinload(Meeting.venue), selectinload(Meeting.changes))
    ))


def places(meetings: list[Meeting], start: datetime, end: datetime) -> list[Place]:
    """Every role at every occurrence of these series between start and end, with its signups."""
    if not meetings:
        return []
    ids = [m.id for m in meetings]
    signups = db.session.scalars(
        select(Signup).join(RotaSlot).where(Signup.meeting_id.in_(ids), Signup.status.in_(ACTIVE_SIGNUP),
                                            Signup.occurrence_date >= start.date() - timedelta(days=62))
        .options(selectinload(Signup.person), selectinload(Signup.slot))
    ).all()
    by_key: dict[tuple, list[Signup]] = defaultdict(list)
    for s in signups:
        by_key[(s.meeting_id, s.occurrence_date, s.slot.role)].append(s)
    result = []
    for meeting in meetings:
        for occ in occurrences(meeting.schedule, meeting.change_map(), start, end):
            if occ.cancelled:
                continue
            for role in ("facilitator", "peer_mentor"):
                count = needed(meeting, role)
                if count == 0:
                    continue
                here = by_key.get((meeting.id, occ.original_start.date(), role), [])
                result.append(Place(meeting, occ, role, count, [s for s in here if s.status == "confirmed"],
                                    sum(1 for s in here if s.status == "waitlisted")))
    result.sort(key=lambda p: (p.occurrence.start, p.meeting.title, p.role))
    return result


def gaps(viewer: Person, now: datetime, days: int = 14) -> list[Place]:
    """Occurrences in the next `days` days without enough confirmed helpers, custody first, soonest first."""
    found = [p for p in places(_staffed_meetings(viewer), now, now + timedelta(days=days)) if p.short > 0]
    found.sort(key=lambda p: (not p.meeting.is_custody, p.occurrence.start))
    return found


def openings(person: Person, now: datetime, days: int = 28) -> list[Place]:
    """Places with room in the next four weeks that this person is eligible for on their dates."""
    trainings, clearances = facts_for(person)
    mine = {(s.meeting_id, s.occurrence_date) for s in my_signups(person, now)}
    roles = [r for r in ("facilitator", "peer_mentor") if person.has_role(r)]
    result = []
    for place in places(_staffed_meetings(None) + _custody_for(person), now, now + timedelta(days=days)):
        if place.role not in roles or place.short == 0:
            continue
        if (place.meeting.id, place.occurrence.original_start.date()) in mine:
            continue
        establishment = place.meeting.venue_id if place.meeting.is_custody else None
        if eligible(place.role, place.occurrence.start.date(), establishment_id=establishment,
                    trainings=trainings, clearances=clearances, approved=person.is_approved):
            result.append(place)
    return result


def _custody_for(person: Person) -> list[Meeting]:
    """Custody series at establishments the person holds any approved clearance for."""
    venue_ids = db.session.scalars(
        select(Clearance.venue_id).where(Clearance.person_id == person.id, Clearance.status == "approved")
    ).all()
    if not venue_ids:
        return []
    return list(db.session.scalars(
        select(Meeting).where(Meeting.status == ACTIVE, Meeting.venue_id.in_(venue_ids), Meeting.visibility == "custody")
        .options(selectinload(Meeting.venue), selectinload(Meeting.changes))
    ))


def my_signups(person: Person, now: datetime) -> list[Signup]:
    """This person's active places from today on, soonest first."""
    return list(db.session.scalars(
        select(Signup).where(Signup.person_id == person.id, Signup.status.in_(ACTIVE_SIGNUP),
                             Signup.occurrence_date >= now.date() - timedelta(days=1))
        .options(selectinload(Signup.slot).selectinload(RotaSlot.meeting))
        .order_by(Signup.occurrence_date, Signup.id)
    ))


def helpers_for(meeting: Meeting, now: datetime, days: int = 56) -> list[Place]:
    """Who is coming to help at each of a series' next occurrences (for its organiser)."""
    return places([meeting], now, now + timedelta(days=days))
