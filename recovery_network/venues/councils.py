"""Council areas (and England's shire counties) as search centres, offline: "Fife", "Perth and Kinross", "Kent".

Pure: no Flask, no database. The data ships in ``recovery_network/data/gb_council_areas.tsv``, built from OS
Code-Point Open by ``scripts/build_council_areas.py``; it is read once per process on first use (371 rows).
A council area is found only when no town has the name, so "Stirling" stays the town and "Fife" is the council.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

from recovery_network.venues.gazetteer import COUNCIL as PLACE_KIND
from recovery_network.venues.gazetteer import DATA_DIR, Place, _clean, _data_rows, search_key

COUNCILS_FILE = DATA_DIR / "gb_council_areas.tsv"
COUNCIL = "council"
COUNTY = "county"


class Council(NamedTuple):
    """One council area: its name, kind, nation, centroid, and the postcode districts mostly inside it."""

    name: str
    kind: str
    region: str
    latitude: float
    longitude: float
    districts: tuple[str, ...]


@functools.cache
def _load() -> tuple[dict[str, Council], dict[str, Council]]:
    """The councils by the key of their name, and of each other name people use for them."""
    by_name, by_other = {}, {}
    for name, kind, region, lat, lon, others, districts in _data_rows(COUNCILS_FILE):
        council = Council(name, kind, region, float(lat), float(lon), tuple(filter(None, districts.split("|"))))
        # A unitary council beats a shire county of the same name; neither shadows the other's districts.
        if by_name.get(search_key(name), council).kind == COUNCIL and kind == COUNTY:
            continue
        by_name[search_key(name)] = council
        for other in filter(None, others.split("|")):
            by_other.setdefault(search_key(other), council)
    return by_name, by_other


def find_council(query: str) -> Council | None:
    """The council area a name means ("fife", "Perth & Kinross", "Western Isles"), or None."""
    text = _clean(query)
    if text is None:
        return None
    key = search_key(text.removesuffix(" Council").removesuffix(" council"))
    by_name, by_other = _load()
    return by_name.get(key) or by_other.get(key)


def as_place(council: Council) -> Place:
    """A council area as a search centre, labelled so a person sees it is the whole area ("Fife council area")."""
    what = "county" if council.kind == COUNTY else "council area"
    return Place(council.name, council.region, council.latitude, council.longitude, 0, PLACE_KIND, what)


def council_names() -> list[str]:
    """Every council area's name, for checking an area's coverage."""
    return sorted(c.name for c in _load()[0].values())
