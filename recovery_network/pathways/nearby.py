"""Which meetings a pathway's plan may offer: near enough to the destination, and closed groups only to those enrolled.

Never commits, never writes.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from recovery_network.courses.models import LEFT, Enrolment
from recovery_network.extensions import db
from recovery_network.meetings.models import ACTIVE, CLOSED, PUBLIC, Meeting
from recovery_network.pathways.models import Pathway
from recovery_network.venues.geo import Point, bounding_box, distance_miles
from recovery_network.venues.models import Venue

SEARCH_MILES = 25  # how far the hand-picked suggestions reach (each shows its distance)
DEFAULT_PLAN_MILES = 10  # the plan books a meeting only this near the destination (config: PLAN_MEETING_MILES)


def plan_miles() -> float:
    """How near the destination a meeting must be for the plan to book it (a setting; 10 miles by default)."""
    return float(current_app.config.get("PLAN_MEETING_MILES", DEFAULT_PLAN_MILES))


def enrolled_meetings(pathway: Pathway) -> set[int]:
    """The courses this person is on (an enrolment tied to this pathway, not left)."""
    if pathway.id is None:
        return set()
    return set(db.session.scalars(select(Enrolment.meeting_id).where(
        Enrolment.pathway_id == pathway.id, Enrolment.status != LEFT)))


def offered_to(pathway: Pathway):
    """A closed group or course is by referral: offered to this plan only when the person is enrolled on it."""
    return or_(Meeting.listing != CLOSED, Meeting.id.in_(sorted(enrolled_meetings(pathway))))


def nearby_meetings(centre: Point, pathway: Pathway, miles: float = SEARCH_MILES) -> list[Meeting]:
    """Public, active, in-person series within reach of where the person will live, that this plan may offer."""
    min_lat, max_lat, min_lon, max_lon = bounding_box(centre, miles * 1.609344)
    found = db.session.scalars(
        select(Meeting).join(Venue, Meeting.venue_id == Venue.id)
        .where(Meeting.visibility == PUBLIC, Meeting.status == ACTIVE, offered_to(pathway),
               Venue.latitude.between(min_lat, max_lat), Venue.longitude.between(min_lon, max_lon))
        .options(selectinload(Meeting.venue), selectinload(Meeting.changes))
    ).all()
    return [m for m in found if distance_miles(centre, m.venue.point) <= miles]
