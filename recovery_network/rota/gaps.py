"""The gaps screen: a week of places short of helpers, by establishment and day, each with who could fill it.

The picker offers only people eligible on that place's date (the one rule, mentors/rules.eligible); everyone
else is listed apart, with the reason, so a co-ordinator can ask them to sort it out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from recovery_network import localzone
from recovery_network.accounts.models import ADMIN, Person
from recovery_network.extensions import db
from recovery_network.meetings.recurrence import localise
from recovery_network.mentors.rules import ClearanceFact, TrainingFact, eligible
from recovery_network.mentors.services import facts_for
from recovery_network.organisations.access import may_act_for, people_within
from recovery_network.rota.models import ROTA_ROLES
from recovery_network.rota.queries import Place, _staffed_meetings, places

SETTINGS = ("custody", "community")


@dataclass(frozen=True)
class Filters:
    """What the co-ordinator narrowed the week to; every field optional. `week` is its first day."""

    week: date
    setting: str = ""
    role: str = ""
    venue_id: int | None = None


@dataclass
class Picker:
    """Who can fill one place: eligible people first, the rest with their reasons."""

    eligible: list[Person] = field(default_factory=list)
    others: list[tuple[Person, tuple[str, ...]]] = field(default_factory=list)


def week_gaps(viewer: Person, filters: Filters, now: datetime, tz: str | None = None) -> list[Place]:
    """Places short of helpers in the seven days from the filtered date (none already past), custody first."""
    tz = tz or localzone.name()
    start = max(localise(datetime.combine(filters.week, time.min), tz), now)
    end = localise(datetime.combine(filters.week + timedelta(days=7), time.min), tz)
    # A co-ordinator fills the gaps of their organisations' sessions (an admin's span all).
    mine = [m for m in _staffed_meetings(viewer) if may_act_for(viewer, m.organisation_id)]
    found = [p for p in places(mine, start, end) if p.short > 0 and _matches(p, filters)]
    found.sort(key=lambda p: (not p.meeting.is_custody, p.occurrence.start))
    return found


def _matches(place: Place, filters: Filters) -> bool:
    """Whether a place passes the filters."""
    if filters.setting == "custody" and not place.meeting.is_custody:
        return False
    if filters.setting == "community" and place.meeting.is_custody:
        return False
    if filters.role in ROTA_ROLES and place.role != filters.role:
        return False
    return filters.venue_id is None or place.meeting.venue_id == filters.venue_id


def grid(gaps: list[Place], first: date) -> list[tuple[str, list[list[Place]]]]:
    """Rows by establishment (custody first, then venues, then online), a column for each of the seven days."""
    rows: dict[tuple, list[list[Place]]] = defaultdict(lambda: [[] for _ in range(7)])
    for place in gaps:
        venue = place.meeting.venue
        key = (not place.meeting.is_custody, venue.name if venue else "Online", venue.id if venue else 0)
        rows[key][(place.occurrence.start.date() - first).days].append(place)
    return [(key[1], rows[key]) for key in sorted(rows)]


def volunteers(by: Person | None = None) -> list[Person]:
    """Approved people who may be put on the rota at all (admins are not volunteers): of the co-ordinator's
    organisations (organisations/access.people_within) when one is named."""
    query = select(Person).where(Person.status == "active")
    if by is not None:
        query = query.where(people_within(by, Person.id))
    people = db.session.scalars(query.options(
        selectinload(Person.roles), selectinload(Person.staff_posts)).order_by(Person.first_name, Person.id))
    return [p for p in people if p.role_codes & set(ROTA_ROLES) and ADMIN not in p.role_codes]


def pickers(gaps: list[Place], people: list[Person]) -> dict[tuple, Picker]:
    """For each place, who is eligible on its date and who is not (with why); each register read once."""
    facts: dict[int, tuple[list[TrainingFact], list[ClearanceFact]]] = {p.id: facts_for(p) for p in people}
    result = {}
    for place in gaps:
        on = place.occurrence.start.date()
        establishment = place.meeting.venue_id if place.meeting.is_custody else None
        taken = {s.person_id for s in place.confirmed}
        picker = Picker()
        for person in people:
            if person.id in taken:
                continue
            if place.role not in person.role_codes:
                picker.others.append((person, (f"Not a {place.role.replace('_', ' ')} on the rota.",)))
                continue
            trainings, clearances = facts[person.id]
            decision = eligible(place.role, on, establishment_id=establishment, trainings=trainings,
                                clearances=clearances, approved=person.is_approved)
            if decision:
                picker.eligible.append(person)
            else:
                picker.others.append((person, decision.reasons))
        result[key(place)] = picker
    return result


def key(place: Place) -> tuple:
    """A place's identity: the series, the rule's date and the role."""
    return (place.meeting.id, place.occurrence.original_start.date(), place.role)
