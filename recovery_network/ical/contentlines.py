"""A VEVENT's content lines, written directly: escaped, ordered and folded exactly as icalendar writes them.

Pure: no Flask, no database. icalendar builds a typed object for every property and folds each line
one character at a time; in a 200-meeting feed rendered for the first time that was three quarters of
the work. The events here use a handful of value types, so they are written straight to text, and
tests/feeds/test_contentlines.py holds the result byte-for-byte to icalendar's own on generated events.
icalendar still writes the calendar around them, its time zones, and every RRULE (vRecur).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import vRecur

# icalendar's order for a VEVENT: these first, the rest alphabetically (Component.sorted_keys).
CANONICAL_ORDER = (
    "SUMMARY", "DTSTART", "DTEND", "DURATION", "DTSTAMP", "UID", "RECURRENCE-ID", "SEQUENCE", "RRULE",
    "RDATE", "EXDATE",
)
URI_PROPERTIES = frozenset({"URL"})  # written as they are: a URI has no TEXT escapes
FOLD_AT = 75  # a line is folded before the character that would make it 75 octets (icalendar's rule)

Value = str | int | date | datetime | tuple[float, float] | Mapping
Properties = Mapping[str, Value | list[Value]]


def escape(text: str) -> str:
    """TEXT escaping in icalendar's order (RFC 5545 §3.3.11); a written \\N is taken as a line break, as there."""
    return (
        text.replace("\\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _stamp(value: datetime) -> str:
    """A DATE-TIME's digits, as local wall-clock time."""
    return f"{value.year:04}{value.month:02}{value.day:02}T{value.hour:02}{value.minute:02}{value.second:02}"


def recur_text(parts: Mapping) -> str:
    """An RRULE value as icalendar writes it (FREQ first, UNTIL in UTC)."""
    # Each value's zone is in the key: equal instants in two zones are equal keys but are written apart.
    return _recur(tuple((name, value, repr(getattr(value, "tzinfo", None))) for name, value in parts.items()))


@lru_cache(maxsize=2048)  # a network has few distinct rules; vRecur is icalendar's, and slow to build
def _recur(items: tuple[tuple[str, object, str], ...]) -> str:
    """recur_text, remembered by the rule's parts."""
    return vRecur({name: value for name, value, _ in items}).to_ical().decode()


def line(name: str, value: Value) -> str:
    """One unfolded content line: NAME[;params]:value."""
    if isinstance(value, datetime):
        if isinstance(value.tzinfo, ZoneInfo):
            # Series times are local with a TZID; build_calendar adds the VTIMEZONE it names.
            return f"{name};TZID={value.tzinfo.key}:{_stamp(value)}"
        if value.tzinfo is timezone.utc:
            return f"{name}:{_stamp(value)}Z"
        raise ValueError(f"{name}: a time is written in a named zone or in UTC, never floating or offset")
    if isinstance(value, date):
        return f"{name};VALUE=DATE:{value.year:04}{value.month:02}{value.day:02}"
    if isinstance(value, bool):
        raise ValueError(f"{name}: no BOOLEAN property is written here")
    if isinstance(value, int):
        return f"{name}:{value}"
    if isinstance(value, tuple):
        latitude, longitude = value
        return f"{name}:{latitude};{longitude}"
    if isinstance(value, Mapping):
        return f"{name}:{recur_text(value)}"
    return f"{name}:{value if name in URI_PROPERTIES else escape(value)}"


def fold(text: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 §3.1) exactly where icalendar folds it.

    Lines fold before the character that would reach 75 octets, never inside a UTF-8 sequence, and
    never straight after a backslash or caret, which moves to the next line (icalendar #1501).
    """
    ascii_only = text.isascii()
    if len(text) < FOLD_AT and (ascii_only or len(text.encode()) < FOLD_AT):
        return text
    if ascii_only:
        return "\r\n ".join(_ascii_pieces(text))
    pieces: list[str] = []
    current: list[str] = []
    octets = 0
    for char in text:
        size = 1 if char < "\x80" else len(char.encode())
        if current and octets + size >= FOLD_AT:
            if len(current) > 1 and current[-1] in "\\^":
                carried = current.pop()
                pieces.append("".join(current))
                current, octets = [carried], 1
            else:
                pieces.append("".join(current))
                current, octets = [], 0
        current.append(char)
        octets += size
    if current:
        pieces.append("".join(current))
    return "\r\n ".join(pieces)


def _ascii_pieces(text: str) -> list[str]:
    """fold()'s loop for one-octet characters: pieces of 74, one shorter where it would end in an escape."""
    pieces, start, width = [], 0, FOLD_AT - 1
    while len(text) - start > width:
        end = start + width
        if text[end - 1] in "\\^" and end - 1 > start:
            end -= 1
        pieces.append(text[start:end])
        start = end
    pieces.append(text[start:])
    return pieces


def _order(names: list[str]) -> list[str]:
    """Canonical properties first in their order, then the rest alphabetically."""
    first = [n for n in CANONICAL_ORDER if n in names]
    return first + sorted(n for n in names if n not in CANONICAL_ORDER)


def component(kind: str, properties: Properties) -> bytes:
    """A whole component: BEGIN, its properties in icalendar's order (a list repeats a property), END."""
    lines = [f"BEGIN:{kind}"]
    for name in _order(list(properties)):
        value = properties[name]
        for item in value if isinstance(value, list) else (value,):
            lines.append(fold(line(name, item)))
    lines.append(f"END:{kind}\r\n")
    return "\r\n".join(lines).encode()
