"""The offline gazetteer answers from the shipped data: real places, real districts, nothing for garbage."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recovery_network.venues.gazetteer import (
    DISTRICTS_FILE,
    PLACE,
    PLACES_FILE,
    POSTCODE_DISTRICT,
    find_place,
    find_places,
    normalise_postcode_district,
    search_key,
    suggest,
)
from recovery_network.venues.geo import Point, distance_km

PERTH = Point(56.39522, -3.43139)
# Where the network serves: Perth & Kinross, Dundee, Angus, Glasgow, Fife, Falkirk/Forth Valley.
NETWORK_DISTRICTS = (
    [f"PH{n}" for n in range(1, 17)] + [f"DD{n}" for n in range(1, 12)]
    + [f"KY{n}" for n in range(1, 17)] + [f"FK{n}" for n in range(1, 22)]
    + [f"G{n}" for n in (*range(1, 6), *range(11, 16), *range(20, 24), *range(31, 35),
                         *range(40, 47), *range(51, 54))]
)


def rows(path) -> list[list[str]]:
    """The shipped file's data rows, read independently of the module under test."""
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# ") and "\t" in lines[1]
    return [line.split("\t") for line in lines[2:]]


def test_perth_is_perth_in_scotland():
    perth = find_place("Perth")
    assert perth is not None
    assert (perth.name, perth.region, perth.kind) == ("Perth", "Scotland", PLACE)
    assert perth.latitude == pytest.approx(56.39, abs=0.02)
    assert perth.longitude == pytest.approx(-3.43, abs=0.02)
    assert perth.population > 40_000
    assert perth.point == Point(perth.latitude, perth.longitude)
    assert perth.label == "Perth, Scotland"


@pytest.mark.parametrize(
    ("name", "lat", "lon"),
    [("Dundee", 56.47, -2.97), ("Forfar", 56.64, -2.89), ("Arbroath", 56.56, -2.59),
     ("Polmont", 55.99, -3.71), ("Shotts", 55.82, -3.80), ("Glasgow", 55.87, -4.26),
     ("Kirkcaldy", 56.11, -3.16), ("Falkirk", 56.00, -3.78)],
)
def test_network_towns_exist_where_they_are(name, lat, lon):
    place = find_place(name)
    assert place is not None and place.name == name and place.region == "Scotland"
    assert distance_km(place.point, Point(lat, lon)) < 3


@pytest.mark.parametrize("query", ["perth", "PERTH", "  Perth  ", "perth.", "Pérth", "Perth, Scotland", "Perth, UK"])
def test_case_whitespace_accents_and_qualifiers_do_not_matter(query):
    assert find_place(query) == find_place("Perth")


@pytest.mark.parametrize("query", ["St Andrews", "st andrews", "St. Andrews", "Saint Andrews", "saint-andrews"])
def test_saint_and_st_are_the_same(query):
    place = find_place(query)
    assert place is not None and place.name == "Saint Andrews" and place.region == "Scotland"


@pytest.mark.parametrize(
    ("query", "name"),
    [("Bo'ness", "Bo'ness"), ("Boness", "Bo'ness"), ("Bo\u2019ness", "Bo'ness"), ("Borrowstounness", "Bo'ness"),
     ("Blairgowrie", "Blairgowrie and Rattray"), ("Kirkby in Furness", "Kirkby-in-Furness"),
     ("Caerdydd", "Cardiff"), ("stoke on trent", "Stoke-on-Trent")],
)
def test_punctuation_and_other_names_resolve(query, name):
    place = find_place(query)
    assert place is not None and place.name == name


def test_shared_names_pick_the_most_populous():
    newports = find_places("Newport")
    assert len(newports) >= 5
    assert newports[0].region == "Wales" and newports[0].population > 100_000
    assert [p.population for p in newports] == sorted((p.population for p in newports), reverse=True)
    assert find_place("Newport") == newports[0]
    richmond = find_place("Richmond")
    assert richmond is not None and richmond.latitude == pytest.approx(51.46, abs=0.02)


def test_a_region_qualifier_chooses_among_shared_names():
    isle_of_wight = find_place("Newport, England")
    assert isle_of_wight is not None and isle_of_wight.region == "England"
    assert isle_of_wight.latitude == pytest.approx(50.70, abs=0.02)
    assert find_place("Perth, Wales") is None


def test_a_short_name_of_a_much_bigger_place_means_that_place():
    newcastle = find_place("Newcastle")
    assert newcastle is not None and newcastle.name == "Newcastle upon Tyne"
    briston = find_place("Briston")  # a Norfolk village, though GeoNames also spells Bristol so
    assert briston is not None and briston.name == "Briston"


@pytest.mark.parametrize(
    ("typo", "meant"),
    [("Dundea", "Dundee"), ("Kirkaldy", "Kirkcaldy"), ("Arbroth", "Arbroath"), ("Perht", "Perth"),
     ("Fofar", "Forfar"), ("Glasgo", "Glasgow"), ("Sant Andrews", "Saint Andrews"), ("Polmnt", "Polmont")],
)
def test_misspellings_suggest_the_place_first(typo, meant):
    assert find_place(typo) is None
    suggestions = suggest(typo)
    assert suggestions and suggestions[0].name == meant


def test_suggestions_are_limited_and_most_populous_first_within_prefix_matches():
    suggestions = suggest("Pe", limit=3)
    assert len(suggestions) == 3
    assert all(p.name.lower().startswith("pe") for p in suggestions)
    assert [p.population for p in suggestions] == sorted((p.population for p in suggestions), reverse=True)
    assert suggest("Dundea", limit=0) == []


@pytest.mark.parametrize(
    ("query", "district", "town", "max_km_from_town"),
    [("PH1", "PH1", "Perth", 8), ("ph1", "PH1", "Perth", 8), ("PH1 (Perth)", "PH1", "Perth", 8),
     ("DD11 1AB", "DD11", "Arbroath", 8), ("dd111ab", "DD11", "Arbroath", 8), ("DD1 4HN", "DD1", "Dundee", 3),
     ("G33", "G33", "Glasgow", 12), ("KY16 9AJ", "KY16", "Saint Andrews", 5), ("FK1", "FK1", "Falkirk", 5)],
)
def test_postcode_districts_resolve_to_their_centroid(query, district, town, max_km_from_town):
    place = find_place(query)
    assert place is not None
    assert (place.name, place.kind, place.town, place.region) == (district, POSTCODE_DISTRICT, town, "Scotland")
    assert distance_km(place.point, find_place(town).point) < max_km_from_town
    assert place.label == f"{district} ({town})"
    assert find_place(place.label) == place


@pytest.mark.parametrize("district", NETWORK_DISTRICTS)
def test_every_district_the_network_serves_is_in_central_scotland(district):
    place = find_place(district)
    assert place is not None and place.region == "Scotland"
    assert 55.7 < place.latitude < 56.9 and -4.8 < place.longitude < -2.4


@pytest.mark.parametrize(
    ("text", "expected"),
    [("PH1", "PH1"), ("ph1", "PH1"), (" DD11 1AB ", "DD11"), ("DD111AB", "DD11"), ("PH11AB", "PH1"),
     ("PH11 1AB", "PH11"), ("EC1A 1BB", "EC1A"), ("G33", "G33"), ("g33 4aa", "G33"), ("ZZ99", "ZZ99"),
     ("Perth", None), ("", None), ("PH", None), ("1PH", None), ("PH1 4H", None), ("PH1 4HNN", None),
     ("P H 1", None), ("12345", None), ("PH1; DROP TABLE", None)],
)
def test_normalise_postcode_district(text, expected):
    assert normalise_postcode_district(text) == expected


@pytest.mark.parametrize(
    "query",
    ["<script>alert(1)</script>", "", "   ", "x" * 500, "Perth" * 100, "ZZ99", "ZZ99 9ZZ", "BT1 1AA",
     "Nowhereville", "\x00", "%", "Perth\tScotland\n", "Ⓟⓔⓡⓣⓗ" * 40],
)
def test_garbage_and_unknowns_resolve_to_nothing(query):
    assert find_place(query) is None
    assert find_places(query) == []
    assert isinstance(suggest(query), list)


def test_non_text_resolves_to_nothing():
    for query in (None, 42, b"Perth", ["Perth"]):
        assert find_place(query) is None  # type: ignore[arg-type]
        assert suggest(query) == []  # type: ignore[arg-type]
        assert normalise_postcode_district(query) is None  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_lookups_never_raise(text):
    place = find_place(text)
    assert place is None or place.kind in (PLACE, POSTCODE_DISTRICT)
    assert len(suggest(text)) <= 5


def test_search_key_folds_what_people_type():
    assert search_key("  St. Andrews ") == "saint andrews"
    assert search_key("Bo\u2019ness") == search_key("Boness") == "boness"
    assert search_key("Blairgowrie & Rattray") == "blairgowrie and rattray"
    assert search_key("Ynys Môn") == "ynys mon"


def test_shipped_places_file_is_gb_sorted_and_plausible():
    places = rows(PLACES_FILE)
    assert 5_800 < len(places) < 6_100
    assert {r[1] for r in places} == {"England", "Scotland", "Wales", "Northern Ireland"}
    assert all(49.8 < float(r[2]) < 60.9 and -8.7 < float(r[3]) < 1.8 for r in places)
    assert places == sorted(places, key=lambda r: (r[0].casefold(), -int(r[4]), float(r[2]), float(r[3])))
    assert all(line.isascii() for r in places for line in r)


def test_shipped_districts_file_is_gb_and_plausible():
    districts = rows(DISTRICTS_FILE)
    assert 2_800 < len(districts) < 3_000
    assert {r[2] for r in districts} == {"England", "Scotland", "Wales"}
    assert all(49.8 < float(r[3]) < 60.9 and -8.7 < float(r[4]) < 1.8 for r in districts)
    assert len({r[0] for r in districts}) == len(districts)
    assert not any(r[0].startswith("BT") for r in districts)  # Code-Point Open is GB only.
