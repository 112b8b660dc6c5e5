"""Machine-readable meetings: the Meeting Guide feed that meeting-finder apps import."""

from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, Response, current_app, url_for
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from recovery_network.api.meeting_guide import to_meeting_guide
from recovery_network.api.v1 import bp as v1
from recovery_network.extensions import db
from recovery_network.meetings.models import ACTIVE, OPEN, PAUSED, Meeting
from recovery_network.meetings.recurrence import first_slot_date
from recovery_network.meetings.visibility import listed
from recovery_network.types import utcnow
from recovery_network.venues.models import Venue

bp = Blueprint("api", __name__)
bp.register_blueprint(v1)  # /api/v1: endpoints api.v1.*


def has_started(meeting: Meeting, today: date) -> bool:
    """Whether the series has had its first date: the format has no start date, so a finder would offer
    every week before it (a course starting next month would look like a weekly meeting today)."""
    return first_slot_date(meeting.schedule) <= today


@bp.get("/api/meetings.json")
def meeting_guide():
    """Every public meeting in Meeting Guide format; read-only and parameter-free, as the spec asks."""
    today = utcnow().date()
    meetings = db.session.scalars(
        select(Meeting)
        .where(
            listed(None),
            # Finder apps send people to an address; a closed group has none to give (it is on our own pages).
            Meeting.listing == OPEN,
            Meeting.status.in_([ACTIVE, PAUSED]),
            or_(Meeting.finishes_on.is_(None), Meeting.finishes_on >= today),
        )
        .options(selectinload(Meeting.venue).selectinload(Venue.area))
        .order_by(Meeting.slug)
    ).all()
    region = current_app.config.get("ONLINE_REGION", "Scotland, UK")
    records = [
        to_meeting_guide(m, url_for("directory.detail", slug=m.slug, _external=True), region)
        for m in meetings
        if has_started(m, today)
    ]
    body = json.dumps(records, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
    response = Response(body, mimetype="application/json")
    # Read cross-origin by meeting finders (api/cors.py); pagecache.py adds the ETag and answers 304.
    response.cache_control.public = True
    response.cache_control.max_age = 900
    return response
