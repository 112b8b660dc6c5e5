"""Tying a person's place on a closed course to their pathway, so the plan may offer that course (and only then).

Never commits. The course keeps its own register (courses/); this only links an enrolment to the pathway, by
enrolling the person under their pathway's first name or initials, or linking the place they already have.
When the person leaves the course, the plan lets go of its coming sessions (`_left_course`, on the courses'
signal: courses know nothing of pathways).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select

from recovery_network.accounts.models import COORDINATOR, Person
from recovery_network.audit.services import record
from recovery_network.courses import services as courses
from recovery_network.courses.models import LEFT, Enrolment
from recovery_network.errors import DomainError
from recovery_network.extensions import db
from recovery_network.meetings.models import ACTIVE, CLOSED, PUBLIC, Meeting
from recovery_network.meetings.visibility import visible_to
from recovery_network.organisations.access import within
from recovery_network.pathways.models import Pathway
from recovery_network.pathways.planning import touched
from recovery_network.signals import enrolment_left


class EnrolmentRefused(DomainError):
    """The person cannot be put on that course from here."""


def enrollable(pathway: Pathway, by: Person, today: date) -> list[Meeting]:
    """Closed courses still running that this person runs (any, for a co-ordinator) and may see: in the community,
    or inside the prison the pathway releases from."""
    query = select(Meeting).where(
        Meeting.listing == CLOSED, Meeting.status == ACTIVE, visible_to(by),
        or_(Meeting.finishes_on.is_(None), Meeting.finishes_on >= today),
        or_(Meeting.visibility == PUBLIC, Meeting.venue_id == pathway.establishment_id)).order_by(Meeting.title)
    # A closed course takes people by referral to the organisation that runs it: its co-ordinators enrol, or the
    # facilitator who runs it; another organisation's co-ordinator refers rather than enrols.
    if by.has_role(COORDINATOR):
        query = query.where(within(by, Meeting.organisation_id))
    else:
        query = query.where(Meeting.organiser_id == by.id)
    return [m for m in db.session.scalars(query) if courses.is_course(m)]


def linked(pathway: Pathway) -> list[Enrolment]:
    """The course places tied to this pathway, left ones included (they say so)."""
    return list(db.session.scalars(select(Enrolment).where(Enrolment.pathway_id == pathway.id)
                                   .order_by(Enrolment.id)))


def enrol(pathway: Pathway, meeting: Meeting, by: Person, today: date) -> Enrolment:
    """Put the person on a closed course under their pathway's name, or tie the place they already hold to it."""
    if pathway.status != "open":
        raise EnrolmentRefused("This pathway is closed.")
    if meeting not in enrollable(pathway, by, today):
        raise EnrolmentRefused("You can't enrol people on that course from here.")
    place = db.session.scalar(select(Enrolment).where(
        Enrolment.meeting_id == meeting.id, Enrolment.status != LEFT, Enrolment.pathway_id.is_(None),
        Enrolment.name.ilike(pathway.first_name)))
    if place is None:
        try:
            place = courses.enrol(meeting, pathway.first_name, by, today)
        except courses.CourseError as error:
            raise EnrolmentRefused(str(error)) from None
    elif any(e.meeting_id == meeting.id and e.status != LEFT for e in linked(pathway)):
        raise EnrolmentRefused(f"{pathway.first_name} is already on this course.")
    place.pathway_id = pathway.id
    db.session.flush()
    record("course.link_pathway", by, place, detail=f"pathway:{pathway.id}")
    return place


@enrolment_left.connect
def _left_course(enrolment: Enrolment, *, today: date, by: Person | None) -> None:
    """A person who left a course has none of its sessions from today on in their plan, feed or pack; the ones
    already past stay, as what happened."""
    if enrolment.pathway_id is None:
        return
    pathway = db.session.get(Pathway, enrolment.pathway_id)
    coming = [i for i in pathway.items if i.meeting_id == enrolment.meeting_id
              and i.occurrence_date is not None and i.occurrence_date >= today]
    if not coming:
        return
    for item in coming:
        pathway.items.remove(item)  # as remove_item does: the feed stops carrying it, and its ETag moves on
    touched(pathway, by, "pathway.course_left")
