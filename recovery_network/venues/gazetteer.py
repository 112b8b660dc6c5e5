"""Offline UK gazetteer: turn a town, postcode district or postcode into a position, with no network.

The data (GeoNames places, OS Code-Point Open district centroids) ships in
``recovery_network/data`` and is built by ``scripts/build_gazetteer.py``. It is read on
first use and kept in flat arrays and small dicts (about 10,000 keys), so a worker pays a
few milliseconds and well under 5 MB once, and every lookup after that is a dict probe.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import re
import unicodedata
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from recovery_network.venues.geo import Point

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
PLACES_FILE = DATA_DIR / "gb_places.tsv"
DISTRICTS_FILE = DATA_DIR / "gb_postcode_districts.tsv"
PLACE = "place"
POSTCODE_DISTRICT = "postcode_district"
COUNCIL = "council"  # a council area or shire county (venues/councils.py); its town says which
MAX_QUERY_LENGTH = 100  # Longer than any UK place name with a qualifier; longer input is not a place.
_MAX_PREFIX_HITS = 200
_SHORT_NAME_FACTOR = 10  # "Newcastle" (NI, 7,444) yields to Newcastle upon Tyne (300,125).
_CLOSE = 0.85  # A suggestion this similar ranks with prefix matches, before looser ones.
_SUGGEST_CUTOFF = 0.75  # difflib ratio: "Dundea" -> "Dundee" is 0.83; unrelated names fall below.
# Outward code (district) and optional inward code: "PH1", "DD11 1AB", "EC1A1BB", "g33 4aa".
_POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?) ?(?:[0-9][A-Z]{2})?")
_TRAILING_PARENTHESIS = re.compile(r"\s*\([^()]*\)\s*$")  # "PH1 (Perth)": our own labels, pasted back.
_UK = {"uk", "united kingdom", "gb", "great britain", "britain"}


@dataclass(frozen=True, slots=True)
class Place:
    """A resolved search centre: a named place, or a postcode district's centroid."""

    name: str
    region: str
    latitude: float
    longitude: float
    population: int
    kind: str = PLACE
    town: str = ""  # A postcode district's town ("" if none is near); a council's "council area" or "county".

    @property
    def point(self) -> Point:
        """The position to measure meeting distances from."""
        return Point(self.latitude, self.longitude)

    @property
    def label(self) -> str:
        """How the search centre is named back to the person: "Perth, Scotland" or "PH1 (Perth)"."""
        if self.kind == POSTCODE_DISTRICT:
            return f"{self.name} ({self.town})" if self.town else self.name
        if self.kind == COUNCIL:
            return f"{self.name} {self.town}, {self.region}"
        return f"{self.name}, {self.region}"


class _Data(NamedTuple):
    """The loaded gazetteer: parallel columns indexed by row number, plus lookup dicts."""

    names: tuple[str, ...]
    regions: tuple[str, ...]
    latitudes: array
    longitudes: array
    populations: array
    by_name: dict[str, tuple[int, ...]]  # primary-name key -> rows, most populous first
    by_alternate: dict[str, tuple[int, ...]]  # alternate-name key -> rows, most populous first
    keys: list[str]  # every key, sorted, for prefix search
    primary_by_length: dict[int, list[str]]  # primary-name keys by length, for bounded difflib
    districts: dict[str, tuple[str, str, float, float]]  # "PH1" -> (town, region, lat, lon)
    regions_by_key: dict[str, str]  # "scotland" -> "Scotland"


def search_key(text: str) -> str:
    """Compare names as people type them: no case, accents, punctuation; "St" is "Saint"."""
    if not text.isascii():  # The shipped data is ASCII already; only typed input needs folding.
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold()
    text = re.sub(r"['\u2019`]", "", text.replace("&", " and "))  # "Bo'ness" is typed "Boness" too.
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    return " ".join("saint" if word == "st" else word for word in words)


def _data_rows(path: Path) -> list[list[str]]:
    """Tab-separated rows after the provenance comment and header lines."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines[2:] if line and not line.startswith("#")]


@functools.cache
def _load() -> _Data:
    """Read both data files once per process, on first use."""
    names, regions, by_name, alternates_of = [], [], {}, {}
    latitudes, longitudes, populations = array("d"), array("d"), array("l")
    interned: dict[str, str] = {}
    for row, (name, region, lat, lon, pop, alternates) in enumerate(_data_rows(PLACES_FILE)):
        names.append(name)
        regions.append(interned.setdefault(region, region))
        latitudes.append(float(lat))
        longitudes.append(float(lon))
        populations.append(int(pop))
        by_name.setdefault(search_key(name), []).append(row)
        for alternate in filter(None, alternates.split("|")):
            alternates_of.setdefault(search_key(alternate), []).append(row)

    def most_populous_first(rows: list[int]) -> tuple[int, ...]:
        """Rank same-named places so the one most people mean comes first."""
        return tuple(sorted(set(rows), key=lambda r: (-populations[r], r)))

    exact = {key: most_populous_first(rows) for key, rows in by_name.items()}
    for key, rows in alternates_of.items():
        if key in exact:
            exact[key] = _with_short_name(key, exact[key], most_populous_first(rows), names, populations)
    districts = {
        district: (town, region, float(lat), float(lon))
        for district, town, region, lat, lon in _data_rows(DISTRICTS_FILE)
    }
    alternate = {key: most_populous_first(rows) for key, rows in alternates_of.items() if key not in exact}
    primary_by_length: dict[int, list[str]] = {}
    for key in sorted(exact):
        primary_by_length.setdefault(len(key), []).append(key)
    return _Data(
        names=tuple(names), regions=tuple(regions), latitudes=latitudes, longitudes=longitudes,
        populations=populations, by_name=exact, by_alternate=alternate,
        keys=sorted(exact.keys() | alternate.keys()), primary_by_length=primary_by_length,
        districts=districts, regions_by_key={search_key(region): region for region in interned},
    )


def _with_short_name(
    key: str, rows: tuple[int, ...], alternate_rows: tuple[int, ...], names: list[str], populations: array
) -> tuple[int, ...]:
    """Put a much bigger place first when the key is its short name: "Newcastle" means Newcastle upon Tyne.

    Only a shortening counts (every word of the key is in the place's own name), so a variant
    spelling such as "Briston" (for Bristol) never takes a real village's name from it.
    """
    words = set(key.split())
    for row in alternate_rows:
        if words <= set(search_key(names[row]).split()):
            if populations[row] >= _SHORT_NAME_FACTOR * max(populations[rows[0]], 1):
                return (row, *(r for r in rows if r != row))
            break
    return rows


def _place(data: _Data, row: int) -> Place:
    """Build the public record for one gazetteer row."""
    return Place(data.names[row], data.regions[row], data.latitudes[row], data.longitudes[row],
                 data.populations[row], PLACE)


def _district_place(data: _Data, district: str) -> Place | None:
    """The centroid record of a known postcode district, or None for one we have no data for."""
    entry = data.districts.get(district)
    if entry is None:
        return None
    town, region, lat, lon = entry
    return Place(district, region, lat, lon, 0, POSTCODE_DISTRICT, town)


def _clean(query: object) -> str | None:
    """The query as text worth looking up, or None for non-text, blank or over-long input."""
    if not isinstance(query, str) or len(query) > MAX_QUERY_LENGTH:
        return None
    text = _TRAILING_PARENTHESIS.sub("", query).strip()
    return text or None


def normalise_postcode_district(text: str) -> str | None:
    """The district ("DD11") of a district or full postcode ("dd11 1ab"), or None if not postcode-shaped.

    This checks shape only: "ZZ99" is postcode-shaped, and find_place then finds no data for it.
    """
    cleaned = _clean(text)
    if cleaned is None or len(cleaned) > 10:
        return None
    match = _POSTCODE.fullmatch(re.sub(r"\s+", " ", cleaned.upper()))
    return match.group(1) if match else None


def _split_region(data: _Data, text: str) -> tuple[str, str | None]:
    """Split "Newport, Wales" into ("Newport", "Wales"); a UK-wide or unknown qualifier filters nothing."""
    head, comma, tail = text.rpartition(",")
    if not comma:
        return text, None
    tail_key = search_key(tail)
    if tail_key in data.regions_by_key:
        return head, data.regions_by_key[tail_key]
    return (head, None) if tail_key in _UK else (text, None)


def find_places(query: str, limit: int = 10) -> list[Place]:
    """Every place the query names exactly, most populous first; a postcode gives its district."""
    text = _clean(query)
    if text is None or limit <= 0:
        return []
    data = _load()
    district = normalise_postcode_district(text)
    if district is not None:
        place = _district_place(data, district)
        return [place] if place else []
    name, region = _split_region(data, text)
    rows = _matching_rows(data, search_key(name), region)
    if not rows and "," in name:  # "Newport, Shropshire": we hold no counties, so try the town alone.
        rows = _matching_rows(data, search_key(name.rpartition(",")[0]), region)
    return [_place(data, row) for row in rows[:limit]]


def _matching_rows(data: _Data, key: str, region: str | None) -> tuple[int, ...]:
    """Rows whose primary name, failing that an alternate name, has this key (and region, if given)."""
    if not key:
        return ()
    for index in (data.by_name, data.by_alternate):
        rows = tuple(r for r in index.get(key, ()) if region is None or data.regions[r] == region)
        if rows:
            return rows
    return ()


def find_place(query: str) -> Place | None:
    """The place a person most likely means by the query, or None if we cannot tell."""
    places = find_places(query, limit=1)
    return places[0] if places else None


def suggest(query: str, limit: int = 5) -> list[Place]:
    """Places a misspelt or partial name may mean ("Dundea" -> Dundee), best tier then most populous; never raises.

    Tiers: a place whose name starts with the query or is very close to it; then looser
    misspellings; then places matched only through another name ("Caerdydd", "Edinburg").
    """
    text = _clean(query)
    if text is None or limit <= 0 or normalise_postcode_district(text) is not None:
        return []
    data = _load()
    key = search_key(_split_region(data, text)[0])
    if len(key) < 2:
        return []
    tiers: dict[int, int] = {}

    def offer(candidate: str, tier: int) -> None:
        """Remember each place under the best tier it was offered at."""
        for row in data.by_name.get(candidate) or data.by_alternate.get(candidate, ()):
            tiers[row] = min(tiers.get(row, tier), tier)

    start = bisect.bisect_left(data.keys, key)
    for candidate in data.keys[start : start + _MAX_PREFIX_HITS]:
        if not candidate.startswith(key):
            break
        offer(candidate, 0 if candidate in data.by_name else 2)
    for candidate, ratio in _close_names(data, key, limit * 2):
        offer(candidate, 0 if ratio >= _CLOSE else 1)
    ranked = sorted(tiers, key=lambda r: (tiers[r], -data.populations[r], data.names[r], r))
    return [_place(data, row) for row in ranked[:limit]]


def _close_names(data: _Data, key: str, n: int) -> list[tuple[str, float]]:
    """Primary names within difflib's cutoff, best first, comparing only lengths that could reach it."""
    # ratio = 2*matches/(a+b) and matches <= min(a, b), so a candidate much longer or shorter
    # than the key can never reach the cutoff: skipping it saves most of the work.
    low = int(len(key) * _SUGGEST_CUTOFF / (2 - _SUGGEST_CUTOFF))
    high = int(len(key) * (2 - _SUGGEST_CUTOFF) / _SUGGEST_CUTOFF) + 1
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(key)
    scored = []
    for length in range(max(low, 1), high + 1):
        for candidate in data.primary_by_length.get(length, ()):
            matcher.set_seq1(candidate)
            if (matcher.real_quick_ratio() >= _SUGGEST_CUTOFF and matcher.quick_ratio() >= _SUGGEST_CUTOFF
                    and (ratio := matcher.ratio()) >= _SUGGEST_CUTOFF):
                scored.append((candidate, ratio))
    scored.sort(key=lambda pair: (-pair[1], pair[0]))
    return scored[:n]
