"""Throughcare rules as pure functions: the window, risky release days, what to propose, when to worry.

Pure: no Flask, no database. The six-weeks-either-side window and "seen within 2 days, then weekly"
come from the Scottish throughcare model (brief: throughcare.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from recovery_network.holidays import public_holiday

WINDOW = timedelta(days=42)
FIRST_CONTACT_DAYS = 2  # "arrangements should be made to see prisoners within 2 days of release"
CONTACT_EVERY_DAYS = 7  # "at least one face-to-face contact a week"
APPOINTMENTS = (("housing", 1), ("benefits", 2), ("gp", 3), ("treatment", 4))  # purpose, days after release


@dataclass(frozen=True)
class Slot:
    """A dated opportunity: an occurrence of a meeting, with how far it is from where the person will live."""

    key: tuple[int, date]  # (meeting id, original date)
    start: datetime
    end: datetime
    distance_miles: float = 0.0


def window(release: date) -> tuple[date, date]:
    """The last six weeks inside and the first six weeks out."""
    return release - WINDOW, release + WINDOW


def release_warnings(release: date) -> list[str]:
    """Why a release date is risky: the Bail and Release from Custody (Scotland) Act 2023 bars these days."""
    warnings = []
    if release.weekday() == 4:
        warnings.append("Release on a Friday: support is thin over the weekend.")
    if release.weekday() >= 5:
        warnings.append("Release at a weekend.")
    if name := public_holiday(release):
        warnings.append(f"Release on a public holiday ({name}).")
    tomorrow = release + timedelta(days=1)
    if name := public_holiday(tomorrow):
        warnings.append(f"Release the day before a public holiday ({name}).")
    return warnings


def pick_inside(slots: Sequence[Slot], release: date) -> list[Slot]:
    """One session a week in the last six weeks inside (the latest in each week), earliest first."""
    start, _ = window(release)
    by_week: dict[int, Slot] = {}
    for slot in sorted(slots, key=lambda s: s.start):
        day = slot.start.date()
        if start <= day < release:
            by_week[(release - day).days // 7] = slot  # later slots in the same week replace earlier ones
    return sorted(by_week.values(), key=lambda s: s.start)


def pick_outside(slots: Sequence[Slot], release: date) -> list[Slot]:
    """The nearest meeting in each of the first six weeks out (ties go to the earlier one)."""
    chosen: dict[int, Slot] = {}
    for slot in sorted(slots, key=lambda s: (s.distance_miles, s.start)):
        day = slot.start.date()
        if release < day <= release + WINDOW:
            chosen.setdefault((day - release - timedelta(days=1)).days // 7, slot)
    return sorted(chosen.values(), key=lambda s: s.start)


def appointment_days(release: date) -> list[tuple[str, date]]:
    """Placeholder days for the first appointments (housing, benefits, GP, treatment): working days, one each, so
    nothing overlaps on the phone even when a holiday weekend squeezes them together."""
    result: list[tuple[str, date]] = []
    for purpose, offset in APPOINTMENTS:
        day = release + timedelta(days=offset)
        if result:
            day = max(day, result[-1][1] + timedelta(days=1))
        while day.weekday() >= 5 or public_holiday(day):
            day += timedelta(days=1)
        result.append((purpose, day))
    return result


def contact_flags(release: date, today: date, met_on: Iterable[date]) -> list[str]:
    """Welfare prompts: no contact within 2 days of release, or none in any 7-day stretch of the 6 weeks."""
    if today <= release:
        return []
    end = min(today, release + WINDOW)
    met = sorted(d for d in met_on if release <= d <= end)
    flags = []
    if today > release + timedelta(days=FIRST_CONTACT_DAYS) and not any(
        d <= release + timedelta(days=FIRST_CONTACT_DAYS) for d in met
    ):
        flags.append(f"No contact within {FIRST_CONTACT_DAYS} days of release.")
    last = release
    for day in met + [end]:
        if (day - last).days > CONTACT_EVERY_DAYS:
            flags.append(f"No contact for {(day - last).days} days after {last:%-d %B}.")
        last = max(last, day)
    return flags


def weeks_with_contact(release: date, met_on: Iterable[date]) -> int:
    """How many of the six weeks after release had at least one face-to-face contact (for funders)."""
    weeks = {(d - release).days // 7 for d in met_on if release <= d < release + WINDOW}
    return len(weeks)
