"""Calendar feeds over HTTP: one meeting, or a whole search, as a subscription."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from urllib.parse import quote

from flask import Blueprint, Response, abort, request, url_for

from recovery_network.directory.queries import feed_query_string, run_search
from recovery_network.earlyanswer import KEPT_IN
from recovery_network.extensions import db
from recovery_network.feeds.cache import Entry, current_version
from recovery_network.feeds.cache import feeds as feed_cache
from recovery_network.feeds.events import meeting_event, newest
from recovery_network.ical.builder import FeedInfo, build_calendar, stable_uid
from recovery_network.meetings.models import Meeting
from recovery_network.meetings.visibility import meeting_or_404
from recovery_network.pagestore import environ_key
from recovery_network.types import utcnow

bp = Blueprint("feeds", __name__)

FEED_LIMIT = 200
CONTENT_TYPE = "text/calendar; charset=utf-8"
SLUG_MARK = "--slug--"  # never a slug: slugify strips leading hyphens


Loaded = tuple[Sequence[Meeting], Callable[[], FeedInfo], str, bool]


def serve_calendar(load: Callable[[], Loaded]) -> Response:
    """Answer from the cache while nothing changed (a 304 costs one small query); else load and render once.

    The ETag is the SHA-256 of the exact bytes, so it changes exactly when what a calendar app sees does.
    """
    # The request as sent is the key (scheme and host included: feeds carry absolute links, and a forged Host must
    # not reach other subscribers), read the way the early 304 in front of Flask reads it (earlyanswer.py).
    key = environ_key(request.environ)
    request.environ[KEPT_IN] = "feed"
    version, changed_at = current_version()
    entry = feed_cache.get(key, version)
    if entry is None:
        meetings, info, filename, can_shrink = load()
        body, modified = render(meetings, info)
        etag = hashlib.sha256(body).hexdigest()
        if can_shrink:
            # A search feed can lose a meeting, leaving only older rows: the last change anywhere is its floor.
            modified = max(modified, changed_at.replace(microsecond=0))
        before = feed_cache.peek(key)
        if before is not None and before.etag != etag and modified <= before.last_modified:
            # A meeting left the feed: its newest row is older, but If-Modified-Since must still see a change.
            modified = before.last_modified + timedelta(seconds=1)
        entry = feed_cache.put(key, Entry(version, etag, modified, filename, body))
    response = Response(entry.body, mimetype="text/calendar")
    response.headers["Content-Type"] = CONTENT_TYPE
    response.headers["Content-Disposition"] = f'inline; filename="{entry.filename}"'
    response.set_etag(entry.etag)
    response.last_modified = entry.last_modified
    response.cache_control.public = True
    response.cache_control.max_age = 900
    return response.make_conditional(request)


def render(meetings: Sequence[Meeting], info: Callable[[], FeedInfo]) -> tuple[bytes, datetime]:
    """The calendar bytes for these meetings, and the newest change behind them."""
    # One url_for for the feed, not one per meeting (a third of a 200-meeting render): only the slug differs.
    page = url_for("directory.detail", slug=SLUG_MARK, _external=True)
    events = [meeting_event(m, page.replace(SLUG_MARK, quote(m.slug, safe=""))) for m in meetings]
    return build_calendar(info(), events), newest(events)


@bp.get("/meetings/<slug>.ics")
def meeting(slug: str):
    """One public meeting series as an iCalendar file."""
    return serve_calendar(lambda: load_meeting(slug))


def load_meeting(slug: str) -> Loaded:
    """The one public meeting behind a per-meeting feed (404 for custody or unknown alike)."""
    found = meeting_or_404(None, slug=slug)  # feeds are public data, whoever polls them

    def info() -> FeedInfo:
        """The calendar's own name and identity."""
        return FeedInfo(
            name=found.title,
            description="Recovery Network meeting",
            uid=stable_uid("meeting-feed", found.id),
            url=url_for("directory.detail", slug=found.slug, _external=True),
        )

    return [found], info, f"{found.slug}.ics", False


@bp.get("/feeds/meetings.ics")
def search():
    """A search as a subscription: the same filters as /meetings, nearest 200 at most."""
    return serve_calendar(load_search)


def load_search() -> Loaded:
    """The meetings a search feed holds; a filter not understood is a plain 400 naming it, never a wider calendar."""
    searched = run_search(request.args, now=utcnow(), per_page=FEED_LIMIT, upcoming=0)
    if db.session.new:
        db.session.commit()  # an online geocoder's new answer, kept; a GET otherwise writes nothing
    if searched.found is None:
        lines = [f"{name}: {message}" for name, messages in searched.errors.items() for message in messages]
        abort(Response("This calendar's search has a filter that is not understood.\n" + "\n".join(lines) + "\n",
                       400, mimetype="text/plain"))
    located = searched.located
    meetings = [r.meeting for r in searched.found.results]
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

    return meetings, info, "meetings.ics", True
