"""The anonymous monthly counts funders ask for, split by establishment and destination area. Never commits.

A tally row holds a month, a measure code, a prison's name, an area's name and a number: nothing that points at
a person, so it survives erasure. Small numbers are suppressed when shown (suppression.py), not when stored.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from recovery_network.extensions import db
from recovery_network.pathways import standards
from recovery_network.pathways.models import Pathway, PathwayTally
from recovery_network.venues.geo import Point, distance_miles
from recovery_network.venues.models import Venue

AREA_MILES = 30  # further than this from any known venue, the destination counts as "Elsewhere"
ELSEWHERE = "Elsewhere"


def area_for(latitude: float, longitude: float) -> str:
    """The local-authority area of the nearest venue: the coarsest place a count can be split by."""
    centre = Point(latitude, longitude)
    best, best_miles = ELSEWHERE, float(AREA_MILES)
    for venue in db.session.scalars(select(Venue).where(Venue.latitude.is_not(None))):
        if venue.area is None or venue.point is None:
            continue
        miles = distance_miles(centre, venue.point)
        if miles < best_miles:
            best, best_miles = venue.area.name, miles
    return best


def cell_of(pathway: Pathway) -> tuple[str, str]:
    """(establishment, area) for a pathway's counts."""
    return pathway.establishment.name, area_for(pathway.destination_latitude, pathway.destination_longitude)


def tally(measure: str, on: date, cell: tuple[str, str] = ("", ""), count: int = 1) -> None:
    """Add to an anonymous monthly count for one establishment and area."""
    month = on.strftime("%Y-%m")
    establishment, area = cell
    row = db.session.scalar(select(PathwayTally).where(
        PathwayTally.month == month, PathwayTally.measure == measure,
        PathwayTally.establishment == establishment, PathwayTally.area == area))
    if row is None:
        row = PathwayTally(month=month, measure=measure, establishment=establishment, area=area, count=0)
        db.session.add(row)
        db.session.flush()
    row.count += count


def contacts_of(pathway: Pathway) -> list[standards.Contact]:
    """The pathway's contact records as the pure rules see them."""
    return [standards.Contact(c.on, c.mode) for c in pathway.contacts]


def settle(pathway: Pathway) -> None:
    """When support ends (closure or erasure while open): count the standards met, by the month of release."""
    contacts, release, cell = contacts_of(pathway), pathway.release_date, cell_of(pathway)
    far = date.max  # judged as if all the time has passed: what was met is met, what wasn't is missed
    if standards.pre_release(release, far, contacts).state == standards.MET:
        tally("pre_release_two", release, cell)
    if standards.seen_early(release, far, contacts).state == standards.MET:
        tally("seen_within_two", release, cell)
    tally("weeks_with_contact", release, cell, standards.weeks_with_contact(release, contacts))
    tally("weeks_counted", release, cell)
