"""Geometry is pure: distances, search boxes and coordinate parsing, checked against geopy's geodesic."""

from __future__ import annotations

import math

import pytest
from geopy.distance import distance as geodesic_distance
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from recovery_network.venues.geo import (
    MILES_TO_KM,
    Point,
    approx_distance_km,
    approx_sq_distance,
    approx_sq_distance_factor,
    bounding_box,
    distance_km,
    distance_miles,
    nearest,
    parse_coordinates,
)

PERTH = Point(56.39522, -3.43139)
DUNDEE = Point(56.46913, -2.97489)
GLASGOW = Point(55.86515, -4.25763)


def inside(point: Point, box: tuple[float, float, float, float]) -> bool:
    """Whether a point passes the same BETWEEN filter the SQL pre-filter applies."""
    min_lat, max_lat, min_lon, max_lon = box
    return min_lat <= point.latitude <= max_lat and min_lon <= point.longitude <= max_lon


def destination(centre: Point, bearing: float, km: float) -> Point:
    """Where a geodesic of km along bearing from centre ends (geopy, independent of our code)."""
    end = geodesic_distance(kilometers=km).destination((centre.latitude, centre.longitude), bearing)
    return Point(end.latitude, end.longitude)


def test_perth_to_dundee_is_about_eighteen_miles_as_the_crow_flies():
    assert distance_miles(PERTH, DUNDEE) == pytest.approx(18.23, abs=0.05)
    assert distance_km(PERTH, DUNDEE) == pytest.approx(29.34, abs=0.05)


def test_distance_is_symmetric_and_zero_to_itself():
    assert distance_km(PERTH, GLASGOW) == pytest.approx(distance_km(GLASGOW, PERTH))
    assert distance_km(PERTH, PERTH) == 0


def test_mile_is_the_international_mile():
    assert MILES_TO_KM == 1.609344
    assert distance_km(PERTH, GLASGOW) / distance_miles(PERTH, GLASGOW) == pytest.approx(MILES_TO_KM)


def test_box_around_perth_has_sensible_size():
    min_lat, max_lat, min_lon, max_lon = bounding_box(PERTH, 10 * MILES_TO_KM)
    assert max_lat - min_lat == pytest.approx(2 * 16.09 / 110.6, rel=0.01)
    # A degree of longitude is about 61.7 km at 56.4 degrees north.
    assert max_lon - min_lon == pytest.approx(2 * 16.09 / 61.7, rel=0.02)
    assert inside(PERTH, (min_lat, max_lat, min_lon, max_lon))
    assert not inside(DUNDEE, bounding_box(PERTH, 20))
    assert inside(DUNDEE, bounding_box(PERTH, 30))


def test_zero_or_negative_radius_is_a_point_box():
    assert bounding_box(PERTH, 0) == (PERTH.latitude, PERTH.latitude, PERTH.longitude, PERTH.longitude)
    assert bounding_box(PERTH, -5) == bounding_box(PERTH, 0)


def test_box_reaching_a_pole_takes_every_longitude():
    min_lat, max_lat, min_lon, max_lon = bounding_box(Point(89.9, 10.0), 50)
    assert (min_lon, max_lon) == (-180.0, 180.0)
    assert max_lat == 90.0 and min_lat < 89.9


def test_box_crossing_the_antimeridian_takes_every_longitude():
    box = bounding_box(Point(-17.0, 179.9), 50)
    assert box[2:] == (-180.0, 180.0)
    assert inside(destination(Point(-17.0, 179.9), 90, 49), box)


@settings(max_examples=300, deadline=None)
@given(
    lat=st.floats(49.8, 60.9),
    lon=st.floats(-8.2, 1.8),
    radius=st.floats(0.1, 200),
    bearing=st.floats(0, 360),
    fraction=st.one_of(st.just(1.0), st.floats(0, 1)),  # the edge itself, half of the time
)
def test_every_point_within_the_radius_of_a_uk_centre_is_in_the_box(lat, lon, radius, bearing, fraction):
    centre = Point(lat, lon)
    assert inside(destination(centre, bearing, radius * fraction), bounding_box(centre, radius))


@settings(max_examples=300, deadline=None)
@given(lat=st.floats(-89, 89), lon=st.floats(-179, 179), radius=st.floats(0.1, 1000), bearing=st.floats(0, 360))
def test_points_on_the_radius_edge_anywhere_on_earth_are_in_the_box(lat, lon, radius, bearing):
    centre = Point(lat, lon)
    assert inside(destination(centre, bearing, radius), bounding_box(centre, radius))


@pytest.mark.parametrize("bearing", [0, 45, 90, 135, 180, 225, 270, 315])
def test_box_is_not_wildly_bigger_than_the_circle(bearing):
    box = bounding_box(PERTH, 25)
    assert not inside(destination(PERTH, bearing, 40), box)


def test_longitude_factor_is_cos_latitude():
    assert approx_sq_distance_factor(PERTH) == pytest.approx(math.cos(math.radians(56.39522)))
    assert approx_sq_distance_factor(Point(0, 0)) == 1.0


def test_equirectangular_distance_matches_geodesic_at_town_scale():
    for other in (DUNDEE, GLASGOW, Point(56.64382, -2.89001)):
        assert approx_distance_km(PERTH, other) == pytest.approx(distance_km(PERTH, other), rel=0.01)


@settings(max_examples=200, deadline=None)
@given(
    b1=st.floats(0, 360), d1=st.floats(0.1, 80), b2=st.floats(0, 360), d2=st.floats(0.1, 80),
)
def test_sql_side_ordering_agrees_with_true_distance(b1, d1, b2, d2):
    assume(min(d1, d2) < 0.98 * max(d1, d2))  # The approximation only has to separate clear gaps.
    p1, p2 = destination(PERTH, b1, d1), destination(PERTH, b2, d2)
    assert (approx_sq_distance(PERTH, p1) < approx_sq_distance(PERTH, p2)) == (d1 < d2)


def test_nearest_ranks_filters_and_skips_unplaced_items():
    items = [("glasgow", GLASGOW), ("nowhere", None), ("dundee", DUNDEE), ("perth", PERTH)]
    ranked = nearest(PERTH, items, lambda item: item[1])
    assert [item[0] for _, item in ranked] == ["perth", "dundee", "glasgow"]
    assert [item[0] for _, item in nearest(PERTH, items, lambda item: item[1], radius_km=40)] == ["perth", "dundee"]
    assert len(nearest(PERTH, items, lambda item: item[1], limit=1)) == 1
    assert ranked[1][0] == pytest.approx(29.34, abs=0.05)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("56.3950,-3.4308", Point(56.395, -3.4308)),
        ("56.395 -3.43", Point(56.395, -3.43)),
        ("  56.395 ,  -3.43  ", Point(56.395, -3.43)),
        ("56.395;-3.43", Point(56.395, -3.43)),
        ("+56.395,-3.43", Point(56.395, -3.43)),
        ("-33.8688, 151.2093", Point(-33.8688, 151.2093)),
        ("90,180", Point(90, 180)),
        ("-90,-180", Point(-90, -180)),
        ("0,0", Point(0, 0)),
        ("56,-3", Point(56, -3)),
        (".5,-.5", Point(0.5, -0.5)),
    ],
)
def test_parse_coordinates_accepts_positions(text, expected):
    assert parse_coordinates(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "", "   ", "Perth", "PH1 4HN", "56.395", "56.395,", ",-3.43", "56.395,-3.43,10",
        "90.0001,0", "-91,0", "0,180.5", "0,-181", "56,3950",
        "nan,nan", "NaN,0", "inf,0", "0,-inf", "Infinity,1", "1e1,2", "56.395,-3.43e0",
        "56.395--3.43", "--56,3", "56.3.9,-3", "<script>alert(1)</script>", "5" * 100 + ",1",
        "\x00", "56.395\n-3.43\n1", "٥٦,٣",
    ],
)
def test_parse_coordinates_rejects_everything_else(text):
    assert parse_coordinates(text) is None


def test_parse_coordinates_rejects_non_text():
    assert parse_coordinates(None) is None  # type: ignore[arg-type]
    assert parse_coordinates(56.3) is None  # type: ignore[arg-type]


@given(st.text(max_size=80))
def test_parse_coordinates_never_raises_and_only_returns_valid_points(text):
    point = parse_coordinates(text)
    if point is not None:
        assert -90 <= point.latitude <= 90 and -180 <= point.longitude <= 180
        assert math.isfinite(point.latitude) and math.isfinite(point.longitude)
