"""The offline geocoder speaks geopy's interface, never touches the network, and "near" resolves sensibly."""

from __future__ import annotations

import warnings

import pytest
from geopy.exc import GeocoderServiceError, GeocoderTimedOut
from geopy.geocoders import Nominatim
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from recovery_network.venues.geocoding import OfflineGazetteer, make_geocoder, resolve_near
from recovery_network.venues.geo import Point


@pytest.fixture
def geocoder() -> OfflineGazetteer:
    """The default geocoder, as the app builds it."""
    return make_geocoder("offline", "recovery-network-tests")


def test_offline_is_a_geopy_geocoder_built_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        geocoder = make_geocoder("offline", "recovery-network-tests")
    assert isinstance(geocoder, OfflineGazetteer) and isinstance(geocoder, Geocoder)
    assert geocoder.headers["User-Agent"] == "recovery-network-tests"


def test_offline_geocoder_cannot_fetch(geocoder):
    with pytest.raises(GeocoderServiceError):
        geocoder.adapter.get_json("https://nominatim.openstreetmap.org/search", timeout=1, headers={})
    with pytest.raises(GeocoderServiceError):
        geocoder.adapter.get_text("https://example.org/", timeout=1, headers={})


def test_geocode_returns_a_location(geocoder):
    location = geocoder.geocode("Perth")
    assert isinstance(location, Location)
    assert location.address == "Perth, Scotland"
    assert (location.latitude, location.longitude) == pytest.approx((56.39522, -3.43139))
    assert location.raw["kind"] == "place" and location.raw["population"] > 40_000


def test_geocode_many_lists_every_match_most_populous_first(geocoder):
    locations = geocoder.geocode("Newport", exactly_one=False)
    assert isinstance(locations, list) and len(locations) >= 5
    assert locations[0].address == "Newport, Wales"
    populations = [loc.raw["population"] for loc in locations]
    assert populations == sorted(populations, reverse=True)


def test_geocode_postcode_and_unknowns(geocoder):
    assert geocoder.geocode("DD11 1AB").address == "DD11 (Arbroath)"
    assert geocoder.geocode("ZZ99") is None
    assert geocoder.geocode("Nowhereville", exactly_one=False) is None
    assert geocoder.geocode({"city": "Perth"}) is None  # structured queries are an online feature


def test_nominatim_is_only_constructed_and_keeps_to_gb():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        geocoder = make_geocoder("nominatim", "recovery-network-tests")
    assert isinstance(geocoder, Nominatim)
    assert geocoder.headers["User-Agent"] == "recovery-network-tests"


def test_unknown_geocoder_name_is_refused():
    with pytest.raises(ValueError, match="offline"):
        make_geocoder("google", "recovery-network-tests")


@pytest.mark.parametrize(
    ("text", "label", "near"),
    [
        ("Perth", "Perth, Scotland", Point(56.395, -3.431)),
        ("  perth ", "Perth, Scotland", Point(56.395, -3.431)),
        ("PH1", "PH1 (Perth)", Point(56.42, -3.48)),
        ("DD1 4HN", "DD1 (Dundee)", Point(56.46, -2.98)),
        ("56.3950,-3.4308", "56.3950, -3.4308", Point(56.395, -3.4308)),
        ("56.395 -3.43", "56.3950, -3.4300", Point(56.395, -3.43)),
    ],
)
def test_resolve_near(geocoder, text, label, near):
    resolved = resolve_near(text, geocoder)
    assert resolved is not None
    point, got_label = resolved
    assert got_label == label
    assert point.latitude == pytest.approx(near.latitude, abs=0.01)
    assert point.longitude == pytest.approx(near.longitude, abs=0.01)


@pytest.mark.parametrize("text", ["", "   ", "<script>", "x" * 500, "ZZ99", "91,0", "Dundea"])
def test_resolve_near_gives_none_for_what_it_cannot_place(geocoder, text):
    assert resolve_near(text, geocoder) is None


class _FailingGeocoder(OfflineGazetteer):
    """Stands in for an online service that is down (the data is not mocked: it is never reached)."""

    def geocode(self, query, *, exactly_one=True, timeout=None):
        """Fail as geopy does when a service times out."""
        raise GeocoderTimedOut("service unavailable")


def test_resolve_near_treats_a_failing_service_as_not_found():
    failing = _FailingGeocoder()
    assert resolve_near("Perth", failing) is None
    assert resolve_near("56.39,-3.43", failing) == (Point(56.39, -3.43), "56.3900, -3.4300")


def test_every_demo_venue_is_labelled_with_its_own_town(geocoder):
    """An establishment's town is its own (Castle Huntly was labelled Dundee, six miles off): the town a venue names
    is within three miles of the venue itself, for every venue the demo seeds."""
    from recovery_network.demo import VENUES
    from recovery_network.venues.geo import distance_miles

    far = []
    for slug, (_name, _setting, _area, _address, town, _postcode, lat, lon, *_rest) in VENUES.items():
        located = geocoder.geocode(town)
        miles = distance_miles(Point(located.latitude, located.longitude), Point(lat, lon))
        if miles > 3.2:
            far.append(f"{slug}: {town} is {miles:.1f} miles away")
    assert not far, far
