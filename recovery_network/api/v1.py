"""The read-only JSON API, v1: search public meetings and read one, for apps that want more than Meeting Guide.

The filters and rules are the /meetings page's own (directory.queries.run_search),
but the API always answers as the public: custody sessions are never listed or found, whoever is logged in,
and a custody slug gets the same 404 as one that doesn't exist. Bad filters get 400 with a message per field;
every error is JSON (errors.py answers /api/v1/ paths with problem details). Described by /api/v1/openapi.json.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from recovery_network.api.openapi import document
from recovery_network.api.resources import detail_resource, summary_resource
from recovery_network.directory.queries import FILTER_KEYS, run_search
from recovery_network.errors import problem_json
from recovery_network.extensions import db
from recovery_network.meetings import search as meeting_search
from recovery_network.meetings.models import Meeting
from recovery_network.meetings.recurrence import next_occurrences
from recovery_network.meetings.visibility import meeting_or_404
from recovery_network.pagecache import expires_with
from recovery_network.venues.services import Located

bp = Blueprint("v1", __name__, url_prefix="/api/v1")  # nested in the api blueprint: endpoints api.v1.*
UPCOMING = 6
MAX_AGE = 300  # five minutes: a cancellation reaches finders soon, and a repeat read is a cheap 304


def now() -> datetime:
    """The current instant (a function, so tests can fix the clock)."""
    return datetime.now(timezone.utc)


@bp.after_request
def cacheable(response: Response) -> Response:
    """A short public lifetime on every answer; pagecache.py adds the ETag and answers 304 when the copy is current.

    Other sites read these from the browser (api/cors.py); the ETag is the SHA-256 of the exact body, so it
    changes when anything shown does, including the next dates as time passes.
    """
    if request.method not in ("GET", "HEAD") or response.status_code not in (200, 304):
        return response
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    return response


@bp.get("/meetings")
def index():
    """One page of public meetings matching the filters, nearest first when `near` is given."""
    searched = run_search(request.args, now=now(), per_page=current_app.config["SEARCH_PAGE_SIZE"], viewer=None)
    if db.session.new:
        db.session.commit()  # an online geocoder's new answer, kept; a GET otherwise writes nothing
    if searched.found is None:
        return problem_json(400, "Bad Request", errors=searched.errors)
    found, located = searched.found, searched.located
    expires_with(r.upcoming[0] for r in found.results if r.upcoming)
    return jsonify({
        "meetings": [
            summary_resource(r.meeting, _links(r.meeting), r.distance_miles, r.next, _moved_venues(r.meeting))
            for r in found.results
        ],
        "page": found.page,
        "pages": found.pages,
        "per_page": found.per_page,
        # Counting stops at a cap (as on the page's "1,000+"): then total is the cap and total_is_capped is true.
        "total": min(found.total, meeting_search.COUNT_CAP),
        "total_is_capped": found.more_than_cap,
        "near": _place(located),
        "links": _page_links(found),
    })


@bp.get("/meetings/<slug>")
def detail(slug: str):
    """One public meeting with its next six dates, cancelled and moved ones marked."""
    meeting = meeting_or_404(None, slug=slug, listed_only=True)  # never custody or unlisted, whoever asks
    upcoming = next_occurrences(meeting.schedule, meeting.change_map(), now(), count=UPCOMING)
    expires_with(upcoming[:1])
    return jsonify(detail_resource(meeting, _links(meeting), upcoming, _moved_venues(meeting)))


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    return jsonify(document())


def _links(meeting: Meeting) -> dict[str, str]:
    """Where to read this meeting: the API, the public page and its calendar feed."""
    return {
        "self": url_for("api.v1.detail", slug=meeting.slug, _external=True),
        "html": url_for("directory.detail", slug=meeting.slug, _external=True),
        "ics": url_for("feeds.meeting", slug=meeting.slug, _external=True),
    }


def _moved_venues(meeting: Meeting) -> dict[int, Any]:
    """Venues single dates were moved to, by id (none for a closed group, whose address is never published)."""
    if meeting.is_closed:
        return {}
    return {c.new_venue_id: c.new_venue for c in meeting.changes if c.new_venue is not None}


def _place(located: Located | None) -> dict[str, Any] | None:
    """The search centre and its name, when the search was near somewhere."""
    if located is None:
        return None
    return {"label": located.label, "latitude": located.point.latitude, "longitude": located.point.longitude}


def _page_links(found: meeting_search.Page) -> dict[str, str | None]:
    """This page and its neighbours, with the same filters (and only the known ones)."""

    def page_url(page: int) -> str:
        """The URL of one page of these results."""
        pairs = [(key, value) for key in FILTER_KEYS for value in request.args.getlist(key) if value]
        return url_for("api.v1.index", _external=True) + "?" + urlencode([*pairs, ("page", page)])

    return {
        "self": page_url(found.page),
        "next": page_url(found.page + 1) if found.page < found.pages else None,
        "prev": page_url(found.page - 1) if found.page > 1 else None,
    }
