"""Reads a pathway into the liberation pack's plain data, and the funders' counts; writes nothing but a link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from recovery_network.extensions import db
from recovery_network.meetings.kinds import BY_CODE
from recovery_network.meetings.models import Meeting
from recovery_network.meetings.recurrence import zone
from recovery_network.pathways import pack
from recovery_network.pathways.feeds import PURPOSES
from recovery_network.pathways.models import Pathway, PathwayItem, PathwayTally
from recovery_network.venues.models import Venue

LONDON = "Europe/London"
# Sessions inside and prison visits are left out: the pack starts at the gate and must not name the prison.
INSIDE = ("custody_session", "mentor_visit")
MEASURES = ("opened", "gate_met", "weeks_with_contact", "erased")
MEASURE_NAMES = {
    "opened": "Pathways opened",
    "gate_met": "Met at the gate",
    "weeks_with_contact": "Weeks with contact",
    "erased": "Pathways erased",
}


def mentor_names(pathway: Pathway) -> tuple[str, str]:
    """First names only: the person asks for them by name on the phone."""
    mentor = pathway.mentor.first_name if pathway.mentor else "your mentor"
    backup = pathway.backup_mentor.first_name if pathway.backup_mentor else ""
    return mentor, backup


def _meeting_entry(item: PathwayItem, meeting: Meeting | None) -> pack.PackEntry | None:
    """A community meeting as it now stands: a cancelled date drops out, a moved one shows its new time and place."""
    if meeting is None:
        return None
    start = item.starts_at.astimezone(zone(meeting.timezone))
    venue = meeting.venue
    occurrence = meeting.occurrence_on(item.occurrence_date) if item.occurrence_date else None
    if item.occurrence_date and (occurrence is None or occurrence.cancelled):
        return None
    if occurrence is not None:
        start = occurrence.start
        if occurrence.venue_id:
            venue = db.session.get(Venue, occurrence.venue_id) or venue
    kind = BY_CODE.get(meeting.kind)
    what = kind.name if kind else meeting.title
    if venue is None:
        return pack.PackEntry(start.date(), f"{start:%H:%M}", what, f"Online: {meeting.online_url}")
    access = "Step-free access. " if venue.step_free else ""
    return pack.PackEntry(start.date(), f"{start:%H:%M}", what, venue.one_line_address, venue.directions.strip(),
                          (access + venue.accessibility).strip())


def pack_entries(pathway: Pathway, mentor: str) -> list[pack.PackEntry]:
    """The plan from release on, in plain words; appointments are placeholders the mentor confirms."""
    meetings = {m.id: m for m in db.session.scalars(
        select(Meeting).where(Meeting.id.in_([i.meeting_id for i in pathway.items if i.meeting_id])))}
    entries = []
    for item in pathway.items:
        if item.status == "cancelled" or item.kind in INSIDE:
            continue
        local = item.starts_at.astimezone(zone(LONDON))
        if item.kind == "gate_meet":
            entries.append(pack.PackEntry(local.date(), f"{local:%H:%M}", f"Meet {mentor} at the gate"))
        elif item.kind == "appointment":
            label = PURPOSES.get(item.purpose, "")
            entries.append(pack.PackEntry(local.date(), "", f"{label} appointment" if label else "Appointment",
                                          note=f"{mentor[:1].upper()}{mentor[1:]} will confirm the time and place."))
        elif (entry := _meeting_entry(item, meetings.get(item.meeting_id))) is not None:
            entries.append(entry)
    return entries


def build_pack(pathway: Pathway, phone: str, calendar_url: str | None) -> pack.Pack:
    """The whole pack: days, places, contacts, and the QR of a working calendar link if there is one."""
    mentor, backup = mentor_names(pathway)
    entries = pack_entries(pathway, mentor)
    return pack.Pack(
        first_name=pathway.first_name, mentor=mentor, backup=backup, phone=phone, release=pathway.release_date,
        days=pack.pack_days(pathway.release_date, entries, mentor), places=pack.places(entries),
        calendar_url=calendar_url, qr=pack.qr_matrix(calendar_url) if calendar_url else [],
    )


def wants_calendar(pathway: Pathway) -> bool:
    """A link is only issued if the person consented to a calendar, and only while the pathway is open."""
    return "calendar" in pathway.consent_scope.split(",") and pathway.status == "open"


@dataclass(frozen=True)
class Figures:
    """Counts by month and measure, with totals: nothing in it can point at a person."""

    months: list[str]
    counts: dict[tuple[str, str], int]
    totals: dict[str, int]

    def rows(self) -> list[tuple[str, str, int]]:
        """(month, measure, count) for every month and measure, zeros included, for the CSV."""
        return [(m, k, self.counts.get((m, k), 0)) for m in self.months for k in MEASURES]


def figures() -> Figures:
    """The anonymous monthly tallies that survive erasure (PathwayTally), and nothing else."""
    tallies = db.session.scalars(select(PathwayTally).where(PathwayTally.measure.in_(MEASURES))).all()
    counts = {(t.month, t.measure): t.count for t in tallies}
    months = sorted({t.month for t in tallies})
    totals = {k: sum(c for (_, measure), c in counts.items() if measure == k) for k in MEASURES}
    return Figures(months, counts, totals)


def month_name(month: str) -> str:
    """'2026-11' as 'November 2026' for the table (the CSV keeps the sortable form)."""
    return datetime.strptime(month, "%Y-%m").strftime("%B %Y")
