"""Importing a Meeting Guide feed: plan what would change (read-only), then apply the plan (flush, never commit).

A plan is computed without writing anything, so a dry run and a real run see the same rows and reasons.
Series are matched on (import_source, import_slug): importing the same feed again changes nothing.
Venues are matched on name and postcode, then on coordinates, among community venues only, whichever area
they are in (a hall is one place, whichever feed lists it); matched venues are never edited by an import,
since co-ordinators own them. New venues join the chosen area. Imported series are public community
meetings run by others: they need no helpers from our rota, and an import never creates, changes or
matches anything held in custody. A row whose postcode, address or position is a custody establishment's
is rejected, so a prison is never published as a community meeting (and a rejected run writes nothing).

Every series an import creates is owned by one organisation, whose co-ordinators then manage it
(api/import_owner.py: the one named; unnamed, the only one there is). A re-import never takes a series
from its owner: a row whose series another organisation owns is skipped, unchanged, with the reason; a series
imported before it had an owner is adopted by the importing organisation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from sqlalchemy import select

from recovery_network.api.import_custody import CustodyPlaces
from recovery_network.api.importer import ImportRow, Rejection, VenueRow, rule_breaches
from recovery_network.audit.services import record
from recovery_network.errors import DomainError
from recovery_network.extensions import db
from recovery_network.meetings.models import ACTIVE, CUSTODY, ENDED, PAUSED, PUBLIC, Meeting
from recovery_network.meetings.recurrence import Schedule, describe
from recovery_network.meetings.services import MeetingDetails, apply_details, slugify, touch
from recovery_network.organisations.models import Organisation
from recovery_network.venues.geo import Point
from recovery_network.venues.models import COMMUNITY, Area, Venue

CREATE, CHANGE, UNCHANGED, SKIPPED, REJECTED = "create", "change", "unchanged", "skipped", "rejected"


class ImportRefused(DomainError):
    """The import cannot go ahead (no such area, rows rejected, a feed that can't be read): nothing is written."""


@dataclass
class NewVenue:
    """A venue the import will add to the chosen area, shared by every row held there."""

    slug: str
    row: VenueRow
    venue: Venue | None = None  # made when the plan is applied


@dataclass
class Entry:
    """What happens to one row: created, changed (and how), unchanged, skipped or rejected (and why)."""

    action: str
    row: int
    key: str
    reason: str = ""
    changes: list[str] = field(default_factory=list)
    warnings: tuple[str, ...] = ()
    item: ImportRow | None = None
    meeting: Meeting | None = None
    slug: str = ""  # our slug for a new series
    venue: Venue | NewVenue | None = None


@dataclass
class Plan:
    """Everything an import would do, computed without writing."""

    source: str
    area_slug: str
    area_name: str
    area: Area | None  # None: the area is created when the plan is applied
    starts_on: date
    organisation: Organisation | None = None  # the owner of what is created; None only in a network without any
    entries: list[Entry] = field(default_factory=list)
    new_venues: list[NewVenue] = field(default_factory=list)
    missing: int = 0  # series from this source that the feed no longer lists (left as they are)

    def count(self, action: str) -> int:
        """How many rows end up with this action."""
        return sum(1 for entry in self.entries if entry.action == action)


class _Venues:
    """Community venues in memory, by (name, postcode) and by position, so a big import asks the database once."""

    def __init__(self) -> None:
        """Load every community venue and every venue slug (custody ones too, so new slugs never collide)."""
        self.by_name: dict[tuple[str, str], Venue | NewVenue] = {}
        self.by_point: dict[tuple[float, float], Venue | NewVenue] = {}
        for venue in db.session.scalars(select(Venue).where(Venue.setting == COMMUNITY)):
            self._remember(venue, venue.name, venue.postcode, venue.point)
        self.slugs = set(db.session.scalars(select(Venue.slug)))
        self.new: list[NewVenue] = []

    def _remember(self, venue: Venue | NewVenue, name: str, postcode: str, point: Point | None) -> None:
        """Index a venue under both keys, keeping the first one seen."""
        self.by_name.setdefault((name.casefold(), postcode.replace(" ", "")), venue)
        if point is not None:
            self.by_point.setdefault((round(point.latitude, 5), round(point.longitude, 5)), venue)

    def match(self, row: VenueRow) -> Venue | NewVenue:
        """The venue this row names, or a new one planned for it."""
        found = self.by_name.get((row.name.casefold(), row.postcode.replace(" ", "")))
        if found is None and row.exact:
            # A town's or postcode district's centre is shared by many halls: only a given position identifies one.
            found = self.by_point.get((round(row.latitude, 5), round(row.longitude, 5)))
        if found is not None:
            return found
        base, n = slugify(f"{row.name} {row.town}"), 2
        slug = base
        while slug in self.slugs:
            slug, n = f"{base}-{n}", n + 1
        self.slugs.add(slug)
        planned = NewVenue(slug, row)
        self.new.append(planned)
        self._remember(planned, row.name, row.postcode, Point(row.latitude, row.longitude) if row.exact else None)
        return planned


def plan_import(
    parsed: Iterable[ImportRow | Rejection], *, source: str, area_slug: str, area_name: str | None, starts_on: date,
    organisation: Organisation | None = None,
) -> Plan:
    """What importing these rows would create, change and reject; reads the database and writes nothing."""
    area = db.session.scalar(select(Area).where(Area.slug == area_slug))
    if area is None and not area_name:
        raise ImportRefused(f"There is no area “{area_slug}”. Give --area-name to create it.")
    plan = Plan(source, area_slug, area.name if area else area_name or "", area, starts_on, organisation)
    existing = {m.import_slug: m for m in db.session.scalars(select(Meeting).where(Meeting.import_source == source))}
    slugs = set(db.session.scalars(select(Meeting.slug)))
    venues, custody = _Venues(), CustodyPlaces()
    seen: set[str] = set()
    keys: set[str] = set()
    for item in parsed:
        if isinstance(item, Rejection):
            plan.entries.append(Entry(REJECTED, item.row, item.slug, reason=item.reason))
            seen.add(item.slug)
            continue
        if item.key in keys:  # "a#1" in one row and "a" with days [1, 2] in another
            plan.entries.append(Entry(REJECTED, item.row, item.key, reason="slug already used by another row"))
            continue
        seen.add(item.key)
        keys.add(item.key)
        meeting = existing.get(item.key)
        # Checked on the schedule the row would write: an existing series keeps its own dates.
        dates = (meeting.starts_on, meeting.ends_on, meeting.session_count) if meeting else (starts_on, None, None)
        if broken := rule_breaches(item, *dates):
            plan.entries.append(Entry(REJECTED, item.row, item.key, reason=broken))
            continue
        held_in_custody = custody.reason(item.venue) if item.venue is not None else ""
        if held_in_custody:
            plan.entries.append(Entry(REJECTED, item.row, item.key, reason=held_in_custody))
            continue
        venue = venues.match(item.venue) if item.venue is not None else None
        if meeting is None:
            slug = _unique(slugify(item.title), slugs)
            plan.entries.append(Entry(CREATE, item.row, item.key, warnings=item.warnings, item=item, slug=slug, venue=venue))
        else:
            plan.entries.append(_compare(meeting, item, venue, organisation))
    used = {id(e.venue) for e in plan.entries if e.action in (CREATE, CHANGE) and isinstance(e.venue, NewVenue)}
    plan.new_venues = [new for new in venues.new if id(new) in used]
    plan.missing = sum(1 for key in existing if key not in seen)
    return plan


def _unique(base: str, taken: set[str]) -> str:
    """The base slug, numbered if another meeting (of any kind, anywhere) has it; remembered as taken."""
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def _compare(meeting: Meeting, item: ImportRow, venue: Venue | NewVenue | None,
             organisation: Organisation | None) -> Entry:
    """An entry for a series this feed made before: what would change, or why it is left alone."""
    entry = Entry(UNCHANGED, item.row, item.key, warnings=item.warnings, item=item, meeting=meeting, venue=venue)
    if meeting.organisation_id is not None and (organisation is None or meeting.organisation_id != organisation.id):
        # Its owner's co-ordinators manage it now; another organisation's import must not take it over.
        entry.action, entry.reason = SKIPPED, "owned by another organisation; an import never takes a series over"
        return entry
    if meeting.visibility == CUSTODY:
        # Only a co-ordinator can have moved it into a prison; an import must never touch custody.
        entry.action, entry.reason = SKIPPED, "now held in custody here; an import never changes it"
        return entry
    if meeting.status == ENDED:
        entry.action, entry.reason = SKIPPED, "ended here; an import doesn't restart a series"
        return entry
    entry.changes = _differences(meeting, item, venue)
    if meeting.organisation_id is None and organisation is not None:
        entry.changes.append(f"owner: none → {organisation.name}")
    if entry.changes:
        entry.action = CHANGE
    return entry


def _differences(meeting: Meeting, item: ImportRow, venue: Venue | NewVenue | None) -> list[str]:
    """Each field the row would change, as "label: old → new"."""
    pairs = [
        ("name", meeting.title, item.title),
        ("kind", meeting.kind, item.kind),
        ("rule", rule_words(meeting.frequency, meeting.weekday, meeting.week_of_month), _rule(item)),
        ("time", f"{meeting.start_time:%H:%M}", f"{item.start_time:%H:%M}"),
        ("minutes", meeting.duration_minutes, item.duration_minutes),
        ("timezone", meeting.timezone, item.timezone),
        ("online link", meeting.online_url or "none", item.online_url or "none"),
        ("status", meeting.status, PAUSED if item.paused else ACTIVE),
    ]
    changes = [f"{label}: {old} → {new}" for label, old, new in pairs if old != new]
    if meeting.venue is not venue:
        old_name = meeting.venue.name if meeting.venue else "online only"
        changes.append(f"venue: {old_name} → {_venue_name(venue)}")
    if meeting.description != item.description:
        changes.append("notes changed")
    return changes


def rule_words(frequency: str, weekday: int, week_of_month: int | None) -> str:
    """A rule in the words describe() uses (without a course's count, which a feed can't carry)."""
    return describe(Schedule(frequency, weekday, date.min, time.min, timedelta(0), week_of_month=week_of_month))


def _rule(item: ImportRow) -> str:
    """The row's rule in words, so rules compare as people read them."""
    return rule_words(item.frequency, item.weekday, item.week_of_month)


def _venue_name(venue: Venue | NewVenue | None) -> str:
    """A venue's name for messages, whether it exists yet or not."""
    if venue is None:
        return "online only"
    return venue.row.name + " (new)" if isinstance(venue, NewVenue) else venue.name


def describe_entry(entry: Entry) -> str:
    """A one-line summary of a new series: its rule, time and place."""
    item = entry.item
    if item is None:
        return ""
    where = f"at {_venue_name(entry.venue)}" if entry.venue is not None else "online"
    return f"{_rule(item)} {item.start_time:%H:%M} {where}"


def apply_plan(plan: Plan, *, skip_rejected: bool = False) -> Plan:
    """Add the area and venues, create and update series; flush, never commit. Rejected rows stop it unless skipped."""
    if plan.count(REJECTED) and not skip_rejected:
        raise ImportRefused("Rows were rejected; nothing is imported until they are fixed or skipped.")
    area = plan.area
    if area is None:
        area = plan.area = Area(slug=plan.area_slug, name=plan.area_name)
        db.session.add(area)
    for new in plan.new_venues:
        row = new.row
        new.venue = Venue(
            slug=new.slug, name=row.name, setting=COMMUNITY, area=area, address=row.address, town=row.town,
            postcode=row.postcode, latitude=row.latitude, longitude=row.longitude, step_free=row.step_free,
            directions=row.directions,
        )
        db.session.add(new.venue)
    for entry in plan.entries:
        if entry.action == CREATE:
            meeting = Meeting(slug=entry.slug, sequence=0, import_source=plan.source, import_slug=entry.key,
                              organisation_id=plan.organisation.id if plan.organisation else None)
            db.session.add(meeting)
            _write(meeting, entry, plan.starts_on, helpers=(0, 0))
        elif entry.action == CHANGE and entry.meeting is not None:
            meeting = entry.meeting
            _write(meeting, entry, meeting.starts_on, helpers=(meeting.facilitators_needed, meeting.mentors_needed))
            if meeting.organisation_id is None and plan.organisation is not None:
                meeting.organisation_id = plan.organisation.id
            if any(not change.startswith("owner:") for change in entry.changes):
                touch(meeting)  # who manages a series is not news to a calendar
    db.session.flush()
    record("meeting.import", object_type="areas", object_id=area.id,
           detail=f"{plan.count(CREATE)} created, {plan.count(CHANGE)} changed")
    return plan


def _write(meeting: Meeting, entry: Entry, starts_on: date, helpers: tuple[int, int]) -> None:
    """Copy a row onto a series through the meetings' own rules, keeping an existing series' dates and helpers."""
    item = entry.item
    assert item is not None
    venue = entry.venue.venue if isinstance(entry.venue, NewVenue) else entry.venue
    details = MeetingDetails(
        title=item.title, kind=item.kind, weekday=item.weekday, start_time=item.start_time, starts_on=starts_on,
        duration_minutes=item.duration_minutes, frequency=item.frequency, week_of_month=item.week_of_month,
        # A co-ordinator's end date on an imported series stands: the feed can't express one.
        ends_on=meeting.ends_on, session_count=meeting.session_count,
        venue=venue, online_url=item.online_url, description=item.description, timezone=item.timezone,
        facilitators_needed=helpers[0], mentors_needed=helpers[1],
    )
    apply_details(meeting, details)
    if meeting.visibility != PUBLIC:  # pragma: no cover - venues are community venues by construction
        raise ImportRefused("An import never creates a custody session.")
    meeting.status = PAUSED if item.paused else ACTIVE
