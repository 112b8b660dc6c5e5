"""Turn what a person typed into "near" into a search centre, offline by default, through geopy's interface.

The offline gazetteer is the default so a search never waits on, leaks to or breaks with a
third-party service; Nominatim can be chosen by configuration, and caching its answers in
the database is the caller's job (this module stays pure: no Flask, no database).
"""

from __future__ import annotations

from typing import Any

from geopy.adapters import BaseSyncAdapter
from geopy.exc import GeocoderServiceError, GeopyError
from geopy.geocoders import Nominatim
from geopy.geocoders.base import DEFAULT_SENTINEL, Geocoder
from geopy.location import Location

from recovery_network.venues.councils import as_place, find_council
from recovery_network.venues.gazetteer import MAX_QUERY_LENGTH, Place, find_places
from recovery_network.venues.geo import Point, parse_coordinates

OFFLINE = "offline"
NOMINATIM = "nominatim"
GEOCODERS = (OFFLINE, NOMINATIM)


class _NoNetworkAdapter(BaseSyncAdapter):
    """An adapter that refuses every request, so the offline geocoder cannot reach the network by accident."""

    def __init__(self, *, proxies: Any = None, ssl_context: Any = None) -> None:
        """Accept geopy's adapter arguments and open nothing (no opener, no session, no socket)."""
        super().__init__(proxies=proxies, ssl_context=ssl_context)

    def get_json(self, url: str, *, timeout: Any, headers: Any) -> Any:
        """Refuse: the offline gazetteer never fetches."""
        raise GeocoderServiceError(f"offline geocoder made a network request: {url}")

    def get_text(self, url: str, *, timeout: Any, headers: Any) -> str:
        """Refuse: the offline gazetteer never fetches."""
        raise GeocoderServiceError(f"offline geocoder made a network request: {url}")


class OfflineGazetteer(Geocoder):
    """A geopy geocoder over the shipped UK gazetteer: towns, postcode districts, full postcodes and council areas."""

    def __init__(self, *, user_agent: str | None = None) -> None:
        """Set up with an adapter that cannot fetch; construction does no I/O and warns about nothing."""
        super().__init__(user_agent=user_agent, adapter_factory=_NoNetworkAdapter)

    def geocode(
        self, query: str, *, exactly_one: bool = True, timeout: Any = DEFAULT_SENTINEL
    ) -> Location | list[Location] | None:
        """Locate a UK place or postcode district as geopy does: one Location, a list, or None."""
        if not isinstance(query, str):
            return None
        places = find_places(query, limit=1 if exactly_one else 10)
        if not places and (council := find_council(query)) is not None:
            places = [as_place(council)]  # "Fife", "Perth and Kinross": no town has the name, the council area does
        if not places:
            return None
        locations = [_location(place) for place in places]
        return locations[0] if exactly_one else locations


def _location(place: Place) -> Location:
    """A geopy Location whose address is the label we show back, and whose raw keeps the Place."""
    raw = {"name": place.name, "region": place.region, "kind": place.kind, "town": place.town,
           "population": place.population, "place": place}
    return Location(place.label, (place.latitude, place.longitude), raw)


class _GBNominatim(Nominatim):
    """Nominatim limited to the UK, so "Perth" is Perth in Scotland rather than Western Australia."""

    def geocode(self, query: Any, *, exactly_one: bool = True, timeout: Any = DEFAULT_SENTINEL,
                **kwargs: Any) -> Location | list[Location] | None:
        """Geocode as Nominatim does, defaulting the search to GB."""
        kwargs.setdefault("country_codes", "gb")
        return super().geocode(query, exactly_one=exactly_one, timeout=timeout, **kwargs)


def make_geocoder(name: str = OFFLINE, user_agent: str = "recovery-network") -> Geocoder:
    """The configured geocoder: "offline" (default, no network) or "nominatim" (OpenStreetMap, online)."""
    if name == OFFLINE:
        return OfflineGazetteer(user_agent=user_agent)
    if name == NOMINATIM:
        # Nominatim's usage policy requires an identifying User-Agent (geopy refuses its default).
        return _GBNominatim(user_agent=user_agent)
    raise ValueError(f"unknown geocoder {name!r}; choose one of {', '.join(GEOCODERS)}")


def format_point(point: Point) -> str:
    """Coordinates as a short label, 4 dp (about 10 m): enough to recognise, no false precision."""
    return f"{point.latitude:.4f}, {point.longitude:.4f}"


def resolve_near(text: str, geocoder: Geocoder) -> tuple[Point, str] | None:
    """The search centre and its label for "near": coordinates first, then the geocoder; None if unresolved.

    A geocoder failure (timeout, refusal, service down) is treated as "not found" so that a
    search page degrades to a message instead of an error.
    """
    if not isinstance(text, str) or len(text) > MAX_QUERY_LENGTH or not text.strip():
        return None
    point = parse_coordinates(text)
    if point is not None:
        return point, format_point(point)
    try:
        location = geocoder.geocode(text.strip(), exactly_one=True)
    except GeopyError:
        return None
    if location is None:
        return None
    point = Point(location.latitude, location.longitude)
    # Online answers are long ("Perth, Perth and Kinross, Alba / Scotland, PH1 5..., United
    # Kingdom"); the first two parts name the place well enough, and ours already are two.
    label = ", ".join(part.strip() for part in location.address.split(",")[:2])
    return point, label
