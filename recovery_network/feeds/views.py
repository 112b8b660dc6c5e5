"""Calendar feeds over HTTP: one meeting, or a whole search, as a subscription."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flask import Blueprint, Response, abort, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from recovery_network.directory.forms import SearchForm
from recovery_network.directory.queries import criteria_from_form, feed_query_string
from recovery_network.extensions import db
from recovery_network.feeds.events import meeting_event, newest, version_tag
from recovery_network.feeds.ical import FeedInfo, build_calendar, stable_uid
from recovery_network.meetings import search as meeting_search
from recovery_network.meetings.models import Meeting
from recovery_network.meetings.visibility import visible_to
from recovery_network.types import utcnow
from recovery_network.venues.services import locate

bp = Blueprint("feeds", __name__)

FEED_LIMIT = 200
CONTENT_TYPE = "text/calendar; charset=utf-8; method=PUBLISH"


def calendar_response(
    meetings: Sequence[Meeting], info: Callable[[], FeedInfo], tag_extra: str, filename: str
) -> Response:
    """Answer a conditional GET with 304 before building anything; otherwise build the bytes once."""
    etag = version_tag(meetings, tag_extra)
    response = Response(mimetype="text/calendar")
    response.headers["Content-Type"] = CONTENT_TYPE
    response.set_etag(etag)
    response.last_modified = newest(meetings)
    response.cache_control.public = True
    response.cache_control.max_age = 900
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    if request.if_none_match.contains(etag):
        response.status_code = 304
        return response
    events = [meeting_event(m, url_for("directory.detail", slug=m.slug, _external=True)) for m in meetings]
    response.set_data(build_calendar(info(), events))
    return response.make_conditional(request)


@bp.get("/meetings/<slug>.ics")
def meeting(slug: str):
    """One public meeting series as an iCalendar file."""
    found = db.session.scalar(
        select(Meeting)
        .where(Meeting.slug == slug, visible_to(None))
        .options(selectinload(Meeting.venue), selectinload(Meeting.changes))
    )
    if found is None:
        abort(404)

    def info() -> FeedInfo:
        """The calendar's own name and identity."""
        return FeedInfo(
            name=found.title,
            description="Recovery Network meeting",
            uid=stable_uid("meeting-feed", found.id),
            url=url_for("directory.detail", slug=found.slug, _external=True),
        )

    return calendar_response([found], info, f"meeting:{found.id}", f"{found.slug}.ics")


@bp.get("/feeds/meetings.ics")
def search():
    """A search as a subscription: the same filters as /meetings, nearest 200 at most."""
    form = SearchForm(request.args)
    form.validate()
    near = (form.near.data or "").strip()
    located = locate(near) if near and not form.near.errors else None
    db.session.commit()
    if near and located is None:
        abort(404)
    criteria = criteria_from_form(form, located)
    page = meeting_search.search(criteria, now=utcnow(), per_page=FEED_LIMIT, upcoming=0)
    meetings = [r.meeting for r in page.results]
    query = feed_query_string(request.args)

    def info() -> FeedInfo:
        """Name the calendar after the search so people can tell subscriptions apart."""
        place = f" near {located.label}" if located else ""
        return FeedInfo(
            name=f"Recovery meetings{place}",
            description="Public recovery meetings from Recovery Network",
            uid=stable_uid("search-feed", query),
            url=url_for("directory.search", _external=True) + (f"?{query}" if query else ""),
        )

    return calendar_response(meetings, info, f"search:{query}", "meetings.ics")
