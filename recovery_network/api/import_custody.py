"""Where custody establishments are, for the importer: a row at a prison's postcode, address or position is refused.

A Meeting Guide feed knows nothing of custody; a row giving a prison's address would otherwise become a
public community venue and publish the prison's session on the open pages and feeds.
"""

from __future__ import annotations

from sqlalchemy import select

from recovery_network.api.import_fields import VenueRow
from recovery_network.extensions import db
from recovery_network.venues.geo import Point, distance_miles
from recovery_network.venues.models import CUSTODY, Venue

# A given position this close to a prison is the prison (a site spans a few hundred metres).
CUSTODY_MILES = 0.1


class CustodyPlaces:
    """Custody establishments' addresses, postcodes and positions, so no row can publish a prison's meeting."""

    def __init__(self) -> None:
        """Load every custody establishment once per import."""
        prisons = db.session.scalars(select(Venue).where(Venue.setting == CUSTODY)).all()
        self.postcodes = {_postcode(v.postcode) for v in prisons if v.postcode}
        self.addresses = {(_words(v.address), _words(v.town)) for v in prisons if v.address}
        self.points = [v.point for v in prisons if v.point is not None]

    def reason(self, row: VenueRow) -> str:
        """Why this row's place is a custody establishment's ("" when it is not); names no establishment."""
        if row.postcode and _postcode(row.postcode) in self.postcodes:
            what = "postcode"
        elif row.address and (_words(row.address), _words(row.town)) in self.addresses:
            what = "address"
        elif row.exact and any(distance_miles(Point(row.latitude, row.longitude), p) <= CUSTODY_MILES
                               for p in self.points):
            what = "position"
        else:
            return ""
        return (f"its {what} is a custody establishment's: a meeting in a prison is never published by import "
                "(a co-ordinator adds custody sessions)")


def _postcode(text: str) -> str:
    """A postcode compared without case or spaces."""
    return "".join(text.split()).upper()


def _words(text: str) -> str:
    """An address or town compared without case, punctuation runs or extra spaces."""
    return " ".join(text.replace(",", " ").casefold().split())
