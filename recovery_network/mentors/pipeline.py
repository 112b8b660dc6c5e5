"""The clearance pipeline: requests not yet decided, by establishment, with how long each has waited."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from recovery_network.extensions import db
from recovery_network.mentors.models import Clearance
from recovery_network.venues.models import Venue

WAITING = ("requested", "pending")
# Chase an undecided request after this many days, and again each time as many more pass.
CHASE_DAYS = 14


@dataclass(frozen=True)
class Waiting:
    """One undecided clearance and the moment it entered its present status."""

    clearance: Clearance
    since: datetime

    def days(self, today: date) -> int:
        """Whole days waited so far."""
        return max(0, (today - self.since.date()).days)

    def overdue(self, today: date, chase_days: int = CHASE_DAYS) -> bool:
        """Waited long enough to chase."""
        return self.days(today) >= chase_days


def waiting_since(clearance: Clearance) -> datetime:
    """When the clearance entered its present status (its last recorded move), or when it was last updated."""
    moves = [c.at for c in clearance.changes if c.to_status == clearance.status]
    return max(moves) if moves else clearance.updated_at


def waiting(person_id: int | None = None, people=None) -> list[Waiting]:
    """Every requested or pending clearance (or one person's), longest-waiting first; `people(column)`, when
    given, is the viewer's bound on whose (a co-ordinator's organisations' people: organisations/access.py)."""
    query = select(Clearance).where(Clearance.status.in_(WAITING)).options(
        selectinload(Clearance.changes), selectinload(Clearance.venue), selectinload(Clearance.person))
    if person_id is not None:
        query = query.where(Clearance.person_id == person_id)
    if people is not None:
        query = query.where(people(Clearance.person_id))
    found = [Waiting(c, waiting_since(c)) for c in db.session.scalars(query)]
    return sorted(found, key=lambda w: (w.since, w.clearance.id))


def by_establishment(items: list[Waiting]) -> list[tuple[Venue, list[Waiting]]]:
    """The pipeline grouped by establishment, by name."""
    groups: dict[int, list[Waiting]] = defaultdict(list)
    venues: dict[int, Venue] = {}
    for item in items:
        groups[item.clearance.venue_id].append(item)
        venues[item.clearance.venue_id] = item.clearance.venue
    return [(venues[i], groups[i]) for i in sorted(groups, key=lambda i: venues[i].name)]
