"""Prison staff: the custody sessions of their own establishment, and nobody else's."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from recovery_network.accounts.models import COORDINATOR, ESTABLISHMENT_STAFF
from recovery_network.accounts.permissions import require_role
from recovery_network.audit.services import record
from recovery_network.extensions import db
from recovery_network.meetings.models import ACTIVE, CUSTODY, Meeting
from recovery_network.meetings.recurrence import next_occurrences
from recovery_network.meetings.visibility import custody_access
from recovery_network.types import utcnow
from recovery_network.venues.models import Venue

bp = Blueprint("establishments", __name__, url_prefix="/establishment")


@bp.before_request
def staff_only() -> None:
    """Establishment staff (co-ordinators and admins may look too)."""
    require_role(ESTABLISHMENT_STAFF, COORDINATOR)


@bp.get("/")
def index():
    """Custody sessions at the establishments this person works in, with their next dates."""
    access = custody_access(current_user)
    staff_ids = current_user.establishment_ids
    # Staff see their own establishments here; co-ordinators see every establishment.
    wanted = staff_ids if access is not None or staff_ids else None
    query = select(Venue).where(Venue.setting == "custody").order_by(Venue.name)
    if wanted is not None:
        query = query.where(Venue.id.in_(sorted(wanted)))
    venues = db.session.scalars(query).all()
    now = utcnow()
    sessions = {}
    for venue in venues:
        meetings = db.session.scalars(
            select(Meeting).where(Meeting.venue_id == venue.id, Meeting.visibility == CUSTODY, Meeting.status == ACTIVE)
            .options(selectinload(Meeting.changes)).order_by(Meeting.weekday, Meeting.start_time)
        ).all()
        sessions[venue.id] = [(m, next_occurrences(m.schedule, m.change_map(), now, count=4)) for m in meetings]
    record("establishment.view", current_user, object_type="venues")
    db.session.commit()
    return render_template("establishments/index.html", venues=venues, sessions=sessions)
