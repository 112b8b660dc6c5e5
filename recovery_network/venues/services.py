"""Turning what a person typed into a place on the map, and venue operations (flush, never commit)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from recovery_network.errors import DomainError
from recovery_network.extensions import db
from recovery_network.slugs import slugify
from recovery_network.venues import gazetteer
from recovery_network.venues.geo import Point, parse_coordinates
from recovery_network.venues.geocoding import make_geocoder, resolve_near
from recovery_network.venues.models import COMMUNITY, Area, GeocodeResult, Venue

MAX_QUERY = 100


@dataclass(frozen=True)
class Located:
    """Where a search is centred, and the name to show for it."""

    point: Point
    label: str


def locate(text: str) -> Located | None:
    """Coordinates, a town or a postcode district → a point; None when nothing matches."""
    text = " ".join(text.split())[:MAX_QUERY]
    if not text:
        return None
    if (point := parse_coordinates(text)) is not None:
        return Located(point, "your location")
    name = current_app.config.get("GEOCODER", "offline")
    geocoder = make_geocoder(name, current_app.config.get("GEOCODER_USER_AGENT", "recovery-network"))
    if name == "offline":
        found = resolve_near(text, geocoder)
        return Located(*found) if found else None
    return _cached_online(text, geocoder)


def _cached_online(text: str, geocoder) -> Located | None:
    """Ask an online geocoder once per query and remember the answer (including 'not found')."""
    key = text.casefold()
    cached = db.session.scalar(select(GeocodeResult).where(GeocodeResult.query == key))
    if cached is None:
        found = resolve_near(text, geocoder)
        cached = GeocodeResult(query=key)
        if found:
            cached.latitude, cached.longitude = found[0]
            cached.label = found[1]
        db.session.add(cached)
        db.session.flush()
    if cached.latitude is None or cached.longitude is None:
        return None
    return Located(Point(cached.latitude, cached.longitude), cached.label or text)


def suggestions(text: str, limit: int = 5) -> list[str]:
    """Place names close to a misspelt one, to offer as links."""
    return [place.name for place in gazetteer.suggest(text[:MAX_QUERY], limit=limit)]


def not_found(text: str) -> str:
    """What to say beside a place field we could not resolve, with close names if there are any."""
    close = suggestions(text or "", limit=3)
    hint = f" Did you mean {' or '.join(close)}?" if close else " Try the nearest town."
    return ("We couldn't find that as a town, council area or postcode district in Great Britain." + hint)


class VenueNotPlaced(DomainError):
    """A venue must be on the map, or near-searches could never find its meetings."""


def create_community_venue(
    name: str,
    address: str,
    town: str,
    postcode: str,
    area: Area,
    accessibility: str = "",
    directions: str = "",
    step_free: bool = False,
) -> Venue:
    """Add a community venue placed on the map by its postcode, or failing that its town."""
    postcode = " ".join(postcode.upper().split())
    found = locate(postcode) if postcode else None
    if found is None and town.strip():
        found = locate(town)
    if found is None:
        raise VenueNotPlaced("We couldn't place that address on the map: check the postcode")
    venue = Venue(
        slug=_unique_venue_slug(f"{name} {town}"),
        name=name.strip(),
        setting=COMMUNITY,
        area=area,
        address=address.strip(),
        town=town.strip(),
        postcode=postcode,
        latitude=found.point.latitude,
        longitude=found.point.longitude,
        step_free=step_free,
        accessibility=accessibility.strip(),
        directions=directions.strip(),
    )
    db.session.add(venue)
    db.session.flush()
    return venue


def _unique_venue_slug(text: str) -> str:
    """A slug no other venue has: the name and town, numbered if taken."""
    base = slugify(text)
    candidate, n = base, 2
    while db.session.scalar(select(Venue.id).where(Venue.slug == candidate)) is not None:
        candidate, n = f"{base}-{n}", n + 1
    return candidate
