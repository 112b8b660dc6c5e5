"""Finding meetings: filters on day, time, kind and mode, and a near-search that never scans everything.

Near-search pre-filters on the indexed latitude/longitude box, orders by an equirectangular distance
in SQL (accurate to well under 1% at these radii), pages there, and ranks the page by true distance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from math import ceil

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from recovery_network.extensions import db
from recovery_network.meetings.models import ACTIVE, Meeting
from recovery_network.meetings.recurrence import Occurrence, next_occurrences
from recovery_network.meetings.visibility import listed
from recovery_network.venues.geo import (
    MILES_TO_KM,
    Point,
    approx_sq_distance_factor,
    bounding_box,
    distance_miles,
)
from recovery_network.venues.models import Venue

TIMES_OF_DAY: dict[str, tuple[time, time]] = {
    "morning": (time(0, 0), time(12, 0)),
    "afternoon": (time(12, 0), time(17, 0)),
    "evening": (time(17, 0), time(23, 59, 59)),
}
# Degrees of latitude per mile, for the SQL-side distance estimate.
DEG_PER_MILE = 1 / 69.05
# The SQL estimate may be a hair short at the edge; keep a little extra and let the exact check decide.
EDGE_SLACK = 1.01
# Count no further than this: past it the page says "1,000+" and counting costs more than it tells.
COUNT_CAP = 1000
# Nearest-first needs only the first page: try a small circle, widen only if it holds too few.
RINGS = (0.0625, 0.125, 0.25, 0.5, 1.0)


@dataclass(frozen=True)
class Criteria:
    """What the person asked for; every field optional."""

    near: Point | None = None
    radius_miles: float = 10.0
    days: frozenset[int] = frozenset()
    time_of_day: str | None = None
    kind: str | None = None
    mode: str | None = None  # "in_person" | "online"
    page: int = 1


@dataclass
class Result:
    """One meeting in a result list, with how far away it is and when it next meets."""

    meeting: Meeting
    distance_miles: float | None = None
    upcoming: list[Occurrence] = field(default_factory=list)

    @property
    def next(self) -> Occurrence | None:
        """The next occurrence that is not cancelled."""
        return next((o for o in self.upcoming if not o.cancelled), None)


@dataclass
class Page:
    """A page of results and enough to link to the others."""

    results: list[Result]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least one, even when empty); counting stops at COUNT_CAP."""
        return max(1, ceil(min(self.total, COUNT_CAP) / self.per_page))

    @property
    def more_than_cap(self) -> bool:
        """True when there are more matches than we counted: the page says '1,000+'."""
        return self.total > COUNT_CAP


def _filters(criteria: Criteria, viewer: object | None, today: date) -> list[ColumnElement[bool]]:
    """SQL conditions for everything but distance."""
    conditions = [
        listed(viewer),
        Meeting.status == ACTIVE,
        or_(Meeting.finishes_on.is_(None), Meeting.finishes_on >= today),
    ]
    if criteria.days:
        conditions.append(Meeting.weekday.in_(sorted(criteria.days)))
    if criteria.time_of_day in TIMES_OF_DAY:
        lo, hi = TIMES_OF_DAY[criteria.time_of_day]
        conditions.append(and_(Meeting.start_time >= lo, Meeting.start_time < hi))
    if criteria.kind:
        conditions.append(Meeting.kind == criteria.kind)
    if criteria.mode == "online":
        conditions.append(Meeting.online_url.is_not(None))
    elif criteria.mode == "in_person":
        conditions.append(Meeting.venue_id.is_not(None))
    return conditions


def _near(query: Select, centre: Point, radius_miles: float) -> tuple[Select, ColumnElement]:
    """Join the venues inside the radius (their indexed box, then the estimate) and return the estimate."""
    min_lat, max_lat, min_lon, max_lon = bounding_box(centre, radius_miles * MILES_TO_KM)
    k = approx_sq_distance_factor(centre)
    dlat = Venue.latitude - centre.latitude
    dlon = (Venue.longitude - centre.longitude) * k
    estimate = dlat * dlat + dlon * dlon
    limit = (radius_miles * DEG_PER_MILE * EDGE_SLACK) ** 2
    # A plain join: with ix_meetings_venue_search the planner walks the box's venues and looks up their
    # meetings, reading only indexes, so a capped count or a page stops early wherever the place is.
    in_circle = query.join(Venue, Meeting.venue_id == Venue.id).where(
        Venue.latitude.between(min_lat, max_lat),
        Venue.longitude.between(min_lon, max_lon),
        estimate <= limit,
    )
    return in_circle, estimate


def _rings(total: int, wanted: int) -> list[float]:
    """The circles to try, smallest first: those expected to hold `wanted` meetings, all when we can't tell.

    With `total` meetings in the whole circle, a circle of fraction f of the radius holds about total·f².
    A count stopped at the cap says only that the place is dense, so then every ring is worth a try.
    """
    if total > COUNT_CAP:
        return list(RINGS)
    return [f for f in RINGS if total * f * f >= wanted] or [1.0]


def _nearest(base: Select, centre: Point, radius_miles: float, offset: int, limit: int, total: int) -> list[Meeting]:
    """The page of meetings nearest the centre, from the smallest circle that fills it.

    Each ring orders only ids (index-only); the page's twenty meetings are loaded afterwards.
    """
    ids: list[int] = []
    for fraction in _rings(total, 2 * (offset + limit)):
        query, estimate = _near(base.with_only_columns(Meeting.id), centre, radius_miles * fraction)
        ids = list(db.session.scalars(query.order_by(estimate, Meeting.id).limit(limit).offset(offset)))
        # Everything outside this circle is further than everything inside it, so a full page is final.
        if len(ids) == limit:
            break
    if not ids:
        return []
    rows = db.session.scalars(
        select(Meeting).where(Meeting.id.in_(ids)).options(joinedload(Meeting.venue), selectinload(Meeting.changes))
    ).all()
    by_id = {m.id: m for m in rows}
    return [by_id[i] for i in ids if i in by_id]


def search(
    criteria: Criteria, *, now: datetime, per_page: int = 20, upcoming: int = 3, viewer: object | None = None
) -> Page:
    """One page of meetings matching the criteria, nearest first, each with its next `upcoming` dates."""
    today = now.date()
    base = select(Meeting).where(*_filters(criteria, viewer, today))
    page = max(1, criteria.page)
    near = criteria.near is not None and criteria.mode != "online"
    query = _near(base, criteria.near, criteria.radius_miles)[0] if near else base
    capped = query.with_only_columns(Meeting.id).order_by(None).limit(COUNT_CAP + 1).subquery()
    total = db.session.scalar(select(func.count()).select_from(capped)) or 0
    if near:
        rows = _nearest(base, criteria.near, criteria.radius_miles, (page - 1) * per_page, per_page, total)
    else:
        rows = db.session.scalars(
            query.options(selectinload(Meeting.venue), selectinload(Meeting.changes))
            .order_by(Meeting.weekday, Meeting.start_time, Meeting.title, Meeting.id)
            .limit(per_page).offset((page - 1) * per_page)
        ).all()
    distances: dict[int, float | None] = {}  # per venue: several meetings share one
    results = [_result(m, criteria, now, upcoming, distances) for m in rows]
    if near:
        # The exact distance decides the edge and the order within the page.
        results = [r for r in results if r.distance_miles is not None and r.distance_miles <= criteria.radius_miles]
        results.sort(key=lambda r: (r.distance_miles, r.meeting.id))
    return Page(results=results, total=total, page=page, per_page=per_page)


def _result(meeting: Meeting, criteria: Criteria, now: datetime, upcoming: int, distances: dict) -> Result:
    """A result with its distance and next few dates."""
    distance = None
    if criteria.near is not None and meeting.venue is not None and meeting.venue.point is not None:
        if meeting.venue.id not in distances:
            distances[meeting.venue.id] = distance_miles(criteria.near, meeting.venue.point)
        distance = distances[meeting.venue.id]
    dates = next_occurrences(meeting.schedule, meeting.change_map(), now, count=upcoming) if upcoming else []
    return Result(meeting=meeting, distance_miles=distance, upcoming=dates)
