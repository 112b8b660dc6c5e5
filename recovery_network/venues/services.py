"""Turning what a person typed into a place on the map, and venue operations (flush, never commit)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from recovery_network.extensions import db
from recovery_network.venues import gazetteer
from recovery_network.venues.geo import Point, parse_coordinates
from recovery_network.venues.geocoding import make_geocoder, resolve_near
from recovery_network.venues.models import GeocodeResult

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
