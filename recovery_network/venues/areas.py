"""Areas and what they cover: council areas by name, or postcode districts. Flush, never commit."""

from __future__ import annotations

import re

from sqlalchemy import select

from recovery_network.errors import DomainError
from recovery_network.extensions import db
from recovery_network.slugs import slugify
from recovery_network.venues import councils, gazetteer
from recovery_network.venues.models import Area, AreaCoverage

MAX_ITEMS = 60
# A council area's name: letters, spaces, '&', hyphens, apostrophes and dots ("Perth and Kinross", "Na h-Eileanan Siar").
_COUNCIL = re.compile(r"^[^\W\d_][\w '&.-]{1,78}[^\W_]$|^[^\W\d_]{2}$")


class AreaRefused(DomainError):
    """An area or its coverage that cannot be added as given."""


def parse_coverage(text: str) -> list[tuple[str, str]]:
    """Council areas and postcode districts, one per line or comma, as (kind, value); a reason for the first bad one."""
    items = [" ".join(part.split()) for part in re.split(r"[\n;,]+", text or "")]
    items = [item for item in items if item]
    if not items:
        raise AreaRefused("Say what the area covers: council areas (Fife) or postcode districts (KY1), one a line.")
    if len(items) > MAX_ITEMS:
        raise AreaRefused(f"Give at most {MAX_ITEMS} council areas or districts; add more to the area later.")
    found: dict[tuple[str, str], None] = {}
    for item in items:
        district = gazetteer.normalise_postcode_district(item) if len(item) <= 4 else None
        if district is not None:
            if gazetteer.find_place(district) is None:
                raise AreaRefused(f"{district} is not a postcode district we know. Check it against a letter.")
            found[("postcode_district", district)] = None
        elif _COUNCIL.match(item):
            council = councils.find_council(item)
            if council is None:
                raise AreaRefused(f"“{item[:40]}” is not a council area we know. Use its name, like Fife or "
                                  "Perth and Kinross, or postcode districts like KY1.")
            found[("council", council.name)] = None  # one spelling: "perth & kinross" is Perth and Kinross
        else:
            raise AreaRefused(f"“{item[:40]}” is neither a council area's name nor a postcode district like KY1.")
    return list(found)


def _slug(name: str) -> str:
    """A slug no other area has."""
    base, n = slugify(name)[:70], 2
    candidate = base
    while db.session.scalar(select(Area.id).where(Area.slug == candidate)) is not None:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def add_area(name: str, coverage: list[tuple[str, str]]) -> Area:
    """A new area covering council areas or districts that no other area covers yet."""
    name = " ".join((name or "").split())
    if not 2 <= len(name) <= 120:
        raise AreaRefused("Give the area a name of 2 to 120 characters.")
    if db.session.scalar(select(Area.id).where(Area.name == name)) is not None:
        raise AreaRefused(f"There is already an area called {name}.")
    area = Area(slug=_slug(name), name=name)
    db.session.add(area)
    cover(area, coverage)
    return area


def cover(area: Area, coverage: list[tuple[str, str]]) -> None:
    """Add council areas or districts to an area; one already covered by an area is named, not moved."""
    for kind, value in coverage:
        owner = db.session.scalar(select(Area).join(AreaCoverage).where(
            AreaCoverage.kind == kind, AreaCoverage.value.ilike(value)))
        if owner is area:
            continue
        if owner is not None:
            raise AreaRefused(f"{value} is already covered by {owner.name}.")
        area.coverage.append(AreaCoverage(kind=kind, value=value))
    db.session.flush()
