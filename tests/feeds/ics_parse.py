"""A small strict reader for .ics text, independent of icalendar, so the lint does not grade its own homework.

It keeps each property's parameters and raw value exactly as written, which is what the checklist
is about (value types, TZIDs, escaping), and evaluates an embedded VTIMEZONE by RFC 5545 §3.6.5 rules.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

NAME = re.compile(r"[A-Za-z0-9-]+")
PARAM = re.compile(r';([A-Za-z0-9-]+)=((?:"[^"]*"|[^";:])*)')
OFFSET = re.compile(r"([+-])(\d\d)(\d\d)(\d\d)?$")


@dataclass
class Prop:
    """One unfolded content line: NAME;PARAM=VALUE:value, the value still escaped."""

    name: str
    params: dict[str, str]
    value: str


@dataclass
class Comp:
    """A BEGIN/END block with its properties and sub-blocks in file order."""

    name: str
    props: list[Prop] = field(default_factory=list)
    subs: list[Comp] = field(default_factory=list)

    def all(self, name: str) -> list[Prop]:
        """Every property of that name."""
        return [p for p in self.props if p.name == name]

    def first(self, name: str) -> Prop | None:
        """The first property of that name, if any."""
        found = self.all(name)
        return found[0] if found else None

    def walk(self, name: str) -> list[Comp]:
        """Every nested block of that name, depth first."""
        found = [self] if self.name == name else []
        for sub in self.subs:
            found += sub.walk(name)
        return found


def unfold(text: str) -> list[str]:
    """Logical lines: CRLF followed by one space or tab continues the previous line (RFC 5545 §3.1)."""
    return [line for line in re.sub(r"\r\n[ \t]", "", text).split("\r\n") if line]


def parse_line(line: str) -> Prop:
    """Split a content line into name, parameters and raw value."""
    match = NAME.match(line)
    if not match:
        raise ValueError(f"not a content line: {line!r}")
    rest, params = line[match.end() :], {}
    while rest.startswith(";"):
        param = PARAM.match(rest)
        if not param:
            raise ValueError(f"bad parameter in {line!r}")
        params[param.group(1).upper()] = param.group(2).strip('"')
        rest = rest[param.end() :]
    if not rest.startswith(":"):
        raise ValueError(f"no value in {line!r}")
    return Prop(match.group().upper(), params, rest[1:])


def parse(text: str) -> list[Comp]:
    """The top-level blocks of a file (a valid feed has exactly one VCALENDAR)."""
    top: list[Comp] = []
    stack: list[Comp] = []
    for line in unfold(text):
        prop = parse_line(line)
        if prop.name == "BEGIN":
            comp = Comp(prop.value.upper())
            (stack[-1].subs if stack else top).append(comp)
            stack.append(comp)
        elif prop.name == "END":
            if not stack or stack.pop().name != prop.value.upper():
                raise ValueError(f"unbalanced END:{prop.value}")
        elif stack:
            stack[-1].props.append(prop)
        else:
            raise ValueError(f"property outside any block: {line!r}")
    if stack:
        raise ValueError("unterminated block")
    return top


def parse_offset(value: str) -> timedelta:
    """A UTC-OFFSET value such as +0100 or -0330."""
    match = OFFSET.match(value)
    if not match:
        raise ValueError(f"bad UTC offset {value!r}")
    sign = -1 if match.group(1) == "-" else 1
    return sign * timedelta(
        hours=int(match.group(2)), minutes=int(match.group(3)), seconds=int(match.group(4) or 0)
    )


def kind(prop: Prop) -> str:
    """How a DATE/DATE-TIME value is anchored: date, utc, zoned or floating."""
    if prop.params.get("VALUE") == "DATE" or re.fullmatch(r"\d{8}", prop.value):
        return "date"
    if prop.value.endswith("Z"):
        return "utc"
    return "zoned" if "TZID" in prop.params else "floating"


def naive(value: str) -> datetime:
    """A single DATE or DATE-TIME value as a naive datetime (dates at midnight), ignoring any Z."""
    value = value.rstrip("Z")
    return datetime.strptime(value, "%Y%m%dT%H%M%S" if "T" in value else "%Y%m%d")


def values(prop: Prop) -> list[datetime]:
    """Every value of a possibly comma-separated EXDATE/RDATE, naive."""
    return [naive(v) for v in prop.value.split(",")]


def wall_rule(dtstart: Prop, rule: str, zone: ZoneInfo | None) -> rrule:
    """A VEVENT's RRULE over naive local wall-clock times, with a UTC UNTIL brought into the zone."""
    parts = dict(p.split("=", 1) for p in rule.split(";"))
    until = parts.pop("UNTIL", None)
    if "COUNT" in parts:
        until = None  # both is a C19 breach, reported elsewhere; COUNT alone still names the slots
    text = ";".join(f"{k}={v}" for k, v in parts.items())
    result = rrulestr(text, dtstart=naive(dtstart.value), cache=True)
    if until is None:
        return result
    local_until = naive(until)
    if until.endswith("Z") and zone is not None:
        local_until = local_until.replace(tzinfo=timezone.utc).astimezone(zone).replace(tzinfo=None)
    return result.replace(until=local_until)


class EmbeddedZone:
    """UTC offsets as an embedded VTIMEZONE defines them: onsets are local time in TZOFFSETFROM (§3.6.5)."""

    def __init__(self, vtimezone: Comp, until: date) -> None:
        """Expand every observance's DTSTART, RDATEs and RRULE up to `until`."""
        onsets: list[tuple[datetime, timedelta, timedelta]] = []
        limit = datetime.combine(until, datetime.min.time())
        for block in vtimezone.subs:
            start = naive(block.first("DTSTART").value)
            before = parse_offset(block.first("TZOFFSETFROM").value)
            after = parse_offset(block.first("TZOFFSETTO").value)
            local = [start] + [v for p in block.all("RDATE") for v in values(p)]
            for prop in block.all("RRULE"):
                local += list(rrulestr(prop.value, dtstart=start).between(start, limit, inc=True))
            onsets += [(t - before, before, after) for t in local]
        onsets.sort()
        self.instants = [o[0] for o in onsets]
        self.offsets = [o[2] for o in onsets]
        self.initial = onsets[0][1]

    def utcoffset(self, instant: datetime) -> timedelta:
        """The offset in force at a UTC instant."""
        naive_utc = instant.astimezone(timezone.utc).replace(tzinfo=None)
        i = bisect.bisect_right(self.instants, naive_utc)
        return self.offsets[i - 1] if i else self.initial


def offset_mismatches(
    vtimezone: Comp, start: date, end: date, step: timedelta = timedelta(minutes=30)
) -> list:
    """Instants in [start, end) where the embedded zone and tzdata disagree (C14)."""
    tzid = vtimezone.first("TZID").value
    zone, embedded = ZoneInfo(tzid), EmbeddedZone(vtimezone, end)
    at = datetime.combine(start, datetime.min.time(), timezone.utc)
    stop = datetime.combine(end, datetime.min.time(), timezone.utc)
    wrong = []
    while at < stop:
        if embedded.utcoffset(at) != at.astimezone(zone).utcoffset():
            wrong.append(at)
        at += step
    return wrong
