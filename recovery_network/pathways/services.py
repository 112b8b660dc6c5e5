"""Named operations on pathways: open, propose and edit the plan, record contacts, close, erase. Never commit."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from recovery_network.accounts.models import Person
from recovery_network.audit.services import record
from recovery_network.errors import DomainError
from recovery_network.extensions import db
from recovery_network.meetings.models import ACTIVE, CUSTODY, PUBLIC, Meeting
from recovery_network.meetings.recurrence import localise, occurrences
from recovery_network.mentors.services import eligibility
from recovery_network.pathways import plan
from recovery_network.pathways.models import ContactRecord, Pathway, PathwayItem, PathwayTally
from recovery_network.types import utcnow
from recovery_network.venues.geo import Point, bounding_box, distance_miles
from recovery_network.venues.models import Venue

CONSENT_VERSION = "2026-11"
SEARCH_MILES = 25
# A release date may be a week past (recorded late) and at most a year ahead (plans further out go stale).
RELEASE_PAST = timedelta(days=7)
RELEASE_AHEAD = timedelta(days=365)


class PathwayError(DomainError):
    """A change to a pathway that its rules do not allow."""


@dataclass
class PathwayDetails:
    """What a co-ordinator or mentor enters to open a pathway: nothing more than the job needs."""

    first_name: str
    establishment: Venue
    release_date: date
    destination: str
    destination_point: Point
    mentor: Person
    backup_mentor: Person | None
    consent_scope: str
    plain_titles: bool = False


def new_reference() -> str:
    """A short reference to say on the phone, with no meaning inside it."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "RN-" + "".join(secrets.choice(alphabet) for _ in range(6))


def check_mentor(mentor: Person, establishment: Venue, release: date) -> None:
    """The mentor must be able to meet the person inside: cleared for the releasing prison a week before release."""
    decision = eligibility(mentor, "peer_mentor", release - timedelta(days=7), establishment.id)
    if not decision:
        raise PathwayError(f"{mentor.display_name} can't be the mentor: " + " ".join(decision.reasons))


def check_release_date(release: date, today: date) -> None:
    """One window for a release date, opening or changing it: from a week ago to a year ahead."""
    if release < today - RELEASE_PAST:
        raise PathwayError("The release date is more than a week ago; a pathway is planned ahead.")
    if release > today + RELEASE_AHEAD:
        raise PathwayError("The release date is more than a year away.")


def open_pathway(details: PathwayDetails, by: Person, today: date) -> Pathway:
    """Open a pathway with recorded consent, and propose its plan."""
    if not details.establishment.is_custody:
        raise PathwayError("Choose the establishment the person is being released from.")
    check_release_date(details.release_date, today)
    if details.backup_mentor is not None and details.backup_mentor.id == details.mentor.id:
        raise PathwayError("The backup mentor must be someone else.")
    check_mentor(details.mentor, details.establishment, details.release_date)
    pathway = Pathway(
        public_id=secrets.token_urlsafe(12), reference=new_reference(), first_name=details.first_name.strip(),
        establishment=details.establishment, release_date=details.release_date, destination=details.destination,
        destination_latitude=details.destination_point.latitude,
        destination_longitude=details.destination_point.longitude,
        mentor_id=details.mentor.id, backup_mentor_id=details.backup_mentor.id if details.backup_mentor else None,
        consent_scope=details.consent_scope, consent_version=CONSENT_VERSION, consent_at=utcnow(),
        consent_recorded_by_id=by.id, plain_titles=details.plain_titles, status="open",
    )
    db.session.add(pathway)
    db.session.flush()
    propose_plan(pathway)
    tally("opened", today)
    record("pathway.open", by, pathway)
    return pathway


def _slots(meetings: list[Meeting], start: datetime, end: datetime, centre: Point | None) -> list[plan.Slot]:
    """Occurrences of these series in the window, not cancelled, with distance from the destination."""
    result = []
    for meeting in meetings:
        miles = 0.0
        if centre is not None and meeting.venue is not None and meeting.venue.point is not None:
            miles = distance_miles(centre, meeting.venue.point)
        for occ in occurrences(meeting.schedule, meeting.change_map(), start, end):
            if not occ.cancelled:
                result.append(plan.Slot((meeting.id, occ.original_start.date()), occ.start, occ.end, miles))
    return result


def _item(pathway: Pathway, kind: str, start: datetime, end: datetime, slot_key=None, purpose: str = "") -> None:
    """Add one item to the plan."""
    pathway.items.append(PathwayItem(
        kind=kind, meeting_id=slot_key[0] if slot_key else None, occurrence_date=slot_key[1] if slot_key else None,
        starts_at=start, ends_at=end, purpose=purpose, status="planned",
    ))


def propose_plan(pathway: Pathway) -> None:
    """Sessions inside (one a week), the gate meeting, the nearest meeting each week out, appointment placeholders."""
    release = pathway.release_date
    start, end = plan.window(release)
    lo = localise(datetime.combine(start, time.min), "Europe/London")
    hi = localise(datetime.combine(end, time.max), "Europe/London")
    inside = db.session.scalars(
        select(Meeting).where(Meeting.venue_id == pathway.establishment_id, Meeting.visibility == CUSTODY,
                              Meeting.status == ACTIVE).options(selectinload(Meeting.changes))
    ).all()
    for slot in plan.pick_inside(_slots(list(inside), lo, hi, None), release):
        _item(pathway, "custody_session", slot.start, slot.end, slot.key)
    gate = localise(datetime.combine(release, time.fromisoformat(pathway.gate_time)), "Europe/London")
    _item(pathway, "gate_meet", gate, gate + timedelta(hours=2))
    centre = Point(pathway.destination_latitude, pathway.destination_longitude)
    for slot in plan.pick_outside(_slots(nearby_meetings(centre), lo, hi, centre), release):
        _item(pathway, "community_meeting", slot.start, slot.end, slot.key)
    for purpose, day in plan.appointment_days(release):
        at = localise(datetime.combine(day, time(10, 0)), "Europe/London")
        _item(pathway, "appointment", at, at + timedelta(hours=1), purpose=purpose)
    db.session.flush()


def nearby_meetings(centre: Point, miles: float = SEARCH_MILES) -> list[Meeting]:
    """Public, active, in-person series within reach of where the person will live."""
    min_lat, max_lat, min_lon, max_lon = bounding_box(centre, miles * 1.609344)
    found = db.session.scalars(
        select(Meeting).join(Venue, Meeting.venue_id == Venue.id)
        .where(Meeting.visibility == PUBLIC, Meeting.status == ACTIVE,
               Venue.latitude.between(min_lat, max_lat), Venue.longitude.between(min_lon, max_lon))
        .options(selectinload(Meeting.venue), selectinload(Meeting.changes))
    ).all()
    return [m for m in found if distance_miles(centre, m.venue.point) <= miles]


def suggestions(pathway: Pathway, limit: int = 12) -> list[plan.Slot]:
    """Community meetings in the six weeks out, nearest first, that the person could choose instead."""
    centre = Point(pathway.destination_latitude, pathway.destination_longitude)
    lo = localise(datetime.combine(pathway.release_date + timedelta(days=1), time.min), "Europe/London")
    hi = localise(datetime.combine(pathway.release_date + plan.WINDOW, time.max), "Europe/London")
    taken = {(i.meeting_id, i.occurrence_date) for i in pathway.items}
    slots = [s for s in _slots(nearby_meetings(centre), lo, hi, centre) if s.key not in taken]
    return sorted(slots, key=lambda s: (s.distance_miles, s.start))[:limit]


def add_meeting(pathway: Pathway, meeting: Meeting, on: date, by: Person) -> None:
    """Add an occurrence of a public community meeting (or of a session at the releasing prison)."""
    allowed = meeting.visibility == PUBLIC or meeting.venue_id == pathway.establishment_id
    if not allowed or meeting.status != ACTIVE:
        raise PathwayError("That meeting can't be added to this plan.")
    day_start = localise(datetime.combine(on, time.min), meeting.timezone)
    found = [o for o in occurrences(meeting.schedule, meeting.change_map(), day_start - timedelta(days=62),
                                    day_start + timedelta(days=62)) if o.original_start.date() == on]
    if not found or found[0].cancelled:
        raise PathwayError("That meeting doesn't happen on that date.")
    if any(i.meeting_id == meeting.id and i.occurrence_date == on for i in pathway.items):
        raise PathwayError("That meeting is already in the plan.")
    kind = "custody_session" if meeting.is_custody else "community_meeting"
    _item(pathway, kind, found[0].start, found[0].end, (meeting.id, on))
    touch(pathway, by, "pathway.add_item")


def remove_item(pathway: Pathway, item: PathwayItem, by: Person) -> None:
    """Take an item out of the plan."""
    if item.pathway_id != pathway.id:
        raise PathwayError("That item isn't in this plan.")
    pathway.items.remove(item)
    touch(pathway, by, "pathway.remove_item")


def change_release_date(pathway: Pathway, new_date: date, by: Person, today: date) -> None:
    """Early release and postponement are common: re-base the whole plan on the new date."""
    if new_date == pathway.release_date:
        return
    check_release_date(new_date, today)
    check_mentor(pathway.mentor, pathway.establishment, new_date)
    pathway.release_date = new_date
    pathway.items.clear()
    db.session.flush()
    propose_plan(pathway)
    touch(pathway, by, "pathway.rebase")


def record_contact(pathway: Pathway, on: date, outcome: str, by: Person, today: date) -> ContactRecord:
    """The mentor notes a contact: met, not met, or cancelled. No narrative is kept."""
    if outcome not in ("met", "not_met", "cancelled"):
        raise PathwayError("Choose met, not met or cancelled.")
    start, end = plan.window(pathway.release_date)
    if not start <= on <= min(end, today):
        raise PathwayError("The date must be within the pathway and not in the future.")
    contact = ContactRecord(on=on, outcome=outcome, by_id=by.id)
    pathway.contacts.append(contact)
    if outcome == "met" and on == pathway.release_date:
        tally("gate_met", on)
    touch(pathway, by, "pathway.contact")
    return contact


def flags(pathway: Pathway, today: date) -> list[str]:
    """Welfare prompts for the co-ordinator's dashboard."""
    return plan.contact_flags(pathway.release_date, today, [c.on for c in pathway.contacts if c.outcome == "met"])


def touch(pathway: Pathway, by: Person | None, action: str) -> None:
    """Note a change (the feed's ETag and SEQUENCE follow updated_at) and audit it."""
    pathway.updated_at = utcnow()
    db.session.flush()
    record(action, by, pathway)


def tally(measure: str, on: date, count: int = 1) -> None:
    """Add to an anonymous monthly count."""
    month = on.strftime("%Y-%m")
    row = db.session.scalar(select(PathwayTally).where(PathwayTally.month == month, PathwayTally.measure == measure))
    if row is None:
        row = PathwayTally(month=month, measure=measure, count=0)
        db.session.add(row)
    row.count += count


def close(pathway: Pathway, today: date, retention_days: int, by: Person | None = None) -> None:
    """Close a pathway: its feed stops, and it will be erased after the retention period."""
    from recovery_network.pathways.feeds import revoke_all

    if pathway.status != "open":
        return
    pathway.status = "closed"
    pathway.closed_at = utcnow()
    pathway.purge_after = today + timedelta(days=retention_days)
    revoke_all(pathway)
    tally("weeks_with_contact", pathway.release_date,
          plan.weeks_with_contact(pathway.release_date, [c.on for c in pathway.contacts if c.outcome == "met"]))
    touch(pathway, by, "pathway.close")


def erase(pathway: Pathway, by: Person | None, today: date) -> None:
    """Remove every trace of the person (items, contacts, feed links); only anonymous counts remain."""
    if pathway.status == "open":
        tally("weeks_with_contact", pathway.release_date,
              plan.weeks_with_contact(pathway.release_date, [c.on for c in pathway.contacts if c.outcome == "met"]))
    tally("erased", today)
    record("pathway.erase", by, object_type="pathways")  # no id: nothing left points at the person
    db.session.delete(pathway)
    db.session.flush()


def close_and_purge(today: date, retention_days: int) -> tuple[int, int]:
    """Cron: close pathways whose six weeks are over; erase closed ones past their retention date."""
    ended = db.session.scalars(select(Pathway).where(
        Pathway.status == "open", Pathway.release_date < today - plan.WINDOW)).all()
    for pathway in ended:
        close(pathway, today, retention_days)
    due = db.session.scalars(select(Pathway).where(Pathway.status != "open", Pathway.purge_after < today)).all()
    for pathway in due:
        erase(pathway, None, today)
    return len(ended), len(due)
