"""Pure geometry for "meetings near a place": points, distances, search boxes, coordinate parsing."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from typing import NamedTuple, TypeVar

from geographiclib.geodesic import Geodesic

T = TypeVar("T")

MILES_TO_KM = 1.609344  # The international mile, exactly.
EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius, for approximate (SQL-side) distances only.
# Shortest ground length of one degree of latitude (at the equator) and of longitude per
# cos(latitude) (the equatorial radius) on WGS-84: dividing by these over-sizes the box.
_KM_PER_DEGREE_LAT_MIN = 110.574
_KM_PER_DEGREE_LON_MIN = math.pi / 180 * 6378.137
_BOX_MARGIN = 1.001  # Float and ellipsoid slack: a box a metre too big costs nothing.
_MAX_COORDINATE_TEXT = 64
_NUMBER = r"[+-]?(?:\d{1,3}(?:\.\d*)?|\.\d+)"
_COORDINATES = re.compile(rf"\s*({_NUMBER})\s*(?:[,;]\s*|\s+)({_NUMBER})\s*", re.ASCII)  # ASCII digits only.


class Point(NamedTuple):
    """A WGS-84 position in decimal degrees, latitude first as people write it."""

    latitude: float
    longitude: float


def distance_km(a: Point, b: Point) -> float:
    """Distance people are shown: geodesic on WGS-84 (great_circle errs up to 0.5%, and we rank few rows)."""
    # geographiclib is what geopy's geodesic calls; asking it directly skips geopy's Point parsing (~2x).
    return Geodesic.WGS84.Inverse(a.latitude, a.longitude, b.latitude, b.longitude, Geodesic.DISTANCE)["s12"] / 1000


def distance_miles(a: Point, b: Point) -> float:
    """Distance in miles, the unit UK readers expect beside a meeting."""
    return distance_km(a, b) / MILES_TO_KM


def bounding_box(centre: Point, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) holding every point within radius_km, to pre-filter indexed rows.

    Deliberately a little too big, never too small: latitude uses the shortest degree on the
    ellipsoid, and longitude uses the degree at the box's poleward edge, where a circle is
    widest in degrees. A box that reaches a pole or crosses the antimeridian takes every
    longitude rather than wrapping, because a SQL BETWEEN cannot wrap.
    """
    radius_km = max(radius_km, 0.0) * _BOX_MARGIN
    dlat = radius_km / _KM_PER_DEGREE_LAT_MIN
    min_lat, max_lat = centre.latitude - dlat, centre.latitude + dlat
    poleward = max(abs(min_lat), abs(max_lat))
    if poleward >= 90.0:
        return max(min_lat, -90.0), min(max_lat, 90.0), -180.0, 180.0
    dlon = radius_km / (_KM_PER_DEGREE_LON_MIN * math.cos(math.radians(poleward)))
    min_lon, max_lon = centre.longitude - dlon, centre.longitude + dlon
    if min_lon < -180.0 or max_lon > 180.0:
        return min_lat, max_lat, -180.0, 180.0
    return min_lat, max_lat, min_lon, max_lon


def approx_sq_distance_factor(centre: Point) -> float:
    """k = cos(lat0), so SQL can ORDER BY (lat-lat0)^2 + ((lon-lon0)*k)^2 before exact ranking in Python.

    The equirectangular approximation ranks points within a few tens of miles in the same
    order as the true distance to well under 1%, and needs only arithmetic that SQLite and
    PostgreSQL both have, so the database can sort and LIMIT on it; the rows it returns are
    then measured exactly with distance_km.
    """
    return math.cos(math.radians(centre.latitude))


def approx_sq_distance(centre: Point, point: Point) -> float:
    """The same equirectangular squared distance (in degrees^2) in Python, to rank and to test against."""
    k = approx_sq_distance_factor(centre)
    return (point.latitude - centre.latitude) ** 2 + ((point.longitude - centre.longitude) * k) ** 2


def approx_distance_km(centre: Point, point: Point) -> float:
    """Equirectangular distance in km: good to a fraction of a percent at town scale."""
    return math.radians(math.sqrt(approx_sq_distance(centre, point))) * EARTH_RADIUS_KM


def nearest(
    centre: Point,
    items: Iterable[T],
    point_of: Callable[[T], Point | None],
    radius_km: float | None = None,
    limit: int | None = None,
) -> list[tuple[float, T]]:
    """Items with a position, closest first as (km, item); those outside radius_km are left out."""
    ranked = []
    for item in items:
        point = point_of(item)
        if point is None:
            continue
        km = distance_km(centre, point)
        if radius_km is None or km <= radius_km:
            ranked.append((km, item))
    ranked.sort(key=lambda pair: pair[0])
    return ranked if limit is None else ranked[: max(limit, 0)]


def parse_coordinates(text: str) -> Point | None:
    """Read "56.3950,-3.4308" or "56.395 -3.43" (e.g. from "near me"), or None if it is not a real position."""
    if not isinstance(text, str) or len(text) > _MAX_COORDINATE_TEXT:
        return None
    match = _COORDINATES.fullmatch(text)
    if match is None:
        return None
    latitude, longitude = float(match.group(1)), float(match.group(2))
    # The pattern already refuses nan/inf/exponents; the range check refuses the impossible.
    if not (-90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0):
        return None
    return Point(latitude, longitude)
