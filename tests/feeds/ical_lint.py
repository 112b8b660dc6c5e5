"""lint(body): which ical.md checklist items (C1–C28, P5) an .ics body violates — for every feed's tests.

Call ``assert lint(response.data) == []`` in any test that fetches a feed. Extra ids beyond the
checklist: X-PARSE (unreadable), X-ROUNDTRIP (icalendar does not give the same bytes back) and
X-GEO (GEO is not two RFC FLOATs in range). Warn-level items (C13, C16, C25, C26) are reported too:
our feeds meet them all.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from recovery_network.ical.builder import PRODID
from tests.feeds.ics_parse import Comp, Prop, kind, naive, offset_mismatches, parse, values, wall_rule

DURATION = re.compile(r"[+-]?P(\d+W|\d+D(T(\d+H)?(\d+M)?(\d+S)?)?|T(\d+H)?(\d+M)?(\d+S)?)$")
FLOAT = re.compile(r"-?\d+(\.\d+)?$")
TEXT_PROPS = {
    "SUMMARY",
    "DESCRIPTION",
    "LOCATION",
    "COMMENT",
    "NAME",
    "X-WR-CALNAME",
    "X-WR-CALDESC",
    "TZNAME",
}
# P5: words a lock screen or a shared family calendar must never show from a private feed.
SENSITIVE = ("prison", "probation", "offence", "offender", "parole", "custody", "licence", "conviction")


def lint(body: bytes, *, private: bool = False, horizon: tuple[date, date] | None = None) -> list[str]:
    """Sorted ids of the checklist items the body breaks; [] for a clean feed.

    private adds P5; horizon bounds the half-hourly C14 comparison (default: three years from the
    first event's year).
    """
    bad = _bytes(body)
    try:
        text = body.decode("utf-8")
        top = parse(text)
    except (UnicodeDecodeError, ValueError):
        return sorted(bad | {"X-PARSE"})
    if len(top) != 1 or top[0].name != "VCALENDAR":
        return sorted(bad | {"C4"})
    cal = top[0]
    events = cal.walk("VEVENT")
    bad |= _calendar(cal) | _zones(cal, events, horizon) | _events(events)
    bad |= {"C28"} if any(_bad_text(p) for c in [cal, *cal.subs, *events] for p in c.props) else set()
    if private and any(_sensitive(e) for e in events):
        bad.add("P5")
    try:
        if Calendar.from_ical(body).to_ical() != body:
            bad.add("X-ROUNDTRIP")
    except ValueError:
        bad.add("X-PARSE")
    return sorted(bad)


def _bytes(body: bytes) -> set[str]:
    """C1–C3: CRLF only, 75-octet lines, UTF-8 with no character split by folding."""
    bad = set()
    if re.search(rb"(?<!\r)\n|\r(?!\n)", body) or not body.endswith(b"\r\n"):
        bad.add("C1")
    for line in body.split(b"\r\n"):
        if len(line) > 75:
            bad.add("C2")
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            bad.add("C3")
    return bad


def _calendar(cal: Comp) -> set[str]:
    """C5–C9: the envelope and calendar metadata."""
    bad = set()
    version, prodid, method = cal.first("VERSION"), cal.first("PRODID"), cal.first("METHOD")
    if version is None or version.value != "2.0" or prodid is None or prodid.value != PRODID:
        bad.add("C5")
    if method is not None:
        # Our choice within C6: no METHOD, since PUBLISH would need an ORGANIZER in every VEVENT (RFC 5546).
        bad.add("C6")
    refresh = cal.first("REFRESH-INTERVAL")
    if refresh is not None and (
        refresh.params.get("VALUE") != "DURATION" or not DURATION.match(refresh.value)
    ):
        bad.add("C7")
    ttl = cal.first("X-PUBLISHED-TTL")
    if ttl is not None and not DURATION.match(ttl.value):
        bad.add("C8")
    if not (cal.first("NAME") and cal.first("X-WR-CALNAME")):
        bad.add("C9")
    return bad


def _used_tzids(cal: Comp) -> set[str]:
    """Every TZID parameter outside the VTIMEZONEs."""
    blocks = [c for c in cal.subs if c.name != "VTIMEZONE"]
    found: set[str] = set()
    while blocks:
        block = blocks.pop()
        blocks += block.subs
        found |= {p.params["TZID"] for p in block.props if "TZID" in p.params}
    return found


def _zones(cal: Comp, events: list[Comp], horizon: tuple[date, date] | None) -> set[str]:
    """C10–C14: one VTIMEZONE per TZID, in the Outlook shape, agreeing with tzdata."""
    bad = set()
    zones = {z.first("TZID").value: z for z in cal.walk("VTIMEZONE") if z.first("TZID")}
    used = _used_tzids(cal)
    if used - set(zones):
        bad.add("C10")
    wr = cal.first("X-WR-TIMEZONE")
    if wr is not None and used != {wr.value}:
        bad.add("C11")
    if horizon is None:
        starts = [naive(e.first("DTSTART").value) for e in events if e.first("DTSTART")]
        first = min(starts).year if starts else date.today().year
        horizon = (date(first, 1, 1), date(first + 3, 1, 1))
    for zone in zones.values():
        if any("," in p.value for block in zone.subs for p in block.all("RDATE")):
            bad.add("C12")
        if not _outlook_shape(zone):
            bad.add("C13")
        try:
            if offset_mismatches(zone, *horizon):
                bad.add("C14")
        except (KeyError, ValueError, AttributeError):
            bad.add("C14")
    return bad


def _outlook_shape(zone: Comp) -> bool:
    """C13: one STANDARD and one DAYLIGHT, each with a yearly BYDAY rule; or one fixed STANDARD."""
    names = sorted(b.name for b in zone.subs)
    if names == ["STANDARD"]:
        block = zone.subs[0]
        fixed = (
            block.first("TZOFFSETFROM")
            and block.first("TZOFFSETFROM").value == block.first("TZOFFSETTO").value
        )
        return bool(fixed) and not block.all("RRULE") and not block.all("RDATE")
    if names != ["DAYLIGHT", "STANDARD"]:
        return False
    for block in zone.subs:
        rules = block.all("RRULE")
        if len(rules) != 1 or "FREQ=YEARLY" not in rules[0].value or "BYDAY=" not in rules[0].value:
            return False
        if block.all("RDATE") or block.first("DTSTART").value.endswith("Z"):
            return False
    return True


def _events(events: list[Comp]) -> set[str]:
    """C15–C27 for every VEVENT, grouped into series by UID."""
    bad = set()
    by_uid: dict[str, list[Comp]] = defaultdict(list)
    for event in events:
        uid, stamp = event.first("UID"), event.first("DTSTAMP")
        if uid is None or stamp is None or not stamp.value.endswith("Z"):
            bad.add("C15")
            continue
        if not _is_uuid(uid.value):
            bad.add("C16")
        by_uid[uid.value].append(event)
        bad |= _one_event(event)
    for group in by_uid.values():
        masters = [e for e in group if not e.first("RECURRENCE-ID")]
        ids = [e.first("RECURRENCE-ID").value for e in group if e.first("RECURRENCE-ID")]
        if len(masters) > 1 or len(ids) != len(set(ids)):
            bad.add("C17")
        elif masters:
            bad |= _overrides(masters[0], [e for e in group if e.first("RECURRENCE-ID")])
    return bad


def _is_uuid(value: str) -> bool:
    """C16: a bare UUID, so no host, domain or person leaks through the UID."""
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


def _zone(prop: Prop) -> ZoneInfo | None:
    """The IANA zone a property's TZID names, if tzdata knows it."""
    try:
        return ZoneInfo(prop.params["TZID"]) if "TZID" in prop.params else None
    except (KeyError, ValueError):
        return None


def _one_event(event: Comp) -> set[str]:
    """C18–C22 and C27 for one VEVENT."""
    bad = set()
    start, end, rules = event.first("DTSTART"), event.first("DTEND"), event.all("RRULE")
    if start is None:
        return {"C15"}
    if len(rules) > 1 or any(not r.value.startswith("FREQ=") for r in rules):
        bad.add("C18")
    if any("COUNT=" in r.value and "UNTIL=" in r.value for r in rules):
        bad.add("C19")
    if kind(start) == "floating" or (rules and kind(start) == "utc"):
        bad.add("C20")
    for rule in rules:
        until = re.search(r"UNTIL=([0-9TZ]+)", rule.value)
        if until and not _until_ok(start, until.group(1)):
            bad.add("C21")
    for exdate in event.all("EXDATE"):
        if kind(exdate) != kind(start) or exdate.params.get("TZID") != start.params.get("TZID"):
            bad.add("C22")
    if kind(start) == "date":
        closed = end is not None and kind(end) == "date" and naive(end.value) > naive(start.value)
        if not closed or "TZID" in start.params:
            bad.add("C27")
    geo = event.first("GEO")
    if geo is not None and not _geo_ok(geo.value):
        bad.add("X-GEO")
    return bad


def _until_ok(start: Prop, until: str) -> bool:
    """C21: UTC UNTIL for a zoned start, at the end of the last local day; a DATE for an all-day one."""
    if kind(start) == "date":
        return len(until) == 8
    if kind(start) == "zoned":
        zone = _zone(start)
        if not until.endswith("Z") or zone is None:
            return False
        local = naive(until).replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
        return local.time() == time(23, 59, 59)
    return True


def _geo_ok(value: str) -> bool:
    """GEO is latitude;longitude as plain decimals within range (RFC 5545 §3.8.1.6)."""
    parts = value.split(";")
    if len(parts) != 2 or not all(FLOAT.match(p) for p in parts):
        return False
    return abs(float(parts[0])) <= 90 and abs(float(parts[1])) <= 180


def _overrides(master: Comp, overrides: list[Comp]) -> set[str]:
    """C23–C26: each override names a real slot, in DTSTART's form, and sits between its neighbours."""
    bad = set()
    start, rule = master.first("DTSTART"), master.first("RRULE")
    if not overrides:
        return bad
    if rule is None:
        return {"C24"}
    zone = _zone(start)
    wall = wall_rule(start, rule.value, zone)
    length = (
        naive(master.first("DTEND").value) - naive(start.value) if master.first("DTEND") else timedelta(0)
    )
    moves = {_local(o.first("RECURRENCE-ID"), zone): o for o in overrides}
    for slot, override in moves.items():
        rid = override.first("RECURRENCE-ID")
        if kind(rid) != kind(start) or rid.params.get("TZID") != start.params.get("TZID"):
            bad.add("C23")
        if wall.before(slot, inc=True) != slot or slot in {
            v for e in master.all("EXDATE") for v in values(e)
        }:
            bad.add("C24")
        if int(_value(override, "SEQUENCE", "0")) < int(_value(master, "SEQUENCE", "0")):
            bad.add("C25")
        if not _between(wall, slot, override, length, moves, zone):
            bad.add("C26")
    return bad


def _value(comp: Comp, name: str, default: str) -> str:
    """A property's raw value, or a default when absent."""
    prop = comp.first(name)
    return prop.value if prop else default


def _local(prop: Prop, zone: ZoneInfo | None) -> datetime:
    """A DTSTART/DTEND as naive wall-clock time in the series' zone."""
    value = naive(prop.value)
    if kind(prop) == "utc" and zone is not None:
        return value.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).replace(tzinfo=None)
    if "TZID" in prop.params and zone is not None and _zone(prop) not in (None, zone):
        return value.replace(tzinfo=_zone(prop)).astimezone(zone).replace(tzinfo=None)
    return value


def _between(wall, slot: datetime, override: Comp, length: timedelta, moves: dict, zone) -> bool:
    """C26: strictly between the neighbouring instances, not overlapping them, not on their days."""
    new_start = _local(override.first("DTSTART"), zone)
    new_end = _local(override.first("DTEND"), zone) if override.first("DTEND") else new_start + length
    for neighbour, earlier in ((wall.before(slot), True), (wall.after(slot), False)):
        if neighbour is None:
            continue
        spans = [(neighbour, neighbour + length)]
        if neighbour in moves:
            moved = moves[neighbour]
            other = _local(moved.first("DTSTART"), zone)
            spans.append(
                (other, _local(moved.first("DTEND"), zone) if moved.first("DTEND") else other + length)
            )
        for other_start, other_end in spans:
            if other_start.date() == new_start.date():
                return False
            if (new_start < other_end) if earlier else (new_end > other_start):
                return False
    return True


def _bad_text(prop: Prop) -> bool:
    """C28: a TEXT value with an unescaped , or ; or a backslash escaping nothing §3.3.11 allows."""
    if prop.name not in TEXT_PROPS:
        return False
    value, i = prop.value, 0
    while i < len(value):
        if value[i] == "\\":
            if value[i + 1 : i + 2] not in ("\\", ";", ",", "n", "N") or i + 1 == len(value):
                return True
            i += 2
        elif value[i] in ";,":
            return True
        else:
            i += 1
    return False


def _sensitive(event: Comp) -> bool:
    """P5: a private feed's titles and notes mention nothing a shared screen should not show."""
    shown = " ".join(p.value.lower() for p in event.props if p.name in {"SUMMARY", "DESCRIPTION", "LOCATION"})
    return any(word in shown for word in SENSITIVE)
