"""Plans follow their meetings: a date cancelled, moved or restored reaches every plan that holds it.

Each item holding that occurrence gets a higher SEQUENCE (phones update), its stored times follow the move
(for ordering; pages, feeds and the pack read the occurrence itself), and the mentor, the backup and the
co-ordinators get a flag and one email through the outbox, saying only that something changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from recovery_network.accounts.models import COORDINATOR, Person
from recovery_network.extensions import db
from recovery_network.organisations.access import may_act_for
from recovery_network.mail import public_url
from recovery_network.meetings.models import Meeting
from recovery_network.meetings.recurrence import Occurrence
from recovery_network.pathways.models import Pathway, PathwayItem
from recovery_network.pathways.planning import bump
from recovery_network.rota.reminders import queue
from recovery_network.signals import occurrence_changed, series_changed
from recovery_network.types import utcnow

WHAT = {"cancelled": "cancelled", "moved": "moved", "restored": "back on", "confirmed": "confirmed"}


@dataclass(frozen=True)
class PlanChange:
    """A change to a planned occurrence that the person has not been told about yet."""

    item: PathwayItem
    occurrence: Occurrence | None  # None: the series no longer meets that day

    def words(self, meeting: Meeting | None, first_name: str, title: str, hide_time: bool = False) -> str:
        """'Tue 29 Dec café cancelled — tell Dee', for the pathway page; a custody session the reader may not see
        is named only 'session inside', with no new time."""
        occ = self.occurrence
        when = (occ.original_start if occ else self.item.starts_at).strftime("%a %-d %b")
        if occ is None or occ.cancelled:
            happened = "cancelled"
        elif occ.moved:
            happened = "moved" if hide_time else f"moved to {occ.start:%a %-d %b %H:%M}"
        else:
            happened = "back on as usual"
        return f"{when} {title} {happened} — tell {first_name}"


def _open_items(meeting: Meeting, on: date | None = None) -> list[PathwayItem]:
    """Items in open plans that hold an occurrence of this meeting (on one date, or from today on)."""
    query = (select(PathwayItem).join(Pathway)
             .where(PathwayItem.meeting_id == meeting.id, Pathway.status == "open"))
    query = query.where(PathwayItem.occurrence_date == on) if on is not None else query.where(
        PathwayItem.starts_at >= utcnow())
    return list(db.session.scalars(query))


def follow(item: PathwayItem, meeting: Meeting) -> None:
    """Bring one item up to date with its occurrence, and tell the people who support the person, once."""
    occurrence = meeting.occurrence_on(item.occurrence_date)
    if occurrence is not None and not occurrence.cancelled:
        item.starts_at, item.ends_at = occurrence.start, occurrence.end
    bump(item)
    item.pathway.updated_at = utcnow()
    db.session.flush()
    link = public_url("pathways.detail", public_id=item.pathway.public_id)
    body = ("A date in a plan you support has changed. Open the pathway to see what changed and tell the "
            f"person:\n\n{link}")
    for person in supporters(item.pathway):
        queue(f"plan-change:{item.id}:{item.sequence}:{person.id}", person, "A plan you support has changed", body)


def supporters(pathway: Pathway) -> list[Person]:
    """Who hears about a change: the mentor, the backup, and the co-ordinators of the organisation that owns it."""
    people = {p.id: p for p in (pathway.mentor, pathway.backup_mentor) if p is not None and p.is_active}
    for person in db.session.scalars(select(Person).where(Person.status == "active")):
        if person.has_role(COORDINATOR) and may_act_for(person, pathway.organisation_id):
            people.setdefault(person.id, person)
    return list(people.values())


@occurrence_changed.connect
def _occurrence_changed(meeting: Meeting, *, on: date, what: str) -> None:
    """A cancelled, moved, confirmed or restored date reaches every open plan that holds it."""
    for item in _open_items(meeting, on):
        follow(item, meeting)


@series_changed.connect
def _series_changed(meeting: Meeting, *, today: date, helpers_changed: bool) -> None:
    """A new day or time for a series reaches the future dates plans hold (only those that changed)."""
    for item in _open_items(meeting):
        occurrence = meeting.occurrence_on(item.occurrence_date)
        if occurrence is None or (occurrence.start, occurrence.end) != (item.starts_at, item.ends_at):
            follow(item, meeting)


def changes_to_tell(pathway: Pathway, meetings: dict[int, Meeting]) -> list[PlanChange]:
    """Changes to planned occurrences the mentor has not yet marked as passed on."""
    found = []
    for item in pathway.items:
        if item.meeting_id and item.sequence > item.told_sequence and item.status != "review":
            meeting = meetings.get(item.meeting_id)
            occurrence = meeting.occurrence_on(item.occurrence_date) if meeting is not None else None
            found.append(PlanChange(item, occurrence))
    return found


def mark_told(pathway: Pathway, item: PathwayItem) -> None:
    """The mentor has told the person about this change."""
    if item.pathway_id != pathway.id:
        raise ValueError("not this plan's item")
    item.told_sequence = item.sequence
