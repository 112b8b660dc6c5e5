"""Reading single Meeting Guide fields (day, time, types, place...) as our schedule and venue need them.

Pure: no Flask, no database. Each reader returns a value or raises `Rejected` with a reason a person
can act on ("day 9 is not 0–6"). JSON gives typed values; a sheet (CSV) gives text for everything,
so every reader accepts both.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from recovery_network import localzone
from recovery_network.api.meeting_guide import CUSTOM_TYPES, KIND_TYPES, RESERVED_USED
from recovery_network.venues import gazetteer

SPEC_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_DAY_NAMES = {name.casefold(): n for n, name in enumerate(SPEC_DAYS)} | {
    name[:3].casefold(): n for n, name in enumerate(SPEC_DAYS)
}
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(?:([ap])\.?m\.?)?", re.IGNORECASE)
KIND_BY_TYPE = {code: kind for kind, code in KIND_TYPES.items()}
# Sheets may spell types out ("Wheelchair Access") or our codes in any case ("smart"); match both.
_TYPE_NAMES = {name.casefold(): code for code, name in (CUSTOM_TYPES | RESERVED_USED).items()} | {
    code.casefold(): code for code in CUSTOM_TYPES}
_UK = {"gb", "uk", "united kingdom", "great britain", "england", "scotland", "wales", "northern ireland"}
MAX_TEXT = 10_000  # notes longer than this are not meeting notes


class Rejected(Exception):
    """A record cannot be imported; the message says why, in words the person fixing the feed understands."""


@dataclass(frozen=True)
class VenueRow:
    """Where an in-person meeting is held, as the feed gives it, placed on the map."""

    name: str
    address: str
    town: str
    postcode: str
    latitude: float
    longitude: float
    step_free: bool = False
    directions: str = ""
    # Given by the feed, not a town or postcode-district centre: only then does the position identify a venue.
    exact: bool = True


def text(record: dict[str, Any], key: str, limit: int = MAX_TEXT) -> str:
    """A field as stripped text ("" when absent); numbers become text, lists and objects are refused."""
    value = record.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise Rejected(f"{key} should be text")
    value = str(value).strip()
    if len(value) > limit:
        raise Rejected(f"{key} is longer than {limit} characters")
    return value


def _shown(value: Any) -> str:
    """A value quoted briefly for a message (a feed's bad value may be long)."""
    shown = value if isinstance(value, int | float) and not isinstance(value, bool) else repr(value)
    shown = str(shown)
    return shown if len(shown) <= 40 else shown[:37] + "..."


def days(value: Any) -> list[int]:
    """Spec days (0 = Sunday … 6 = Saturday) from an int, a list, "2, 4" or "Tuesday"."""
    if value is None or value == "" or value == []:
        raise Rejected("no day: meetings by appointment are not imported")
    items = value if isinstance(value, list) else value.split(",") if isinstance(value, str) else [value]
    found: list[int] = []
    for item in items:
        day = _day(item)
        if day not in found:
            found.append(day)
    return found


def _day(item: Any) -> int:
    """One spec day number."""
    day: int | None = None
    if isinstance(item, int) and not isinstance(item, bool):
        day = item
    elif isinstance(item, float) and item.is_integer():
        day = int(item)
    elif isinstance(item, str):
        key = item.strip().casefold()
        day = int(key) if re.fullmatch(r"-?[0-9]{1,3}", key) else _DAY_NAMES.get(key)
    if day is None or not 0 <= day <= 6:
        raise Rejected(f"day {_shown(item.strip() if isinstance(item, str) else item)} is not 0–6 (0 is Sunday)")
    return day


def clock(record: dict[str, Any], key: str) -> time | None:
    """A time of day from "HH:MM" (the spec), "H:MM", or "6:30 pm" as sheets write it; None when absent."""
    raw = record.get(key)
    if raw is None or raw == "":
        return None
    match = _CLOCK.fullmatch(raw.strip()) if isinstance(raw, str) else None
    if match is None:
        raise Rejected(f"{key} {_shown(raw)} is not a time of day (HH:MM, 24-hour clock)")
    hour, minute, second, half = int(match[1]), int(match[2]), int(match[3] or 0), (match[4] or "").lower()
    if half:
        hour = hour % 12 + (12 if half == "p" else 0) if 1 <= hour <= 12 else 99
    if hour > 23 or minute > 59 or second > 59:
        raise Rejected(f"{key} {raw.strip()} is not a time of day (HH:MM, 24-hour clock)")
    return time(hour, minute)


def duration(start: time, end: time | None) -> int:
    """Minutes from start to the next time the clock reads end (the spec's default is one hour).

    An end at or before the start is the next day's: the series rules (meetings/rules.py) then refuse a
    meeting that runs past midnight, or one too long, with the words the posting form uses.
    """
    if end is None:
        return 60
    minutes = end.hour * 60 + end.minute - start.hour * 60 - start.minute
    return minutes if minutes > 0 else minutes + 24 * 60


@functools.cache
def is_zone(name: str) -> bool:
    """Whether the tz database knows this zone."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone_name(record: dict[str, Any], default: str) -> str:
    """The meeting's IANA time zone, or the import's default when the feed gives none."""
    name = text(record, "timezone", 64) or default
    if not is_zone(name):
        raise Rejected(f"timezone {_shown(name)} is not a tz database zone (e.g. {localzone.name()})")
    return name


def type_codes(value: Any) -> list[str]:
    """Type codes from a list (JSON) or "SMART, X" (a sheet); names we use are mapped to their codes."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Rejected("types should be a list of type codes")
    codes = [v.strip() for v in value if v.strip()]
    return [_TYPE_NAMES.get(code.casefold(), code) for code in codes]


def conference_url(record: dict[str, Any]) -> str | None:
    """The online link as given; the series rules check it as the posting form does (https, a whole address)."""
    return text(record, "conference_url", 2000) or None


def _coordinate(record: dict[str, Any], key: str, limit: float) -> float | None:
    """A latitude or longitude within range, or None when absent."""
    raw = record.get(key)
    if raw is None or raw == "":
        return None
    try:
        value = float(raw) if not isinstance(raw, bool) else math.nan
    except (TypeError, ValueError):
        value = math.nan
    if not -limit <= value <= limit:  # also refuses NaN
        raise Rejected(f"{key} {_shown(raw)} is not a number from -{limit:g} to {limit:g}")
    return value


def _postcode(value: str) -> str:
    """A UK postcode in capitals with one space, or "" for anything that isn't shaped like one."""
    cleaned = " ".join(value.upper().split())
    return cleaned if len(cleaned) <= 10 and gazetteer.normalise_postcode_district(cleaned) else ""


def place(record: dict[str, Any], title: str, types: list[str]) -> VenueRow | None:
    """The venue of an in-person meeting, placed on the map; None for an approximate (online) location."""
    if text(record, "approximate").casefold() == "yes":
        return None
    name, address, city = text(record, "location", 160), text(record, "address"), text(record, "city")
    formatted, postal = text(record, "formatted_address"), text(record, "postal_code")
    lat, lon = _coordinate(record, "latitude", 90), _coordinate(record, "longitude", 180)
    if not any((name, address, city, formatted, postal, lat is not None, lon is not None)):
        return None
    if (lat is None) != (lon is None):
        raise Rejected("latitude and longitude come together: give both or neither")
    postcode = _postcode(postal) or _postcode_in(formatted or address)
    exact = lat is not None and lon is not None
    if lat is None or lon is None:
        country = text(record, "country").casefold()
        if country and country not in _UK:
            raise Rejected(f"can't place an address in {_shown(country.upper())} without latitude and longitude")
        found = gazetteer.find_place(postcode) if postcode else None
        found = found or (gazetteer.find_place(city) if city else None)
        if found is None:
            where = _shown(postal or city or formatted or address or name)
            raise Rejected(f"can't place {where} on the map: give a UK postcode, a town, or latitude and longitude")
        lat, lon = found.latitude, found.longitude
    street = address or formatted
    return VenueRow(
        name=(name or street.split(",")[0] or city or title)[:160],
        address=street[:200],
        town=city[:80],
        postcode=postcode,
        latitude=round(lat, 6),
        longitude=round(lon, 6),
        step_free="X" in types,
        directions=text(record, "location_notes"),
        exact=exact,
    )


def _postcode_in(line: str) -> str:
    """A full UK postcode found inside an address line ("1 High St, Perth PH1 5PE, UK"), or ""."""
    match = re.search(r"\b([A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})\b", line.upper())
    return _postcode(match[1]) if match else ""
