"""Another directory's Meeting Guide feed (JSON, or a sheet saved as CSV) turned into rows we can import, or reasons.

Pure: no Flask, no database. How the format maps back onto our meetings (the reverse of meeting_guide.py):

- `day` counts from Sunday = 0; a list of days becomes one series per day, keyed `<slug>#<day>`.
- Types give the kind (SMART, SMART-FF, RN-CAFE, RN-COURSE); anything else (AA's O, D...) is a mutual-aid
  meeting, with a warning: a listing is SMART Recovery only when its source says so.
  `X` is step-free access, `TC` a paused series. Nothing in the format can say "custody": every row is public.
- The format is for weekly meetings. Only our own `RN-FORTNIGHTLY` / `RN-MONTHLY` say otherwise; the week of a
  monthly meeting is read back from the notes we write ("The 2nd Tuesday of each month — check the dates: URL").
  Which weeks a fortnightly meeting meets, and how many sessions of a course remain, the format cannot carry:
  those rows keep a link to the original listing in their description ("check the dates"), as our export does.
- A sheet's headers are plain-language keys ("Conference URL" is `conference_url`, "ID" is `slug`).
- Row numbers are what a person finds in their editor: 1-based positions in a JSON list, spreadsheet rows in CSV
  (the header is row 1).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

from recovery_network import localzone
from recovery_network.api import import_fields as fields
from recovery_network.api.import_fields import KIND_BY_TYPE, Rejected, VenueRow
from recovery_network.meetings import rules
from recovery_network.meetings.conference import finder_warning
from recovery_network.meetings.kinds import MUTUAL_AID
from recovery_network.meetings.recurrence import Schedule

MAX_SLUG = 100  # the spec asks for 64; leave room for the "#<day>" of a multi-day record within 120
_HEADER_ALIASES = {"id": "slug", "time_zone": "timezone", "postcode": "postal_code", "zip": "postal_code"}
_NTH = {"1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "last": -1}
# The first paragraph of our own notes for a series that isn't simply weekly (meeting_guide.notes_for).
_OUR_RULE = re.compile(
    r"(?:Every other|Every|The (?P<nth>1st|2nd|3rd|4th|last)) \w+day(?: of each month)?"
    r"(?:, (?P<count>\d+) sessions)? — check the dates: (?P<url>\S+)"
)

# A record with its row number, or the reason the row is no record at all.
Record = tuple[int, dict[str, Any] | str]

__all__ = ["FeedUnreadable", "ImportRow", "Rejection", "VenueRow", "parse_records", "read_records", "rule_breaches"]
# The posting form's fields as the feed's keys, so a row's message names what to fix in the file.
FEED_KEYS = {"kind": "types", "start_time": "time", "duration_minutes": "end_time", "online_url": "conference_url"}


class FeedUnreadable(ValueError):
    """The file is not a Meeting Guide feed at all (bad JSON, no list, no header), so no row can be trusted."""


@dataclass(frozen=True)
class ImportRow:
    """One series to create or update: our schedule fields, its venue, and anything the importer had to guess."""

    row: int
    key: str  # the slug in the feed, "#<day>" added when one record lists several days
    title: str
    kind: str
    weekday: int  # 0 = Monday, as in Python and our models
    start_time: time
    duration_minutes: int
    timezone: str
    frequency: str = "weekly"
    week_of_month: int | None = None
    online_url: str | None = None
    description: str = ""
    paused: bool = False
    venue: VenueRow | None = None
    warnings: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Rejection:
    """A row that cannot be imported, and why."""

    row: int
    slug: str
    reason: str


def read_records(data: bytes) -> list[Record]:
    """Every record in the file with its row number; JSON if it starts with '[' or '{', a CSV sheet otherwise."""
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FeedUnreadable(f"the file is not UTF-8 text (byte {error.start})") from None
    if content.lstrip()[:1] in ("[", "{"):
        return _json_records(content)
    return _csv_records(content)


def _json_records(content: str) -> list[Record]:
    """A Meeting Guide JSON feed: a list of objects."""
    try:
        parsed = json.loads(content)
    except json.JSONDecodeError as error:
        raise FeedUnreadable(f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}") from None
    except RecursionError:
        raise FeedUnreadable("not a Meeting Guide feed: nested too deeply") from None
    if not isinstance(parsed, list):
        raise FeedUnreadable("not a Meeting Guide feed: expected a list of meetings, found an object")
    return [(n, record if isinstance(record, dict) else "not a meeting: not an object") for n, record in enumerate(parsed, 1)]


def header_key(header: str) -> str:
    """A sheet's plain-language header as the JSON key it stands for: "Conference URL" → conference_url."""
    key = re.sub(r"[^a-z0-9]+", "_", header.strip().casefold()).strip("_")
    return _HEADER_ALIASES.get(key, key)


def _csv_records(content: str) -> list[Record]:
    """A sheet saved as CSV: a header row, then one meeting a row."""
    try:
        rows = list(csv.reader(io.StringIO(content, newline="")))
    except csv.Error as error:
        raise FeedUnreadable(f"not a readable CSV sheet: {error}") from None
    if not rows:
        raise FeedUnreadable("the file is empty")
    keys = [header_key(h) for h in rows[0]]
    missing = [label for key, label in (("name", "Name"), ("slug", "Slug (or ID)")) if key not in keys]
    if missing:
        raise FeedUnreadable(f"not a Meeting Guide sheet: the header row has no {' or '.join(missing)} column")
    records = []
    for number, cells in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines at the end of a sheet are not meetings
        if len(cells) > len(keys) and any(cell.strip() for cell in cells[len(keys):]):
            records.append((number, "not a meeting: more cells than the header has columns"))
            continue
        # An unnamed column (a sheet's scratch notes) is nobody's field.
        records.append((number, {key: cell for key, cell in zip(keys, cells) if key}))
    return records


def parse_records(
    records: Iterable[Record], default_timezone: str | None = None
) -> Iterator[ImportRow | Rejection]:
    """Rows to import and rows rejected, in file order; a slug used twice rejects the later row."""
    default_timezone = default_timezone or localzone.name()
    seen: dict[str, int] = {}
    for number, record in records:
        if isinstance(record, str):
            yield Rejection(number, "", record)
            continue
        slug = _slug_for_message(record)
        if slug and slug in seen:
            yield Rejection(number, slug, f"slug already used by row {seen[slug]}")
            continue
        if slug:
            seen[slug] = number
        try:
            yield from parse_record(number, record, default_timezone)
        except Rejected as error:
            yield Rejection(number, slug, str(error))


def _slug_for_message(record: dict[str, Any]) -> str:
    """The record's slug as text, or "" when it has none usable."""
    value = record.get("slug")
    return str(value).strip()[:MAX_SLUG + 20] if isinstance(value, str | int) and not isinstance(value, bool) else ""


def parse_record(number: int, record: dict[str, Any], default_timezone: str) -> list[ImportRow]:
    """One record as one series per day it meets, or Rejected with the first reason it can't be imported."""
    slug = fields.text(record, "slug", MAX_SLUG)
    if not slug:
        raise Rejected("no slug")
    title = fields.text(record, "name")
    if not title:
        raise Rejected("no name")
    warnings: list[str] = []
    if len(title) > 120:
        title = title[:119].rstrip() + "…"
        warnings.append("name shortened to 120 characters")
    spec_days = fields.days(record.get("day"))
    start = fields.clock(record, "time")
    if start is None:
        raise Rejected("no time: meetings by appointment are not imported")
    minutes = fields.duration(start, fields.clock(record, "end_time"))
    zone = fields.zone_name(record, default_timezone)
    types = fields.type_codes(record.get("types"))
    kind = _kind(types, warnings)
    notes = fields.text(record, "notes")
    frequency, week_of_month, description = _rhythm(types, notes, fields.text(record, "url", 2000), warnings)
    online_url = fields.conference_url(record)
    if warning := finder_warning(online_url):
        warnings.append(f"conference_url: {warning}")
    venue = fields.place(record, title, types)
    if venue is None and online_url is None:
        raise Rejected("no address and no conference_url: nowhere to meet (phone-only meetings are not imported)")
    return [
        ImportRow(
            row=number,
            key=slug if len(spec_days) == 1 else f"{slug}#{day}",
            title=title,
            kind=kind,
            weekday=(day - 1) % 7,  # Sunday = 0 in the spec, 6 for Python
            start_time=start,
            duration_minutes=minutes,
            timezone=zone,
            frequency=frequency,
            week_of_month=week_of_month,
            online_url=online_url,
            description=description,
            paused="TC" in types,
            venue=venue,
            warnings=tuple(warnings),
        )
        for day in spec_days
    ]


def _kind(types: list[str], warnings: list[str]) -> str:
    """Our kind of meeting from its types; without one of ours it is a neutral mutual-aid meeting, never SMART."""
    for code in types:
        if code in KIND_BY_TYPE:
            return KIND_BY_TYPE[code]
    listed = ", ".join(types) if types else "none"
    warnings.append(f"no kind of meeting among its types ({listed}); imported as a mutual-aid meeting, "
                    "not SMART Recovery")
    return MUTUAL_AID


def rule_breaches(item: ImportRow, starts_on: date, ends_on: date | None = None, count: int | None = None) -> str:
    """Why the series a row would write breaks the posting form's rules (meetings/rules.py), or "" when it keeps them.

    starts_on and the end are the series' own: the import's date for a new one, an existing one's dates kept.
    """
    schedule = Schedule(
        item.frequency, item.weekday, starts_on, item.start_time, timedelta(minutes=item.duration_minutes),
        timezone=item.timezone, week_of_month=item.week_of_month, ends_on=ends_on, count=count,
    )
    problems = rules.check(schedule, kind=item.kind, online_url=item.online_url)
    return "; ".join(f"{_key(field, item)}: {message}" for field, messages in problems.items() for message in messages)


def _key(field: str, item: ImportRow) -> str:
    """The feed key a rule's field stands for; a length is the feed's end_time, so say what it came to."""
    if field == "duration_minutes":
        return f"end_time ({item.duration_minutes} minutes after time {item.start_time:%H:%M})"
    return FEED_KEYS[field]


def _rhythm(types: list[str], notes: str, url: str, warnings: list[str]) -> tuple[str, int | None, str]:
    """Frequency, week of the month and description; our own rule line is read back, not repeated."""
    paragraphs = notes.split("\n\n")
    ours = _OUR_RULE.fullmatch(paragraphs[0].strip()) if notes else None
    description = "\n\n".join(paragraphs[1:] if ours else paragraphs).strip()
    fortnightly, monthly = "RN-FORTNIGHTLY" in types, "RN-MONTHLY" in types
    if fortnightly and monthly:
        raise Rejected("types say both RN-FORTNIGHTLY and RN-MONTHLY")
    frequency = "monthly" if monthly else "fortnightly" if fortnightly else "weekly"
    week = None
    if monthly:
        week = _NTH.get(ours["nth"]) if ours and ours["nth"] else None
        if week is None:
            week = 1
            warnings.append("monthly, but the notes don't say which week; imported as the 1st of the month")
    count = int(ours["count"]) if ours and ours["count"] else None
    if frequency != "weekly" or count:
        link = (ours["url"] if ours else "") or url
        what = f"A course of {count} sessions. " if count else ""
        check = f"{what}Check the dates with the original listing: {link}" if link else f"{what}Check the dates."
        description = f"{check}\n\n{description}".strip()
    return frequency, week, description
