"""The integration plan, visits by the community mentor, home leave and extensions of support. Never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from recovery_network import localzone
from recovery_network.accounts.models import Person
from recovery_network.errors import DomainError
from recovery_network.extensions import db
from recovery_network.meetings.recurrence import localise
from recovery_network.pathways import plan, planning, standards
from recovery_network.pathways.models import Pathway, PathwayItem
from recovery_network.pathways.planning import touched
from recovery_network.pathways.throughcare_models import (
    EXTENSION_REASONS,
    PLAN_AREAS,
    PLAN_STATUSES,
    WHO,
    Extension,
    HomeLeave,
    PlanArea,
)
from recovery_network.venues.geo import Point

LEAVE_MAX_DAYS = 14
VISIT_KINDS = ("agency_visit", "leave_visit")


class SupportError(DomainError):
    """A change to the plan or support that its rules do not allow."""


@dataclass(frozen=True)
class AreaPlan:
    """What is agreed for one area of the integration plan."""

    area: str
    agreed: str
    who: str
    agency: str
    due_on: date | None
    status: str


def set_area(pathway: Pathway, entry: AreaPlan, by: Person) -> PlanArea:
    """Record what is agreed for an area: who does it (the person, the mentor, or a named agency), by when, status."""
    if entry.area not in PLAN_AREAS:
        raise SupportError("Choose an area of the plan.", "area")
    if entry.who not in WHO:
        raise SupportError("Choose who does it.", "who")
    if entry.status not in PLAN_STATUSES:
        raise SupportError("Choose where it stands.", "status")
    agency = entry.agency.strip() if entry.who == "agency" else ""
    if entry.who == "agency" and not agency:
        raise SupportError("Name the agency that does it.", "agency")
    if len(entry.agreed.strip()) > 120:
        raise SupportError("Keep it under 120 characters.", "agreed")
    if len(agency) > 80:
        raise SupportError("Keep it under 80 characters.", "agency")
    start, _ = plan.window(pathway.release_date)
    end = standards.support_end(pathway.release_date, standards.MAX_EXTENSIONS)
    if entry.due_on is not None and not start <= entry.due_on <= end:
        raise SupportError(f"By when falls within the pathway's weeks: from {start:%-d %b %Y} "
                           f"to {end:%-d %b %Y}.", "due_on")
    row = next((a for a in pathway.plan_areas if a.area == entry.area), None)
    if row is None:
        row = PlanArea(area=entry.area)
        pathway.plan_areas.append(row)
    row.agreed, row.who, row.agency = entry.agreed.strip(), entry.who, agency
    row.due_on, row.status = entry.due_on, entry.status
    touched(pathway, by, "pathway.plan_area")
    return row


def add_visit(pathway: Pathway, kind: str, on: date, at: time, by: Person, today: date) -> PathwayItem:
    """Plan a meeting with the community mentor before release: an agency visit inside, or on home leave."""
    if kind not in VISIT_KINDS:
        raise SupportError("Choose what kind of visit.", "visit_kind")
    if pathway.community_mentor is None:
        raise SupportError("Choose a community mentor first: these visits are theirs.", "visit_kind")
    if not today <= on < pathway.release_date:
        raise SupportError("A visit before release is between today and the day before release.", "on")
    if kind == "leave_visit" and not any(h.starts_on <= on <= h.ends_on for h in pathway.home_leave):
        raise SupportError("That day isn't a home leave day.", "on")
    start = localise(datetime.combine(on, at), localzone.name())
    item = PathwayItem(kind=kind, starts_at=start, ends_at=start + timedelta(hours=1), status="planned", chosen=True)
    pathway.items.append(item)
    touched(pathway, by, "pathway.visit")
    return item


def visit_happened(pathway: Pathway, item: PathwayItem, by: Person, today: date):
    """A planned visit took place: it counts as a face-to-face contact (an agency visit is one of the modes)."""
    from recovery_network.pathways.services import record_contact

    if item.pathway_id != pathway.id or item.kind not in VISIT_KINDS or item.status != "planned":
        raise SupportError("That visit isn't waiting to be recorded.")
    on = item.starts_at.astimezone(localzone.tzinfo()).date()
    if on > today:
        raise SupportError("The visit hasn't happened yet.")
    item.status = "done"
    return record_contact(pathway, on, "agency_visit" if item.kind == "agency_visit" else "face_to_face", by, today)


def add_leave(pathway: Pathway, starts_on: date, ends_on: date, by: Person, today: date) -> HomeLeave:
    """Record home leave days before liberation."""
    if starts_on < today:
        raise SupportError("Home leave starts today or later.", "starts_on")
    if ends_on < starts_on:
        raise SupportError("The last day is before the first.", "ends_on")
    if not ends_on < pathway.release_date:
        raise SupportError("Home leave ends by the day before release.", "ends_on")
    if (ends_on - starts_on).days >= LEAVE_MAX_DAYS:
        raise SupportError(f"Home leave is at most {LEAVE_MAX_DAYS} days.", "ends_on")
    if any(h.starts_on <= ends_on and starts_on <= h.ends_on for h in pathway.home_leave):
        raise SupportError("Those days overlap home leave already recorded.", "starts_on")
    leave = HomeLeave(starts_on=starts_on, ends_on=ends_on)
    pathway.home_leave.append(leave)
    touched(pathway, by, "pathway.leave")
    return leave


def remove_leave(pathway: Pathway, leave: HomeLeave, by: Person) -> None:
    """Take home leave off (it was cancelled)."""
    if leave not in pathway.home_leave:
        raise SupportError("That leave isn't on this pathway.")
    pathway.home_leave.remove(leave)
    touched(pathway, by, "pathway.leave")


def leave_suggestions(pathway: Pathway, limit: int = 6) -> dict[int, list[plan.Slot]]:
    """For each home leave, meetings near home on those days, nearest first, not already in the plan."""
    centre = Point(pathway.destination_latitude, pathway.destination_longitude)
    nearby = planning.nearby_meetings(centre, pathway, planning.plan_miles())
    taken = {(i.meeting_id, i.occurrence_date) for i in pathway.items if i.meeting_id}
    found = {}
    for leave in pathway.home_leave:
        lo, hi = planning.local_day_bounds(leave.starts_on, leave.ends_on)
        slots = [s for s in planning.bookable(nearby, lo, hi, centre) if s.key not in taken]
        found[leave.id] = sorted(slots, key=lambda s: (s.distance_miles, s.start))[:limit]
    return found


def extend(pathway: Pathway, reason: str, by: Person, today: date) -> Extension:
    """Four more weeks of support, agreed with the person, up to the limit; then the pathway closes as usual."""
    if pathway.status != "open":
        raise SupportError("This pathway is closed.", "extension_reason")
    if reason not in EXTENSION_REASONS:
        raise SupportError("Choose the reason for the extension.", "extension_reason")
    if not standards.may_extend(len(pathway.extensions)):
        raise SupportError(f"Support is already at its limit of "
                           f"{standards.support_weeks(standards.MAX_EXTENSIONS)} weeks.", "extension_reason")
    if today < pathway.release_date:
        raise SupportError("Extensions are agreed after release, when the six weeks are under way.",
                           "extension_reason")
    extension = Extension(agreed_on=today, reason=reason, by_id=by.id)
    pathway.extensions.append(extension)
    db.session.flush()
    touched(pathway, by, "pathway.extend")
    return extension
