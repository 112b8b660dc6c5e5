"""The public directory: find a meeting near a place, and read about one."""

from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, current_app, request, url_for
from flask_login import current_user

from recovery_network.directory.forms import SearchForm
from recovery_network.directory.queries import feed_query_string, run_search
from recovery_network.extensions import db
from recovery_network.htmx import render
from recovery_network.meetings.kinds import BY_CODE
from recovery_network.meetings.models import Meeting
from recovery_network.meetings.recurrence import describe, next_occurrences
from recovery_network.meetings.visibility import meeting_or_404
from recovery_network.pagecache import expires_with

bp = Blueprint("directory", __name__)


def now() -> datetime:
    """The current instant (a function, so tests can see the same clock as the page)."""
    return datetime.now(timezone.utc)


@bp.get("/")
def index():
    """The front door: one search box, plus quick links for the towns the network serves."""
    form = SearchForm(formdata=None)
    return render("directory/index.html", "directory/_results.html", form=form, found=None, located=None)


@bp.get("/meetings")
def search():
    """Meetings matching the filters, or the form with a message beside each one not understood (and no list)."""
    searched = run_search(request.args, now=now(), per_page=current_app.config["SEARCH_PAGE_SIZE"], viewer=current_user)
    if db.session.new:
        db.session.commit()  # an online geocoder's new answer, kept; a GET otherwise writes nothing
    if searched.found is not None:
        expires_with(r.upcoming[0] for r in searched.found.results if r.upcoming)
    return render(
        "directory/search.html",
        "directory/_search_update.html",
        form=searched.form,
        found=searched.found,
        located=searched.located,
        errors=searched.errors,
        suggestions=searched.suggestions,
        feed_query=feed_query_string(request.args),
    )


@bp.get("/meetings/<slug>")
def detail(slug: str):
    """One meeting: what to expect, where, and the next six dates with cancellations shown."""
    meeting = meeting_or_404(current_user, slug=slug)
    upcoming = next_occurrences(meeting.schedule, meeting.change_map(), now(), count=6)
    expires_with(upcoming[:1])
    moved_venues = _moved_venues(meeting)
    ics_url = url_for("feeds.meeting", slug=meeting.slug, _external=True)
    return render(
        "meetings/detail.html",
        "meetings/_dates.html",
        meeting=meeting,
        kind=BY_CODE.get(meeting.kind),
        rule=describe(meeting.schedule),
        upcoming=upcoming,
        moved_venues=moved_venues,
        ics_url=ics_url,
        webcal_url=webcal(ics_url),
    )


def _moved_venues(meeting: Meeting) -> dict:
    """Venues that single dates were moved to, by id (none for a closed group: its places are not published)."""
    if meeting.is_closed:
        return {}
    return {c.new_venue_id: c.new_venue for c in meeting.changes if c.new_venue is not None}


def webcal(url: str) -> str:
    """The same feed as a webcal:// link, which phones open as 'subscribe'."""
    return "webcal://" + url.split("://", 1)[1]
