"""What a prison's staff need at the gate: who is being released in the next six weeks, and a day sheet of each
session and who is coming in. Reads only; never writes or commits.

Names are as little as the job needs: a person on a pathway by first name or initials, volunteers by first name
and initial. Nothing here says why anyone is inside.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from recovery_network import localzone
from recovery_network.accounts.models import Person
from recovery_network.extensions import db
from recovery_network.meetings.models import ACTIVE, CUSTODY, Meeting
from recovery_network.meetings.recurrence import occurrences
from recovery_network.mentors.rules import clearance_on
from recovery_network.mentors.services import facts_for
from recovery_network.pathways import planning, services
from recovery_network.pathways.models import Pathway, PathwayItem
from recovery_network.rota.models import Signup
from recovery_network.venues.models import Venue

RELEASE_WINDOW = timedelta(weeks=6)
ROLE_WORDS = {"facilitator": "Facilitator", "peer_mentor": "Peer mentor"}


@dataclass(frozen=True)
class Release:
    """One person leaving soon: what the gate needs to leave their pack and expect their mentor."""

    public_id: str
    name: str
    release_date: date
    gate_time: str
    mentor: str
    pack: str  # a pack.PACK_STATES code


@dataclass(frozen=True)
class Visitor:
    """A volunteer coming in for a session: first name and initial, role, and their clearance on that day."""

    name: str
    role: str
    clearance: str  # "valid", "expiring" or "none"
    expires_on: date | None = None


@dataclass(frozen=True)
class SheetSession:
    """One session on the day: its time, room and who is coming in for it."""

    title: str
    start: datetime
    end: datetime
    room: str
    cancelled: bool
    visitors: list[Visitor] = field(default_factory=list)


@dataclass(frozen=True)
class GateEvent:
    """A release, or a community mentor's visit, on the day: the time, what, who for, and who comes."""

    time: str
    what: str
    person: str
    mentor: str
    clearance: str = ""  # for a visit inside: the mentor's clearance on the day ("valid", "expiring", "none")


def _name(person: Person | None) -> str:
    """A volunteer as others see them: first name and initial."""
    return person.display_name if person is not None else "No mentor yet"


def releasing(venues: list[Venue], today: date) -> list[Release]:
    """Open pathways leaving these establishments from today to six weeks ahead, soonest first."""
    pathways = db.session.scalars(
        select(Pathway).where(Pathway.establishment_id.in_([v.id for v in venues]), Pathway.status == "open",
                              Pathway.release_date.between(today, today + RELEASE_WINDOW))
        .options(selectinload(Pathway.items)).order_by(Pathway.release_date, Pathway.id))
    return [Release(p.public_id, p.first_name, p.release_date, p.gate_time, _name(p.gate_mentor),
                    services.pack_state(p)) for p in pathways]


def sessions_on(venue: Venue, day: date) -> list[SheetSession]:
    """Each custody session at the establishment that day, with the volunteers confirmed to come in."""
    lo, hi = planning.local_day_bounds(day, day)
    meetings = db.session.scalars(
        select(Meeting).where(Meeting.venue_id == venue.id, Meeting.visibility == CUSTODY, Meeting.status == ACTIVE)
        .options(selectinload(Meeting.changes)))
    found = []
    for meeting in meetings:
        for occ in occurrences(meeting.schedule, meeting.change_map(), lo, hi):
            found.append(SheetSession(meeting.title, occ.start, occ.end, meeting.room, occ.cancelled,
                                      [] if occ.cancelled else visitors(meeting, occ.original_start.date(), venue,
                                                                        day)))
    return sorted(found, key=lambda s: (s.start, s.title))


def visitors(meeting: Meeting, occurrence_date: date, venue: Venue, day: date) -> list[Visitor]:
    """Volunteers confirmed for one occurrence, with their clearance for this establishment on the day."""
    signups = db.session.scalars(
        select(Signup).where(Signup.meeting_id == meeting.id, Signup.occurrence_date == occurrence_date,
                             Signup.status == "confirmed").options(selectinload(Signup.slot), selectinload(Signup.person))
        .order_by(Signup.id))
    result = []
    for signup in signups:
        state, expires = clearance_on(facts_for(signup.person)[1], venue.id, day)
        result.append(Visitor(signup.person.display_name, ROLE_WORDS.get(signup.slot.role, signup.slot.role),
                              state, expires))
    return result


def gate_events(venue: Venue, day: date) -> list[GateEvent]:
    """Releases from the establishment that day (at the gate meeting's time) and community mentors' visits inside."""
    events = []
    for pathway in db.session.scalars(select(Pathway).where(
            Pathway.establishment_id == venue.id, Pathway.status == "open", Pathway.release_date == day)):
        gate = next((i for i in pathway.items if i.kind == "gate_meet"), None)
        at = gate.starts_at.astimezone(localzone.tzinfo()).strftime("%H:%M") if gate else pathway.gate_time
        events.append(GateEvent(at, "Release: meet at the gate", pathway.first_name, _name(pathway.gate_mentor)))
    lo, hi = planning.local_day_bounds(day, day)
    visits = db.session.scalars(
        select(PathwayItem).join(Pathway).where(
            Pathway.establishment_id == venue.id, Pathway.status == "open", PathwayItem.kind == "agency_visit",
            PathwayItem.status == "planned", PathwayItem.starts_at.between(lo, hi)))
    for item in visits:
        at = "" if item.all_day else item.starts_at.astimezone(localzone.tzinfo()).strftime("%H:%M")
        mentor = item.pathway.community_mentor or item.pathway.mentor
        state = clearance_on(facts_for(mentor)[1], venue.id, day)[0] if mentor is not None else "none"
        events.append(GateEvent(at, "Visit before release", item.pathway.first_name, _name(mentor), state))
    return sorted(events, key=lambda e: (e.time or "99", e.person))
