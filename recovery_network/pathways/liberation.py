"""Reads a pathway into the liberation pack's plain data; writes nothing."""

from __future__ import annotations

from sqlalchemy import select

from recovery_network import localzone
from recovery_network.extensions import db
from recovery_network.meetings.kinds import BY_CODE
from recovery_network.meetings.models import Meeting
from recovery_network.pathways import appointments, pack, planning
from recovery_network.pathways.models import Pathway, PathwayItem
from recovery_network.pathways.throughcare_models import PLAN_AREAS, PLAN_STATUSES
from recovery_network.venues.models import Venue

# Sessions inside and visits before release are left out: the pack starts at the gate and must not name the prison.
INSIDE = ("custody_session", "agency_visit", "leave_visit")


def mentor_names(pathway: Pathway) -> tuple[str, str]:
    """First names only: the person asks for them by name on the phone (the community mentor first: theirs outside)."""
    mentor = pathway.gate_mentor.first_name if pathway.gate_mentor else "your mentor"
    others = [p for p in (pathway.mentor, pathway.backup_mentor) if p is not None and p is not pathway.gate_mentor]
    backup = others[0].first_name if others else ""
    return mentor, backup


def _what(meeting: Meeting) -> str:
    """A meeting in plain words for paper: its kind, not its title."""
    kind = BY_CODE.get(meeting.kind)
    return kind.name if kind else meeting.title


def _meeting_entry(item: PathwayItem, meeting: Meeting | None, pathway: Pathway) -> pack.PackEntry | None:
    """A community meeting as it now stands: a moved date shows its new time and place; a cancelled one says so and
    names the nearest other meeting that week, so nobody walks to a locked door."""
    if meeting is None or not item.occurrence_date:
        return None
    occurrence = meeting.occurrence_on(item.occurrence_date)
    if occurrence is None or occurrence.cancelled:
        slot_start = (occurrence.original_start if occurrence else item.starts_at).astimezone(localzone.tzinfo())
        instead = planning.nearest_instead(pathway, slot_start)
        note = "Cancelled — don't go."
        if instead is not None:
            other, slot = instead
            where = other.venue.one_line_address if other.venue else "online"
            note = (f"Cancelled — the nearest other meeting is {_what(other)} on "
                    f"{slot.start:%A %-d %B} at {slot.start:%H:%M}, {where}.")
        return pack.PackEntry(slot_start.date(), f"{slot_start:%H:%M}", _what(meeting), note=note)
    start, venue = occurrence.start, meeting.venue
    if occurrence.venue_id:
        venue = db.session.get(Venue, occurrence.venue_id) or venue
    moved = f"Moved from {occurrence.original_start:%a %-d %b %H:%M}." if occurrence.moved else ""
    if venue is None:
        return pack.PackEntry(start.date(), f"{start:%H:%M}", _what(meeting), f"Online: {meeting.online_url}",
                              note=moved)
    access = "Step-free access. " if venue.step_free else ""
    return pack.PackEntry(start.date(), f"{start:%H:%M}", _what(meeting), venue.one_line_address,
                          venue.directions.strip(), (access + venue.accessibility).strip(), note=moved)


def _appointment_entry(item: PathwayItem, mentor: str) -> pack.PackEntry:
    """An appointment with what is known of it: kind, agency, place and time, or 'to be confirmed'."""
    local = item.starts_at.astimezone(localzone.tzinfo())
    what = f"{appointments.label(item.purpose) or 'An'} appointment" + (f" with {item.agency}" if item.agency else "")
    note = f"{mentor[:1].upper()}{mentor[1:]} will confirm the time{'' if item.place else ' and place'}." \
        if item.all_day or not item.place else ""
    return pack.PackEntry(local.date(), "" if item.all_day else f"{local:%H:%M}", what, item.place, note=note)


def pack_entries(pathway: Pathway, mentor: str) -> list[pack.PackEntry]:
    """The plan from release on, in plain words; appointments are placeholders the mentor confirms."""
    meetings = {m.id: m for m in db.session.scalars(
        select(Meeting).where(Meeting.id.in_([i.meeting_id for i in pathway.items if i.meeting_id])))}
    entries = []
    for item in pathway.items:
        if item.status == "review" or item.kind in INSIDE:
            continue
        local = item.starts_at.astimezone(localzone.tzinfo())
        if item.kind == "gate_meet":
            entries.append(pack.PackEntry(local.date(), f"{local:%H:%M}", f"Meet {mentor} at the gate"))
        elif item.kind == "appointment":
            entries.append(_appointment_entry(item, mentor))
        elif (entry := _meeting_entry(item, meetings.get(item.meeting_id), pathway)) is not None:
            entries.append(entry)
    return entries


def build_pack(pathway: Pathway, phone: str, calendar_url: str | None) -> pack.Pack:
    """The whole pack: days, places, contacts, and the QR of a working calendar link if there is one."""
    mentor, backup = mentor_names(pathway)
    entries = pack_entries(pathway, mentor)
    nothing_near = planning.nothing_near(pathway)
    return pack.Pack(
        first_name=pathway.first_name, mentor=mentor, backup=backup, phone=phone, release=pathway.release_date,
        days=pack.pack_days(pathway.release_date, entries, mentor), places=pack.places(entries),
        calendar_url=calendar_url, qr=pack.qr_matrix(calendar_url) if calendar_url else [],
        plan=plan_lines(pathway, mentor), nothing_near=nothing_near,
        online=online_options(pathway) if nothing_near else [],
    )


def online_options(pathway: Pathway) -> list[pack.OnlineOption]:
    """Online meetings to try when none is near home: the kind, the weekly time and first date, the link."""
    options = []
    for meeting, slot in planning.online_meetings(pathway):
        start = slot.start.astimezone(localzone.tzinfo())
        when = f"{start:%A}s, {start:%H:%M} (first: {pack.short_date(start.date())})"
        options.append(pack.OnlineOption(_what(meeting), when, meeting.online_url or ""))
    return options


def plan_lines(pathway: Pathway, mentor: str) -> list[pack.PlanLine]:
    """The integration plan in plain words: each area agreed, who does it, by when, where it stands."""
    by_area = {a.area: a for a in pathway.plan_areas}
    lines = []
    for code, name in PLAN_AREAS.items():
        area = by_area.get(code)
        if area is None or (not area.agreed and area.status == "to_do"):
            continue
        who = {"person": "You", "mentor": mentor, "agency": area.agency}[area.who]
        lines.append(pack.PlanLine(name, area.agreed or PLAN_STATUSES[area.status], who,
                                   pack.short_date(area.due_on) if area.due_on else "", PLAN_STATUSES[area.status]))
    return lines


def wants_calendar(pathway: Pathway) -> bool:
    """A link is only issued if the person consented to a calendar, and only while the pathway is open."""
    return "calendar" in pathway.consent_scope.split(",") and pathway.status == "open"
