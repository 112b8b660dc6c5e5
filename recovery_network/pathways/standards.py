"""Contact standards and non-response rules, as pure functions (no Flask, no database).

From the throughcare model (seeds; throughcare.md): at least two face-to-face meetings before release to agree
the community integration plan; seen within two days of release; face-to-face at least weekly for six weeks;
"non response to appointments will be acted upon" — a follow-up the next working day, escalated when it persists.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from recovery_network.holidays import public_holiday

FACE_TO_FACE = frozenset({"face_to_face", "gate", "agency_visit"})
NO_RESPONSE = "no_response"
PRE_RELEASE_NEEDED = 2
PRE_RELEASE_WARN_DAYS = 14  # fewer than two with release this close is a risk worth a flag
SEEN_WITHIN_DAYS = 2
SUPPORT_WEEKS = 6
EXTENSION_WEEKS = 4
MAX_EXTENSIONS = 5  # six weeks plus five four-week steps: 26 weeks, the six months New Routes offers
SILENT_DAYS = 7  # a week without any contact after release escalates (the highest-risk weeks, throughcare.md)

MET, ON_TRACK, AT_RISK, MISSED = "met", "on_track", "at_risk", "missed"
STATE_NAMES = {MET: "Met", ON_TRACK: "Not due yet", AT_RISK: "At risk", MISSED: "Missed"}
STANDARD_NAMES = {
    "pre_release": "Two face-to-face before release",
    "seen_early": f"Seen within {SEEN_WITHIN_DAYS} days of release",
    "weekly": "Face to face every week for six weeks",
}


@dataclass(frozen=True)
class Contact:
    """A contact as the rules see it: the day and the mode code."""

    on: date
    mode: str


@dataclass(frozen=True)
class Standing:
    """Where one standard stands for one pathway today."""

    code: str
    state: str
    note: str = ""

    @property
    def name(self) -> str:
        """The standard's name for a page."""
        return STANDARD_NAMES[self.code]

    @property
    def state_name(self) -> str:
        """Met, not due yet, at risk, missed."""
        return STATE_NAMES[self.state]


def support_weeks(extensions: int) -> int:
    """Six weeks out, plus four for each agreed extension."""
    return SUPPORT_WEEKS + EXTENSION_WEEKS * extensions


def support_end(release: date, extensions: int = 0) -> date:
    """The last day of support after release."""
    return release + timedelta(weeks=support_weeks(extensions))


def may_extend(extensions: int) -> bool:
    """Another four weeks may be agreed until the limit."""
    return extensions < MAX_EXTENSIONS


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a Scottish public holiday."""
    return day.weekday() < 5 and not public_holiday(day)


def next_working_day(day: date) -> date:
    """The first working day after `day`: when a follow-up to a non-response is due."""
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def face_to_face(contacts: Iterable[Contact]) -> list[date]:
    """The days the person was seen, sorted."""
    return sorted(c.on for c in contacts if c.mode in FACE_TO_FACE)


def pre_release(release: date, today: date, contacts: Iterable[Contact]) -> Standing:
    """At least two face-to-face before release; at risk when release is 14 days away or less and fewer."""
    seen = [d for d in face_to_face(contacts) if d < release]
    if len(seen) >= PRE_RELEASE_NEEDED:
        return Standing("pre_release", MET, f"{len(seen)} before release")
    if today >= release:
        return Standing("pre_release", MISSED, f"{len(seen)} of {PRE_RELEASE_NEEDED} before release")
    if (release - today).days <= PRE_RELEASE_WARN_DAYS:
        return Standing("pre_release", AT_RISK, f"{len(seen)} of {PRE_RELEASE_NEEDED}, release in "
                                                f"{(release - today).days} days")
    return Standing("pre_release", ON_TRACK, f"{len(seen)} of {PRE_RELEASE_NEEDED} so far")


def seen_early(release: date, today: date, contacts: Iterable[Contact]) -> Standing:
    """Seen face to face (the gate counts) on release day or within the two days after."""
    last = release + timedelta(days=SEEN_WITHIN_DAYS)
    if any(release <= d <= last for d in face_to_face(contacts)):
        return Standing("seen_early", MET)
    if today < release:
        return Standing("seen_early", ON_TRACK)
    if today <= last:
        return Standing("seen_early", AT_RISK, f"not seen yet; by {last:%a %-d %b}")
    return Standing("seen_early", MISSED)


def week_bounds(release: date, week: int) -> tuple[date, date]:
    """Week n after release (0 = the week starting on release day), first and last day."""
    first = release + timedelta(weeks=week)
    return first, first + timedelta(days=6)


def weeks_without(release: date, today: date, contacts: Iterable[Contact], weeks: int = SUPPORT_WEEKS) -> list[int]:
    """Finished weeks out (of the first `weeks`) with no face-to-face contact."""
    seen = face_to_face(contacts)
    gaps = []
    for week in range(weeks):
        first, last = week_bounds(release, week)
        if last < today and not any(first <= d <= last for d in seen):
            gaps.append(week)
    return gaps


def weekly(release: date, today: date, contacts: Iterable[Contact]) -> Standing:
    """Face to face in each of the six weeks after release: missed once a week passes without."""
    contacts = list(contacts)
    if today < release:
        return Standing("weekly", ON_TRACK)
    gaps = weeks_without(release, today, contacts)
    if gaps:
        return Standing("weekly", MISSED, "no face-to-face in week " + ", ".join(str(w + 1) for w in gaps))
    if today >= release + timedelta(weeks=SUPPORT_WEEKS):
        return Standing("weekly", MET, "all six weeks")
    week = (today - release).days // 7
    first, last = week_bounds(release, week)
    if not any(first <= d <= last for d in face_to_face(contacts)):
        return Standing("weekly", AT_RISK, f"none yet in week {week + 1} (to {last:%a %-d %b})")
    return Standing("weekly", MET, f"every week so far ({week + 1} of six)")


def standards(release: date, today: date, contacts: Iterable[Contact]) -> list[Standing]:
    """The three standards at a glance, in the order they fall due."""
    contacts = list(contacts)
    return [pre_release(release, today, contacts), seen_early(release, today, contacts),
            weekly(release, today, contacts)]


def weeks_with_contact(release: date, contacts: Iterable[Contact]) -> int:
    """How many of the six weeks out had a face-to-face contact (for funders)."""
    return len({(d - release).days // 7 for d in face_to_face(contacts)
                if release <= d < release + timedelta(weeks=SUPPORT_WEEKS)})


def non_response_action(mode: str, follow_up_open: bool) -> str:
    """What a new contact record does: a try with no response opens a follow-up, a second in a row (the first
    still open) escalates it, and any real contact closes what is open."""
    if mode != NO_RESPONSE:
        return "close"
    return "escalate" if follow_up_open else "open"


def silent(release: date, today: date, contacts: Iterable[Contact], end: date) -> bool:
    """Seven days or more after release (or the last contact) with no contact at all, within support."""
    if not release < today <= end:
        return False
    reached = [c.on for c in contacts if c.mode != NO_RESPONSE and release <= c.on <= today]
    since = max(reached, default=release)
    return (today - since).days >= SILENT_DAYS
