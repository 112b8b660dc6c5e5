"""Reading the rota: gaps for co-ordinators, openings for a volunteer, who is coming to a session."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from recovery_network import localzone
from recovery_network.accounts.models import Person
from recovery_network.extensions import db
from recovery_network.meetings.models import ACTIVE, CUSTODY, Meeting, MeetingChange
from recovery_network.meetings.recurrence import Occurrence, localise, occurrences
from recovery_network.meetings.visibility import visible_to
from recovery_network.mentors.rules import eligible
from recovery_network.organisations.access import may_act_for
from recovery_network.mentors.services import facts_for
from recovery_network.rota.models import ACTIVE_SIGNUP, ROTA_ROLES, RotaSlot, Signup
from recovery_network.rota.services import needed


@dataclass
class Place:
    """One role at one occurrence, with how many are needed and confirmed, and who."""

    meeting: Meeting
    occurrence: Occurrence
    role: str
    needed: int
    confirmed: list[Signup]
    waiting: int = 0

    @property
    def short(self) -> int:
        """How many more helpers are needed."""
        return max(0, self.needed - len(self.confirmed))


def _staffed_meetings(viewer: Person | None) -> list[Meeting]:
    """Active series that need any helpers and that the viewer may see."""
    return list(db.session.scalars(
        select(Meeting)
        .where(Meeting.status == ACTIVE, or_(Meeting.facilitators_needed > 0, Meeting.mentors_needed > 0),
               visible_to(viewer))
        .options(selectinload(Meeting.venue), selectinload(Meeting.changes))
    ))


def places(meetings: list[Meeting], start: datetime, end: datetime) -> list[Place]:
    """Every role at every occurrence of these series between start and end, with its signups."""
    if not meetings:
        return []
    ids = [m.id for m in meetings]
    signups = db.session.scalars(
        select(Signup).join(RotaSlot).where(Signup.meeting_id.in_(ids), Signup.status.in_(ACTIVE_SIGNUP),
                                            Signup.occurrence_date >= start.date() - timedelta(days=62))
        .options(selectinload(Signup.person), selectinload(Signup.slot))
    ).all()
    by_key: dict[tuple, list[Signup]] = defaultdict(list)
    for s in signups:
        by_key[(s.meeting_id, s.occurrence_date, s.slot.role)].append(s)
    result = []
    for meeting in meetings:
        for occ in occurrences(meeting.schedule, meeting.change_map(), start, end):
            if occ.cancelled:
                continue
            for role in ("facilitator", "peer_mentor"):
                count = needed(meeting, role)
                if count == 0:
                    continue
                here = by_key.get((meeting.id, occ.original_start.date(), role), [])
                result.append(Place(meeting, occ, role, count, [s for s in here if s.status == "confirmed"],
                                    sum(1 for s in here if s.status == "waitlisted")))
    result.sort(key=lambda p: (p.occurrence.start, p.meeting.title, p.meeting.id, p.role))
    return result


def gaps(viewer: Person, now: datetime, days: int = 14) -> list[Place]:
    """Occurrences in the next `days` days without enough confirmed helpers in the sessions this co-ordinator's
    organisations own (organisations/access.py), custody first, soonest first."""
    mine = [m for m in _staffed_meetings(viewer) if may_act_for(viewer, m.organisation_id)]
    found = [p for p in places(mine, now, now + timedelta(days=days)) if p.short > 0]
    found.sort(key=lambda p: (not p.meeting.is_custody, p.occurrence.start))
    return found


# The rota page shows this many openings at a time ("more" shows the next lot).
PAGE_SIZE = 40
# The walk looks at this many hours of a home-zone day at a time, so the first page rarely expands a whole day.
# (The home zone is the network's, localzone, which nearly every series keeps: a day's weekday and a series'
# wall-clock start are exact there; in any other zone the local date may be a day either side, so those series
# are looked at all day.)
WINDOW_HOURS = 2
# On the days the clocks change a wall-clock start may happen an hour off: the SQL time filter allows for it.
CLOCK_SLACK = timedelta(hours=1)


def openings(person: Person, now: datetime, days: int = 28, limit: int | None = None) -> list[Place]:
    """Places with room in the next `days` days that this person is eligible for on their dates, soonest first.

    With a limit, only the first `limit`: the window is walked a few local hours at a time and the walk stops
    once enough are found. One statement reads when the series that could concern this person meet; each piece
    of the walk then loads and expands only the series meeting in it (none, no query). The rule decides every place.
    """
    trainings, clearances = facts_for(person)
    roles = [r for r in ROTA_ROLES if person.has_role(r)]
    establishments = sorted({c.establishment_id for c in clearances})
    mine = {(s.meeting_id, s.occurrence_date) for s in my_signups(person, now)}

    def allowed(role: str, on, establishment: int | None) -> bool:
        """The one eligibility rule, for this person."""
        return bool(eligible(role, on, establishment_id=establishment, trainings=trainings, clearances=clearances,
                             approved=person.is_approved))

    walk = []
    for local_day, pieces in _local_days(now, now + timedelta(days=days)):
        # Narrowing only: where could the rule say yes this day? (Another zone's date may be a day either side.)
        dates = [local_day + timedelta(days=n) for n in (-1, 0, 1)]
        can = {role: [e for e in (None, *establishments) if any(allowed(role, on, e) for on in dates)]
               for role in roles}
        if any(can.values()):
            walk.append((local_day, pieces, can))
    if not walk:
        return []
    month = {role: sorted({e for _, _, can in walk for e in can.get(role, [])}, key=lambda e: (e is not None, e))
             for role in roles}
    timetable = _Timetable.read(month, walk[0][0], walk[-1][0])
    result: list[Place] = []
    for local_day, pieces, can in walk:
        for lo, hi in pieces:
            ids = timetable.meeting_in(local_day, lo, hi)
            for place in places(_candidates(can, ids), lo, hi) if ids else []:
                if place.role not in roles or place.short == 0:
                    continue
                if (place.meeting.id, place.occurrence.original_start.date()) in mine:
                    continue
                establishment = place.meeting.venue_id if place.meeting.is_custody else None
                if allowed(place.role, place.occurrence.start.date(), establishment):
                    result.append(place)
            if limit is not None and len(result) >= limit:
                return result[:limit]
    return result[:limit]


def _local_days(start: datetime, end: datetime) -> list[tuple[date, list[tuple[datetime, datetime]]]]:
    """[start, end) as home-zone days, each cut into pieces at every WINDOW_HOURS of local wall-clock time."""
    tz = localzone.tzinfo()
    days: list[tuple[date, list[tuple[datetime, datetime]]]] = []
    lo = start
    while lo < end:
        local_day = lo.astimezone(tz).date()
        cuts = [localise(datetime.combine(local_day, time(hour)), localzone.name()) for hour in range(0, 24, WINDOW_HOURS)]
        cuts.append(localise(datetime.combine(local_day + timedelta(days=1), time.min), localzone.name()))
        pieces = []
        for cut in cuts[1:]:
            if cut > lo:
                pieces.append((lo, min(cut, end)))
                lo = min(cut, end)
            if lo >= end:
                break
        days.append((local_day, pieces))
    return days


def _wanted(can: dict[str, list[int | None]]) -> list:
    """SQL for "needs a role the person could take there": public series, or custody at these establishments."""
    wanted = []
    for role, where in can.items():
        needs = (Meeting.facilitators_needed if role == "facilitator" else Meeting.mentors_needed) > 0
        if None in where:
            wanted.append(and_(needs, visible_to(None)))
        custody = [e for e in where if e is not None]
        if custody:
            wanted.append(and_(needs, Meeting.visibility == CUSTODY, Meeting.venue_id.in_(custody)))
    return wanted


@dataclass
class _Timetable:
    """When the month's candidate series meet (weekday and wall-clock start), and the dates moves land on.

    Home-zone series are read one weekday at a time, when the walk first reaches that weekday: a first page
    usually fills within a day or two, so most of the month's timetable is never read.
    """

    wanted: list  # SQL: series needing a role the person could take there, running in the month
    home: dict[int, list[tuple[time, int]]]  # weekday -> (start, id) of home-zone series, soonest first
    away: dict[int, list[int]]  # weekday -> ids of series kept in other zones
    moved: list[tuple[date, int]]  # (local date a date was moved to, id)

    @classmethod
    def read(cls, can: dict[str, list[int | None]], first: date, last: date) -> _Timetable:
        """One statement for the series kept in other zones (few), one for moves; home-zone ones as the walk goes.

        COALESCE rather than "finishes_on IS NULL OR >=": with the OR, SQLite walked ix_meetings_finishes_on over
        nearly every row (open-ended series have no finish) and read each by rowid, far slower than one scan.
        """
        wanted = [Meeting.status == ACTIVE, or_(*_wanted(can)), Meeting.starts_on <= last + timedelta(days=1),
                  func.coalesce(Meeting.finishes_on, date.max) >= first - timedelta(days=1)]
        away: dict[int, list[int]] = defaultdict(list)
        for id_, weekday in db.session.execute(select(Meeting.id, Meeting.weekday).where(
                *wanted, Meeting.timezone != localzone.name())):
            away[weekday].append(id_)
        moves = db.session.execute(select(MeetingChange.meeting_id, MeetingChange.new_start).join(Meeting).where(
            MeetingChange.kind == "moved", Meeting.status == ACTIVE, or_(*_wanted(can)),
            MeetingChange.new_start >= datetime.combine(first - timedelta(days=1), time.min),
            MeetingChange.new_start < datetime.combine(last + timedelta(days=2), time.min)))
        return cls(wanted, {}, away, [(new_start.date(), id_) for id_, new_start in moves])

    def home_on(self, weekday: int) -> list[tuple[time, int]]:
        """The home-zone series meeting on this weekday, by start: read the first time the walk asks."""
        if weekday not in self.home:
            self.home[weekday] = sorted((start, id_) for start, id_ in db.session.execute(
                select(Meeting.start_time, Meeting.id).where(
                    *self.wanted, Meeting.timezone == localzone.name(), Meeting.weekday == weekday)))
        return self.home[weekday]

    def meeting_in(self, local_day: date, lo: datetime, hi: datetime) -> set[int]:
        """Series that could meet in [lo, hi), a piece of one home-zone day: by rule, or by a move to about then.

        Home-zone series by weekday and wall-clock start (an hour's slack on the days the clocks change); series
        in another zone by the weekdays a day either side, at any time.
        """
        tz = localzone.tzinfo()
        midnights = [localise(datetime.combine(local_day + timedelta(days=n), time.min), localzone.name()) for n in (0, 1)]
        slack = CLOCK_SLACK if midnights[0].utcoffset() != midnights[1].utcoffset() else timedelta(0)
        earliest = lo.astimezone(tz).replace(tzinfo=None) - slack
        latest = hi.astimezone(tz).replace(tzinfo=None) + slack
        start = earliest.time() if earliest.date() == local_day else time.min
        found = {id_ for at, id_ in self.home_on(local_day.weekday())
                 if at >= start and (latest.date() != local_day or at < latest.time())}
        for n in (-1, 0, 1):
            found.update(self.away.get((local_day + timedelta(days=n)).weekday(), []))
        found.update(id_ for on, id_ in self.moved if abs((on - local_day).days) <= 1)
        return found


def _candidates(can: dict[str, list[int | None]], ids: set[int]) -> list[Meeting]:
    """These series, loaded for expanding, if they need a role the person could take there on this day."""
    return list(db.session.scalars(
        select(Meeting).where(Meeting.id.in_(sorted(ids)), Meeting.status == ACTIVE, or_(*_wanted(can)))
        .options(selectinload(Meeting.venue), selectinload(Meeting.changes))
    ))


def my_signups(person: Person, now: datetime) -> list[Signup]:
    """This person's active places from today on, soonest first."""
    return list(db.session.scalars(
        select(Signup).where(Signup.person_id == person.id, Signup.status.in_(ACTIVE_SIGNUP),
                             Signup.occurrence_date >= now.date() - timedelta(days=1))
        .options(selectinload(Signup.slot).selectinload(RotaSlot.meeting))
        .order_by(Signup.occurrence_date, Signup.id)
    ))


def helpers_for(meeting: Meeting, now: datetime, days: int = 56) -> list[Place]:
    """Who is coming to help at each of a series' next occurrences (for its organiser)."""
    return places([meeting], now, now + timedelta(days=days))
