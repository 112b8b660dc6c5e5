"""Prison staff: the custody sessions of their own establishment, and approving sessions facilitators post there."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from recovery_network import localzone
from recovery_network.accounts.models import COORDINATOR, ESTABLISHMENT_STAFF, Person
from recovery_network.accounts.permissions import require_role
from recovery_network.audit.services import record
from recovery_network.errors import DomainError
from recovery_network.establishments import daysheet
from recovery_network.establishments.forms import DaySheetForm
from recovery_network.extensions import db
from recovery_network.meetings import custody
from recovery_network.meetings.models import ACTIVE, AWAITING, CUSTODY, Meeting
from recovery_network.meetings.recurrence import describe, next_occurrences
from recovery_network.meetings.services import local_today
from recovery_network.pathways.pack import PACK_STATES
from recovery_network.meetings.visibility import custody_access, meeting_or_404
from recovery_network.types import utcnow
from recovery_network.venues.models import Venue

bp = Blueprint("establishments", __name__, url_prefix="/establishment")


@bp.before_request
def staff_only() -> None:
    """Establishment staff (co-ordinators and admins may look too)."""
    require_role(ESTABLISHMENT_STAFF, COORDINATOR)


def my_establishments() -> list[Venue]:
    """Staff see the establishments they work in; co-ordinators with no post see every establishment."""
    access = custody_access(current_user)
    staff_ids = current_user.establishment_ids
    wanted = staff_ids if access is not None or staff_ids else None
    query = select(Venue).where(Venue.setting == "custody").order_by(Venue.name)
    if wanted is not None:
        query = query.where(Venue.id.in_(sorted(wanted)))
    return list(db.session.scalars(query))


def sessions_at(venue: Venue, status: str) -> list[Meeting]:
    """Custody series of one status at one establishment, by day and time."""
    return list(db.session.scalars(
        select(Meeting).where(Meeting.venue_id == venue.id, Meeting.visibility == CUSTODY, Meeting.status == status)
        .options(selectinload(Meeting.changes)).order_by(Meeting.weekday, Meeting.start_time)))


@bp.get("/")
def index():
    """Custody sessions at the establishments this person works in, and those waiting for their approval."""
    venues = my_establishments()
    now = utcnow()
    sessions, awaiting = {}, []
    for venue in venues:
        sessions[venue.id] = [(m, next_occurrences(m.schedule, m.change_map(), now, count=4))
                              for m in sessions_at(venue, ACTIVE)]
        awaiting += sessions_at(venue, AWAITING)
    organisers = {p.id: p.display_name for p in db.session.scalars(
        select(Person).where(Person.id.in_({m.organiser_id for m in awaiting if m.organiser_id})))}
    today = now.astimezone(localzone.tzinfo()).date()
    record("establishment.view", current_user, object_type="venues")
    db.session.commit()
    return render_template("establishments/index.html", venues=venues, sessions=sessions, awaiting=awaiting,
                           organisers=organisers, describe=describe, today=today, pack_states=PACK_STATES,
                           releases=daysheet.releasing(venues, today) if venues else [],
                           may_approve={m.id: custody.may_approve(m, current_user) for m in awaiting})


@bp.get("/day-sheet")
def day_sheet():
    """The printable day sheet for the gate or visits desk: each session, who is coming in, releases and visits."""
    venues = my_establishments()
    form = DaySheetForm(request.args)
    form.venue.choices = [(v.id, v.name) for v in venues]
    if not venues:
        abort(404)
    if not request.args.get("on"):
        form.on.data = utcnow().astimezone(localzone.tzinfo()).date()
    if not request.args.get("venue"):
        form.venue.data = venues[0].id
    if request.args and not form.validate():
        return render_template("establishments/day_sheet.html", form=form, venue=None), 422
    venue = next((v for v in venues if v.id == form.venue.data), None)
    if venue is None:
        abort(404)  # another prison's sheet does not exist for this person
    day = form.on.data
    record("establishment.day_sheet", current_user, venue, detail=day.isoformat())
    db.session.commit()
    return render_template("establishments/day_sheet.html", form=form, venue=venue, day=day,
                           sessions=daysheet.sessions_on(venue, day), events=daysheet.gate_events(venue, day))


@bp.post("/sessions/<slug>/<action>")
def decide(slug: str, action: str):
    """Approve or decline a session a facilitator posted here (staff of this establishment only)."""
    if action not in ("approve", "decline"):
        abort(404)
    meeting = meeting_or_404(current_user, slug=slug)
    if not meeting.is_custody or meeting.venue_id not in {v.id for v in my_establishments()}:
        abort(404)
    try:
        if action == "approve":
            custody.approve(meeting, current_user)
        else:
            custody.decline(meeting, current_user, local_today(meeting))
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(f"{meeting.title}: " + ("approved. It is on the rota now." if action == "approve"
                                      else "declined. It will not run."), "success")
    return redirect(url_for("establishments.index"))
