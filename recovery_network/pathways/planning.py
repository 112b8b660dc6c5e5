"""The plan itself: proposing it, choosing meetings, real appointments, and re-basing on a new release date.

Never commits. A meeting item points at an occurrence (meeting, original date); its time and place are read
through Meeting.occurrence_on wherever the plan is shown, so a cancellation or a move reaches the plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from recovery_network import localzone
from recovery_network.accounts.models import Person
from recovery_network.audit.services import record
from recovery_network.errors import DomainError
from recovery_network.extensions import db
from recovery_network.meetings.models import ACTIVE, CLOSED, CUSTODY, PUBLIC, Meeting
from recovery_network.meetings.recurrence import localise, occurrences
from recovery_network.pathways import appointments, plan
from recovery_network.pathways.nearby import enrolled_meetings, nearby_meetings, offered_to, plan_miles
from recovery_network.pathways.models import Pathway, PathwayItem
from recovery_network.types import utcnow
from recovery_network.venues.geo import Point, distance_miles



class PlanError(DomainError):
    """A change to a plan that its rules do not allow."""


@dataclass(frozen=True)
class Appointment:
    """What a mentor enters for an appointment: a kind, optionally who and where, a day and (once known) a time."""

    kind: str
    on: date
    at: time | None = None
    minutes: int = 60
    agency: str = ""
    place: str = ""


def local_day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The first and last instants of a run of local days."""
    return localise(datetime.combine(start, time.min), localzone.name()), localise(datetime.combine(end, time.max), localzone.name())


def whole_day(day: date) -> tuple[datetime, datetime]:
    """Local midnight to the next midnight: an item with a date but no time yet."""
    return (localise(datetime.combine(day, time.min), localzone.name()),
            localise(datetime.combine(day + timedelta(days=1), time.min), localzone.name()))


def bookable(meetings: list[Meeting], start: datetime, end: datetime, centre: Point | None) -> list[plan.Slot]:
    """Occurrences the plan may book in the window: not cancelled, not an unconfirmed public holiday, not begun."""
    now = utcnow()
    result = []
    for meeting in meetings:
        miles = 0.0
        if centre is not None and meeting.venue is not None and meeting.venue.point is not None:
            miles = distance_miles(centre, meeting.venue.point)
        for occ in occurrences(meeting.schedule, meeting.change_map(), max(start, now), end):
            if not occ.cancelled and not occ.holiday:
                result.append(plan.Slot((meeting.id, occ.original_start.date()), occ.start, occ.end, miles))
    return result


def _taken(pathway: Pathway) -> set[tuple[int, date]]:
    """The occurrences already in the plan."""
    return {(i.meeting_id, i.occurrence_date) for i in pathway.items if i.meeting_id}


def _item(pathway: Pathway, kind: str, start: datetime, end: datetime, slot_key=None, **fields) -> PathwayItem:
    """Add one item to the plan."""
    item = PathwayItem(kind=kind, meeting_id=slot_key[0] if slot_key else None,
                       occurrence_date=slot_key[1] if slot_key else None, starts_at=start, ends_at=end,
                       status="planned", **fields)
    pathway.items.append(item)
    return item


def propose_plan(pathway: Pathway, today: date) -> None:
    """Sessions inside (one a week), the gate, the nearest meeting each week out, appointment days to confirm.

    Nothing in the past is proposed: a plan opened late starts today. Occurrences already chosen by hand are
    left as they are and not proposed twice.
    """
    release = pathway.release_date
    start, end = plan.window(release)
    lo, hi = local_day_bounds(max(start, today), end)
    taken = _taken(pathway)
    inside = db.session.scalars(
        select(Meeting).where(Meeting.venue_id == pathway.establishment_id, Meeting.visibility == CUSTODY,
                              Meeting.status == ACTIVE, offered_to(pathway)).options(selectinload(Meeting.changes))
    ).all()
    for slot in plan.pick_inside(bookable(list(inside), lo, hi, None), release):
        if slot.key not in taken:
            _item(pathway, "custody_session", slot.start, slot.end, slot.key)
    if release >= today:
        gate = localise(datetime.combine(release, time.fromisoformat(pathway.gate_time)), localzone.name())
        _item(pathway, "gate_meet", gate, gate + timedelta(hours=2))
    centre = Point(pathway.destination_latitude, pathway.destination_longitude)
    # Only meetings within the plan's distance: when none is near, the plan says so and offers online ones.
    for slot in plan.pick_outside(bookable(nearby_meetings(centre, pathway, plan_miles()), lo, hi, centre), release):
        if slot.key not in taken:
            _item(pathway, "community_meeting", slot.start, slot.end, slot.key)
    for kind, day in plan.appointment_days(release):
        if day >= today:
            # A whole day "to be confirmed" until the mentor knows the time: never a made-up 10:00 for all.
            _item(pathway, "appointment", *whole_day(day), purpose=kind, all_day=True)
    db.session.flush()


def nothing_near(pathway: Pathway) -> str:
    """What the plan and the pack say when no meeting is within the plan's distance; "" when one is."""
    centre = Point(pathway.destination_latitude, pathway.destination_longitude)
    miles = plan_miles()
    if nearby_meetings(centre, pathway, miles):
        return ""
    return f"No meeting within {miles:g} miles of {pathway.destination} yet — here are online meetings."


def online_meetings(pathway: Pathway, limit: int = 6) -> list[tuple[Meeting, plan.Slot]]:
    """Online meetings this plan may offer, each with its next occurrence in the six weeks out, soonest first."""
    found = db.session.scalars(
        select(Meeting).where(Meeting.visibility == PUBLIC, Meeting.status == ACTIVE, Meeting.online_url.is_not(None),
                              offered_to(pathway)).options(selectinload(Meeting.changes))
    ).all()
    lo, hi = local_day_bounds(pathway.release_date + timedelta(days=1), pathway.release_date + plan.WINDOW)
    taken = _taken(pathway)
    first: dict[int, plan.Slot] = {}
    for slot in sorted(bookable(list(found), lo, hi, None), key=lambda s: s.start):
        if slot.key not in taken:
            first.setdefault(slot.key[0], slot)
    meetings = {m.id: m for m in found}
    return [(meetings[key], slot) for key, slot in sorted(first.items(), key=lambda kv: kv[1].start)][:limit]


def suggestions(pathway: Pathway, limit: int = 12, today: date | None = None) -> list[plan.Slot]:
    """Community meetings in the six weeks out, nearest first, that the person could choose instead; the courses
    they are enrolled on come first (inside the releasing prison too, from today)."""
    centre = Point(pathway.destination_latitude, pathway.destination_longitude)
    lo, hi = local_day_bounds(pathway.release_date + timedelta(days=1), pathway.release_date + plan.WINDOW)
    taken = _taken(pathway)
    slots = [s for s in bookable(nearby_meetings(centre, pathway), lo, hi, centre) if s.key not in taken]
    enrolled = enrolled_meetings(pathway)
    if enrolled:
        courses = db.session.scalars(select(Meeting).where(
            Meeting.id.in_(sorted(enrolled)), Meeting.status == ACTIVE,
            or_(Meeting.visibility == PUBLIC, Meeting.venue_id == pathway.establishment_id))
            .options(selectinload(Meeting.venue), selectinload(Meeting.changes))).all()
        first, _ = local_day_bounds(today or utcnow().date(), today or utcnow().date())
        seen = {s.key for s in slots}
        # Sessions inside the prison from today; a community course only once the person is out.
        slots += [s for s in bookable(list(courses), first, hi, centre) if s.key not in taken and s.key not in seen
                  and (s.key[0] in {c.id for c in courses if c.is_custody} or _out_on(pathway, s.key[1]))]
    return sorted(slots, key=lambda s: (s.key[0] not in enrolled, s.distance_miles, s.start))[:limit]


def nearest_instead(pathway: Pathway, after: datetime, days: int = 7) -> tuple[Meeting, plan.Slot] | None:
    """The nearest other meeting in the week from a cancelled one (the pack says 'go to this instead')."""
    centre = Point(pathway.destination_latitude, pathway.destination_longitude)
    meetings = {m.id: m for m in nearby_meetings(centre, pathway, plan_miles())}
    slots = [s for s in bookable(list(meetings.values()), after, after + timedelta(days=days), centre)]
    if not slots:
        return None
    best = min(slots, key=lambda s: (s.distance_miles, s.start))
    return meetings[best.key[0]], best


def add_meeting(pathway: Pathway, meeting: Meeting, on: date, by: Person) -> None:
    """Add an occurrence of a public community meeting (or of a session at the releasing prison), chosen by hand."""
    allowed = meeting.visibility == PUBLIC or meeting.venue_id == pathway.establishment_id
    if not allowed or meeting.status != ACTIVE:
        raise PlanError("That meeting can't be added to this plan.")
    if meeting.listing == CLOSED and meeting.id not in enrolled_meetings(pathway):
        raise PlanError("That group is by referral: enrol the person on it first.")
    occurrence = meeting.occurrence_on(on)
    if occurrence is None or occurrence.cancelled:
        raise PlanError("That meeting doesn't happen on that date.")
    if occurrence.end <= utcnow():
        raise PlanError("That date has passed.")
    if not meeting.is_custody and not _out_on(pathway, on):
        raise PlanError(f"{pathway.first_name} is still inside on {on.strftime('%-d %B')}: a community meeting can "
                        "go in the plan from release day, or on a day of home leave.", "occurrence_date")
    if (meeting.id, on) in _taken(pathway):
        raise PlanError("That meeting is already in the plan.")
    kind = "custody_session" if meeting.is_custody else "community_meeting"
    _item(pathway, kind, occurrence.start, occurrence.end, (meeting.id, on), chosen=True)
    touched(pathway, by, "pathway.add_item")


def _out_on(pathway: Pathway, on: date) -> bool:
    """Whether the person can be at a community meeting that day: after release, or during home leave."""
    return on >= pathway.release_date or any(leave.starts_on <= on <= leave.ends_on for leave in pathway.home_leave)


def set_appointment(pathway: Pathway, item: PathwayItem | None, details: Appointment, by: Person) -> PathwayItem:
    """Add an appointment, or give one its real kind, agency, place, day and time; it is then kept on a re-base."""
    if details.kind not in appointments.KINDS:
        raise PlanError("Choose what the appointment is for.")
    if item is not None and (item.pathway_id != pathway.id or item.kind != "appointment"):
        raise PlanError("That appointment isn't in this plan.")
    if not 5 <= details.minutes <= 480:
        raise PlanError("An appointment lasts between 5 minutes and 8 hours.")
    if details.at is None:
        start, end = whole_day(details.on)
    else:
        start = localise(datetime.combine(details.on, details.at), localzone.name())
        end = start + timedelta(minutes=details.minutes)
    if item is None:
        item = _item(pathway, "appointment", start, end)
    item.purpose, item.agency, item.place = details.kind, details.agency.strip(), details.place.strip()
    item.starts_at, item.ends_at, item.all_day = start, end, details.at is None
    item.chosen, item.status = True, "planned"
    bump(item, told=True)  # the mentor made this change, so there is nothing new to tell
    touched(pathway, by, "pathway.appointment")
    return item


def remove_item(pathway: Pathway, item: PathwayItem, by: Person) -> None:
    """Take an item out of the plan."""
    if item.pathway_id != pathway.id:
        raise PlanError("That item isn't in this plan.")
    pathway.items.remove(item)
    touched(pathway, by, "pathway.remove_item")


def keep_item(pathway: Pathway, item: PathwayItem, by: Person) -> None:
    """Keep a chosen item that a new release date left outside the window (the mentor decided)."""
    if item.pathway_id != pathway.id or item.status != "review":
        raise PlanError("That item isn't waiting for a decision.")
    item.status = "planned"
    touched(pathway, by, "pathway.keep_item")


def rebase(pathway: Pathway, new_date: date, today: date) -> list[PathwayItem]:
    """Move the plan to a new release date: what was proposed is proposed again, what was chosen by hand stays
    while it still fits, and what no longer fits is marked for a decision (returned), never deleted."""
    pathway.release_date = new_date
    start, end = plan.window(new_date)
    for item in [i for i in pathway.items if not i.chosen]:
        pathway.items.remove(item)
    db.session.flush()
    review = []
    for item in pathway.items:
        day = item.starts_at.astimezone(localzone.tzinfo()).date()
        fits = start <= day <= end and day >= today
        if not fits and item.status == "planned":
            item.status = "review"
            bump(item, told=True)
            review.append(item)
        elif fits and item.status == "review":
            item.status = "planned"
            bump(item, told=True)
    propose_plan(pathway, today)
    return review


def bump(item: PathwayItem, told: bool = False) -> None:
    """A change phones must pick up (SEQUENCE goes up, RFC 5545 §3.8.7.4); unless told, the mentor must pass it on."""
    item.sequence = (item.sequence or 0) + 1
    item.updated_at = utcnow()
    if told:
        item.told_sequence = item.sequence


def touched(pathway: Pathway, by: Person | None, action: str) -> None:
    """Note a change (the feed's ETag follows updated_at) and audit it."""
    pathway.updated_at = utcnow()
    db.session.flush()
    record(action, by, pathway)
