"""Feeds over HTTP (ical.md H1–H8): headers, conditional polls, change tracking, and agreement with the site.

Every served body also passes the checklist lint. The expanders (recurring-ical-events and Mozilla's
ical.js) must place each served occurrence at the same UTC instant as the site's own recurrence, and
the dates the detail page shows must be among them. Nothing is frozen: windows are computed from now.
Data is changed through the services (or db.session) and committed, because the test client shares
the fixtures' app context and session.
"""

from __future__ import annotations

import re
import time as time_module
from datetime import UTC, date, datetime, time, timedelta

import pytest
from icalendar import Calendar
from werkzeug.http import http_date

from recovery_network import create_app
from recovery_network.extensions import db
from recovery_network.feeds import views
from recovery_network.feeds.cache import ContentVersion
from recovery_network.feeds.events import meeting_uid
from recovery_network.meetings.models import Meeting
from recovery_network.meetings.recurrence import next_occurrences, occurrences
from recovery_network.meetings.services import (
    MeetingDetails,
    cancel_occurrence,
    create_meeting,
    move_occurrence,
    restore_occurrence,
    touch,
)
from recovery_network.types import utcnow
from recovery_network.venues.models import COMMUNITY, CUSTODY, Area, Venue
from tests.conftest import database_url, reset_schema
from tests.feeds.ical_lint import lint
from tests.feeds.icaljs import expand_with_icaljs
from tests.feeds.samples import YEAR, python_occurrences

CONTENT_TYPE = "text/calendar; charset=utf-8"  # no method=: the body has no METHOD (C6)
# When the sample rows were "posted": long enough ago that any edit in a test is a later second.
POSTED = datetime(2026, 1, 2, 9, 0, tzinfo=UTC)
PERTH = (56.3962, -3.4363)
DUNDEE = (56.4640, -2.9690)
GLASGOW = (55.8654, -4.2626)
SEARCH = "/feeds/meetings.ics?near=Perth&radius=25"
GOOGLE = {"User-Agent": "Google-Calendar-Importer"}


def settle(*rows: object, when: datetime = POSTED) -> None:
    """Stamp rows as created and last changed at a fixed instant, and commit."""
    for row in rows:
        for name in ("created_at", "updated_at"):
            if hasattr(row, name):
                setattr(row, name, when)
    db.session.commit()


def feed_url(meeting: Meeting) -> str:
    """The meeting's own subscription."""
    return f"/meetings/{meeting.slug}.ics"


def events(body: bytes) -> list:
    """The VEVENTs of a served body, parsed as a client would."""
    return Calendar.from_ical(body).walk("VEVENT")


def master(body: bytes, meeting: Meeting):
    """The series' own VEVENT (the one without RECURRENCE-ID)."""
    uid = meeting_uid(meeting)
    (found,) = [e for e in events(body) if str(e["UID"]) == uid and "RECURRENCE-ID" not in e]
    return found


def series_uids(body: bytes) -> set[str]:
    """UIDs of the series masters in a feed."""
    return {str(e["UID"]) for e in events(body) if "RECURRENCE-ID" not in e}


def newest_change(*meetings: Meeting) -> datetime:
    """The newest updated_at among the rows behind a feed, to the second (what Last-Modified says)."""
    stamps = []
    for m in meetings:
        stamps += [m.created_at, m.updated_at, *(c.updated_at for c in m.changes)]
        stamps += [v.updated_at for v in [m.venue, *(c.new_venue for c in m.changes)] if v is not None]
    return max(stamps).replace(microsecond=0)


def page_dates(html: str) -> tuple[list[datetime], list[datetime]]:
    """(shown, struck out) instants in UTC from the detail page's list of next dates."""
    block = html.split('<div id="dates">', 1)[1].split("</div>", 1)[0]
    struck = re.findall(r'<del><time datetime="([^"]+)">', block)
    every = re.findall(r'<time datetime="([^"]+)">', block)
    as_utc = [datetime.fromisoformat(s).astimezone(UTC) for s in every]
    struck_utc = [datetime.fromisoformat(s).astimezone(UTC) for s in struck]
    return [t for t in as_utc if t not in struck_utc], struck_utc


def listed_slugs(html: str) -> list[str]:
    """Slugs of the meetings an HTML search page lists."""
    block = html.split('<ol class="meeting-list">', 1)[1].split("</ol>", 1)[0] if "meeting-list" in html else ""
    return re.findall(r'<h3><a href="/meetings/([^"/]+)">', block)


@pytest.fixture
def meeting(make_meeting):
    """A weekly Tuesday 18:30 meeting in Perth from 6 January 2026, posted long ago."""
    found = make_meeting("Perth SMART Recovery")
    settle(found, found.venue)
    return found


@pytest.fixture
def network(make_meeting, make_venue):
    """Perth (community and custody), Dundee (about 20 miles), Glasgow (too far) and one online meeting."""
    perth = make_venue(lat=PERTH[0], lon=PERTH[1], name="Perth Recovery Hub", town="Perth")
    prison = make_venue(CUSTODY, lat=56.3884, lon=-3.4335, name="HMP Perth", town="Perth")
    dundee = make_venue(lat=DUNDEE[0], lon=DUNDEE[1], name="Wellgate", town="Dundee", postcode="DD1 2HA")
    glasgow = make_venue(lat=GLASGOW[0], lon=GLASGOW[1], name="Renfield Centre", town="Glasgow")
    found = {
        "perth": make_meeting("Perth Tuesday SMART", venue=perth),
        "custody": make_meeting("HMP Perth SMART group", venue=prison),
        "dundee": make_meeting("Wellgate Café", venue=dundee, kind="cafe", weekday=4, start_time=time(11, 0)),
        "glasgow": make_meeting("Glasgow Wednesday SMART", venue=glasgow, weekday=2, start_time=time(19, 0)),
        "online": make_meeting("SMART Online Sunday", online_url="https://meet.example.org/x", weekday=6),
    }
    settle(*found.values(), perth, prison, dundee, glasgow)
    return found


def counting_builder(monkeypatch) -> list:
    """Count calls of the builder the views use; the real builder still makes every 200's bytes."""
    calls: list = []
    real = views.build_calendar

    def build(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(views, "build_calendar", build)
    return calls


# H1, H5, H6, H7: what every subscriber sees on a plain poll.

CLIENTS = {
    "no-accept-header": {},
    "google": GOOGLE,
    "browser": {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8", "User-Agent": "Mozilla/5.0"},
    "apple": {"Accept": "*/*", "User-Agent": "iOS/18.1 (22B83) dataaccessd/1.0"},
}
FEEDS = {"meeting": lambda n: feed_url(n["perth"]), "search": lambda n: SEARCH}


@pytest.mark.parametrize("headers", CLIENTS.values(), ids=CLIENTS.keys())
@pytest.mark.parametrize("which", FEEDS.values(), ids=FEEDS.keys())
def test_feeds_answer_any_client_as_a_public_calendar(client, network, which, headers):
    """200, text/calendar with no method (the body has no METHOD either), a strong ETag, public caching, no cookie."""
    response = client.get(which(network), headers=headers)
    assert response.status_code == 200
    if not headers:
        assert "HTTP_ACCEPT" not in response.request.environ  # Google sends no Accept at all
    assert response.headers["Content-Type"] == CONTENT_TYPE
    assert b"\r\nMETHOD:" not in response.data
    assert "Set-Cookie" not in response.headers
    etag, weak = response.get_etag()
    assert etag and not weak
    assert response.last_modified is not None
    cache = response.cache_control
    assert cache.public and not cache.private and not cache.no_store
    assert 300 <= cache.max_age <= 3600
    assert lint(response.data) == []


@pytest.mark.parametrize("which", FEEDS.values(), ids=FEEDS.keys())
def test_head_has_the_same_headers_and_no_body(client, network, which):
    """HEAD (used by some clients to check for changes) answers like GET, without the body."""
    url = which(network)
    got, head = client.get(url, headers=GOOGLE), client.head(url, headers=GOOGLE)
    assert head.status_code == 200 and head.data == b""
    assert dict(head.headers) == dict(got.headers)


def test_a_logged_in_visitor_downloading_a_feed_gets_no_cookie(client, auth, make_person, meeting):
    """A public, cacheable response must never carry a session cookie a shared cache could hand on."""
    person = make_person()
    assert auth.login(person).status_code in (302, 303)
    response = client.get(feed_url(meeting))
    assert response.status_code == 200
    assert response.cache_control.public
    assert "Set-Cookie" not in response.headers


# H2, H3: a repeat poll costs a 304 and no rendering.


@pytest.mark.parametrize("which", FEEDS.values(), ids=FEEDS.keys())
def test_repeat_poll_gets_304_without_building(client, network, monkeypatch, which):
    """If-None-Match with the ETag: 304, empty, same validators and caching, and the builder never runs."""
    calls = counting_builder(monkeypatch)
    url = which(network)
    first = client.get(url, headers=GOOGLE)
    assert first.status_code == 200 and len(calls) == 1
    etag = first.headers["ETag"]
    for method in ("GET", "HEAD"):
        again = client.open(url, method=method, headers={**GOOGLE, "If-None-Match": etag})
        assert again.status_code == 304
        assert again.data == b""
        # RFC 9110 §15.4.5: the validators and caching of the 200 (Werkzeug drops Last-Modified; fine with an ETag).
        for name in ("ETag", "Cache-Control", "Vary"):
            assert again.headers.get(name) == first.headers.get(name), name
        assert "Set-Cookie" not in again.headers
    # Several tags, or "*": still a match.
    listed = client.get(url, headers={"If-None-Match": f'"not-this-one", {etag}'})
    star = client.get(url, headers={"If-None-Match": "*"})
    assert (listed.status_code, star.status_code) == (304, 304)
    assert len(calls) == 1, "a 304 must be answered from the data's version, without rendering"


@pytest.mark.parametrize("which", FEEDS.values(), ids=FEEDS.keys())
def test_weakened_etag_still_gets_304(client, network, which):
    """A proxy that compresses may send back W/"…"; If-None-Match compares weakly (RFC 9110 §13.1.2)."""
    url = which(network)
    etag = client.get(url).headers["ETag"]
    again = client.get(url, headers={"If-None-Match": f"W/{etag}"})
    assert again.status_code == 304 and again.data == b""


def test_weakened_etag_is_answered_without_building(client, meeting, monkeypatch):
    """The 304 for a weakened tag should be as cheap as for the strong one."""
    calls = counting_builder(monkeypatch)
    etag = client.get(feed_url(meeting)).headers["ETag"]
    calls.clear()
    assert client.get(feed_url(meeting), headers={"If-None-Match": f"W/{etag}"}).status_code == 304
    assert calls == []


@pytest.mark.parametrize("which", FEEDS.values(), ids=FEEDS.keys())
def test_if_none_match_takes_precedence_over_if_modified_since(client, network, which):
    """RFC 9110 §13.1.3: with If-None-Match present, If-Modified-Since is ignored either way."""
    url = which(network)
    first = client.get(url)
    future = http_date(utcnow() + timedelta(days=365))
    stale = client.get(url, headers={"If-None-Match": '"an-old-version"', "If-Modified-Since": future})
    assert stale.status_code == 200 and stale.data == first.data
    long_ago = http_date(datetime(2000, 1, 1, tzinfo=UTC))
    fresh = client.get(url, headers={"If-None-Match": first.headers["ETag"], "If-Modified-Since": long_ago})
    assert fresh.status_code == 304 and fresh.data == b""


def test_last_modified_is_the_newest_change_behind_the_feed(client, network):
    """Last-Modified = the newest updated_at (to the second) of the meeting, its changes and venues."""
    perth = network["perth"]
    url = feed_url(perth)
    assert client.get(url).last_modified == POSTED
    perth.venue.directions = "Side door, up one floor"  # a venue edit stamps the venue (onupdate)
    db.session.commit()
    after_edit = client.get(url).last_modified
    assert after_edit == newest_change(perth) > POSTED
    cancel_occurrence(perth, date(2026, 6, 2), "Hall closed")
    db.session.commit()
    # Never before the newest change, and always later than the last body's (even within one second,
    # when HTTP dates can't tell two changes apart, it moves on a second so If-Modified-Since sees it).
    after_cancel = client.get(url).last_modified
    assert after_cancel >= newest_change(perth) and after_cancel > after_edit
    searched = [network["perth"], network["dundee"]]
    # A search feed can lose meetings, so the last change anywhere is a floor under its newest row.
    changed_at = db.session.get(ContentVersion, 1, populate_existing=True).changed_at.replace(microsecond=0)
    assert client.get(SEARCH).last_modified == max(newest_change(*searched), changed_at)


def test_a_meeting_leaving_the_search_feed_is_not_hidden_by_if_modified_since(client, network):
    """A client polling with If-Modified-Since alone must see that a meeting has gone."""
    perth = network["perth"]
    perth.updated_at = POSTED + timedelta(days=1)
    db.session.commit()
    first = client.get(SEARCH)
    assert meeting_uid(perth) in series_uids(first.data)
    db.session.delete(perth)  # or paused, ended, moved out of range: it leaves the search
    db.session.commit()
    again = client.get(SEARCH, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert again.status_code == 200
    assert meeting_uid(perth) not in series_uids(again.data)


# H4: a change shows at once; an unrelated one changes nothing.


def _cancel(m: Meeting) -> None:
    cancel_occurrence(m, date(2026, 6, 2), "Hall closed for repairs")


def _move(m: Meeting) -> None:
    move_occurrence(m, date(2026, 6, 2), datetime(2026, 6, 4, 19, 0), "Room booked")


def _readdress(m: Meeting) -> None:
    m.venue.address = "2 Kinnoull Street"


def _rename(m: Meeting) -> None:
    m.title = "Perth SMART Recovery (Tuesdays)"
    touch(m)  # what update_meeting does after apply_details


def _restore(m: Meeting) -> None:
    restore_occurrence(m, date(2026, 3, 31))


CHANGES = {
    "cancel-a-date": _cancel,
    "move-a-date": _move,
    "edit-the-venue-address": _readdress,
    "rename": _rename,
    "restore-a-cancelled-date": _restore,
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_a_change_gives_a_new_etag_and_body_at_once(client, network, change):
    """After a commit, a poll with the old ETag gets 200 and new bytes: never a stale 304."""
    perth = network["perth"]
    cancel_occurrence(perth, date(2026, 3, 31), "Easter")  # something to restore
    settle(perth, *perth.changes)  # so the change below is a later second (same second: see below)
    urls = (feed_url(perth), SEARCH)
    before = {url: client.get(url) for url in urls}
    change(perth)
    db.session.commit()
    for url in urls:
        after = client.get(url, headers={"If-None-Match": before[url].headers["ETag"]})
        assert after.status_code == 200, url
        assert after.headers["ETag"] != before[url].headers["ETag"], url
        assert after.data != before[url].data, url
        assert lint(after.data) == []


def test_unrelated_changes_leave_a_meeting_feed_alone(client, network):
    """Another meeting's or venue's change keeps a meeting's ETag (and 304); the search that holds it changes."""
    perth = network["perth"]
    first, search = client.get(feed_url(perth)), client.get(SEARCH)
    cancel_occurrence(network["glasgow"], date(2026, 6, 3), "Closed")
    network["dundee"].venue.address = "3 Wellgate"
    move_occurrence(network["online"], date(2026, 6, 7), datetime(2026, 6, 7, 20, 0), "Later")
    db.session.commit()
    again = client.get(feed_url(perth), headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.headers["ETag"] == first.headers["ETag"]
    changed = client.get(SEARCH, headers={"If-None-Match": search.headers["ETag"]})
    assert changed.status_code == 200 and b"3 Wellgate" in changed.data


def test_a_venue_edit_within_the_same_second_still_changes_the_etag(client, meeting):
    """Two venue writes 0.5 s apart with a poll between them: the second must not be hidden by a 304."""
    venue = meeting.venue
    venue.updated_at = POSTED.replace(microsecond=200_000)
    db.session.commit()
    first = client.get(feed_url(meeting))
    venue.address = "2 Kinnoull Street"
    venue.updated_at = POSTED.replace(microsecond=700_000)
    db.session.commit()
    again = client.get(feed_url(meeting), headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert b"2 Kinnoull Street" in again.data


def test_an_edit_that_skips_touch_still_changes_the_etag(client, meeting):
    """A rename written straight to the row (not through a service) must still reach subscribers."""
    first = client.get(feed_url(meeting))
    meeting.title = "Perth SMART Recovery (Tuesdays)"
    db.session.commit()
    again = client.get(feed_url(meeting), headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert b"(Tuesdays)" in again.data


def test_sequence_and_last_modified_follow_each_change(client, meeting):
    """SEQUENCE goes up on every material change and LAST-MODIFIED moves on; overrides never lag the master."""
    url = feed_url(meeting)
    seen = [master(client.get(url).data, meeting)]
    assert int(seen[0]["SEQUENCE"]) == 0 and seen[0].decoded("LAST-MODIFIED") == POSTED
    steps = (_cancel, lambda m: move_occurrence(m, date(2026, 6, 9), datetime(2026, 6, 11, 19, 0), "Moved"), _rename)
    for step in steps:
        settle(meeting, *meeting.changes)  # LAST-MODIFIED has whole seconds: start each step from a past one
        step(meeting)
        db.session.commit()
        body = client.get(url).data
        now = master(body, meeting)
        assert int(now["SEQUENCE"]) > int(seen[-1]["SEQUENCE"])
        assert now.decoded("LAST-MODIFIED") == newest_change(meeting) > POSTED
        assert now.decoded("DTSTAMP") == now.decoded("LAST-MODIFIED")  # stable between renders
        for override in (e for e in events(body) if "RECURRENCE-ID" in e):
            assert int(override["SEQUENCE"]) >= int(now["SEQUENCE"])
        seen.append(now)
    assert "EXDATE" in seen[-1] and "(Tuesdays)" in str(seen[-1]["SUMMARY"])


def test_a_venue_edit_moves_last_modified_and_the_location(client, meeting):
    """A new address reaches the LOCATION at once, with a newer LAST-MODIFIED."""
    before = master(client.get(feed_url(meeting)).data, meeting)
    _readdress(meeting)
    db.session.commit()
    after = master(client.get(feed_url(meeting)).data, meeting)
    assert "2 Kinnoull Street" in str(after["LOCATION"])
    assert after.decoded("LAST-MODIFIED") > before.decoded("LAST-MODIFIED")


# Determinism: the same data gives the same bytes and the same ETag.


def test_repeat_gets_are_byte_identical(client, network):
    """Nothing in a body depends on the moment it was rendered."""
    for url in (feed_url(network["perth"]), SEARCH, "/feeds/meetings.ics"):
        first, second = client.get(url), client.get(url)
        assert first.data == second.data
        assert first.headers["ETag"] == second.headers["ETag"]


def _publish_sample() -> None:
    """A venue and a meeting with one cancellation and one move, all stamped at fixed instants."""
    area = Area(slug="test-area", name="Test Area")
    venue = Venue(
        slug="hub", name="St Mary’s Hall – café", setting=COMMUNITY, area=area, address="1 High Street",
        town="Perth", postcode="PH1 5PE", latitude=PERTH[0], longitude=PERTH[1],
    )
    db.session.add(venue)
    details = MeetingDetails(
        title="Perth SMART Recovery", kind="smart", weekday=1, start_time=time(18, 30),
        starts_on=date(2026, 1, 6), venue=venue, description="Tea, coffee; and a welcome, always.",
    )
    meeting = create_meeting(details)
    cancel_occurrence(meeting, date(2026, 3, 31), "Hall closed")
    move_occurrence(meeting, date(2026, 10, 27), datetime(2026, 10, 29, 19, 0), "Half term")
    for row in (venue, meeting, *meeting.changes):
        row.created_at = row.updated_at = POSTED
    db.session.commit()


def _served(app) -> list[tuple[bytes, str]]:
    """The per-meeting and search feeds' (bytes, ETag) from an app holding the sample."""
    with app.app_context():
        _publish_sample()
        with app.test_client() as c:
            responses = [c.get("/meetings/perth-smart-recovery.ics"), c.get(SEARCH)]
        db.session.remove()
    assert all(r.status_code == 200 for r in responses)
    return [(r.data, r.headers["ETag"]) for r in responses]


def test_the_same_data_in_a_fresh_app_gives_the_same_bytes(app, tmp_path, monkeypatch):
    """Two apps, two databases, the same rows: byte-identical feeds and equal ETags, each really rendered."""
    calls = counting_builder(monkeypatch)
    first = _served(app)
    keys = ("TESTING", "SECRET_KEY", "WTF_CSRF_ENABLED", "SERVER_NAME", "RATELIMIT_ENABLED", "MAIL_FOLDER")
    config = {key: app.config[key] for key in keys}
    fresh_dir = tmp_path / "fresh"
    fresh_dir.mkdir()
    fresh = create_app({**config, "SQLALCHEMY_DATABASE_URI": database_url(fresh_dir)})
    with fresh.app_context():
        reset_schema()
    try:
        second = _served(fresh)
    finally:
        with fresh.app_context():
            db.engine.dispose()
    assert len(calls) == 4, "the fresh app must render its own bytes, not reuse the first app's"
    assert second == first
    assert all(lint(body) == [] for body, _ in first)


# Every kind of served feed passes the checklist.

SHAPES = {
    "weekly-with-cancellations-and-moves": {},
    "online-only": {"online_url": "https://meet.example.org/smart?room=a,b;c"},
    "fortnightly-until-december": {"frequency": "fortnightly", "ends_on": date(2026, 12, 31)},
    "monthly-2nd-tuesday": {"frequency": "monthly", "week_of_month": 2, "starts_on": date(2026, 1, 13)},
    "monthly-last-tuesday-open-ended": {"frequency": "monthly", "week_of_month": -1},
    "10-session-course-over-the-spring-change": {"session_count": 10, "starts_on": date(2026, 3, 3)},
    "awkward-text": {"description": "St Mary’s – café; tea, coffee \\ and a welcome.\nBring a friend é"},
}


@pytest.mark.parametrize("fields", SHAPES.values(), ids=SHAPES.keys())
def test_every_served_feed_passes_the_lint(client, make_meeting, make_venue, fields):
    """Per-meeting and search feeds for every schedule shape, with changes, lint clean."""
    other = make_venue(name="Perth Academy Annex", town="Perth")
    m = make_meeting("Perth – St Mary’s “SMART”, Tuesdays; all welcome", **fields)
    slots = [o.original_start.date() for o in occurrences(m.schedule, {}, *YEAR)]
    assert len(slots) >= 6
    cancel_occurrence(m, slots[1], "Closed, sorry; see you next time")
    move_occurrence(m, slots[3], datetime.combine(slots[3] + timedelta(days=1), time(19, 0)), "Moved")
    # A move onto the next slot's day cannot stay in the series (C26): EXDATE plus a one-off.
    move_occurrence(m, slots[4], datetime.combine(slots[5], time(12, 0)), "Shared with the next one")
    if m.venue is not None:
        move_occurrence(m, slots[2], datetime.combine(slots[2], time(18, 0)), "Other hall", venue=other)
    db.session.commit()
    # A finished course has left searches (finishes_on before today); its own feed stays.
    searchable = m.finishes_on is None or m.finishes_on >= date.today()
    for url in (feed_url(m), "/feeds/meetings.ics", "/feeds/meetings.ics?near=Perth&radius=10&day=tue&time=evening"):
        response = client.get(url)
        assert response.status_code == 200, url
        if url == feed_url(m) or (searchable and ("near" not in url or m.venue is not None)):
            assert meeting_uid(m) in series_uids(response.data), url
        assert lint(response.data) == [], url


def test_calendar_name_and_description_are_escaped(client, make_meeting):
    """A title or place with a comma or semicolon is escaped in the calendar's own name too (C28)."""
    m = make_meeting("Perth, Tuesdays; SMART")
    meeting_feed = client.get(feed_url(m)).data
    assert b"\r\nNAME:Perth\\, Tuesdays\\; SMART\r\n" in meeting_feed
    assert lint(meeting_feed) == []
    assert lint(client.get(SEARCH).data) == []  # "Recovery meetings near Perth, Scotland"


# The feed and the site agree on every instant, across both clock changes.


def _site_instants(m: Meeting, start: datetime, end: datetime) -> list[datetime]:
    """The site's own recurrence: occurrences in [start, end) minus cancellations, moves applied, UTC."""
    found = occurrences(m.schedule, m.change_map(), start, end)
    return sorted(o.start.astimezone(UTC) for o in found if not o.cancelled)


@pytest.fixture(params=["recurring-ical-events", "ical.js", "libical"])
def expand(request):
    """Each parser in turn, as (body, start, end) -> sorted [(UID, UTC start)]."""
    if request.param == "libical":
        return request.getfixturevalue("libical").expand  # also refuses any libical error
    return {"recurring-ical-events": python_occurrences, "ical.js": expand_with_icaljs}[request.param]


def test_served_feed_expands_to_the_sites_own_dates(client, meeting, expand):
    """2026 with a cancellation just after the spring change and a move just after the autumn one."""
    cancel_occurrence(meeting, date(2026, 3, 31), "Hall closed")  # first Tuesday of summer time
    move_occurrence(meeting, date(2026, 10, 27), datetime(2026, 10, 29, 19, 0), "Half term")  # winter again
    db.session.commit()
    body = client.get(feed_url(meeting)).data
    assert lint(body) == []
    # The whole of 2026, and on past it far enough to hold whatever the detail page shows today.
    start, end = YEAR[0], max(YEAR[1], utcnow() + timedelta(weeks=10))
    expected = _site_instants(meeting, start, end)
    found = expand(body, start, end)
    assert [when for _, when in found] == expected
    assert {uid for uid, _ in found} == {meeting_uid(meeting)}
    # Spot checks: 18:30 wall-clock is 18:30Z in winter and 17:30Z in summer.
    assert datetime(2026, 3, 24, 18, 30, tzinfo=UTC) in expected
    assert datetime(2026, 3, 31, 17, 30, tzinfo=UTC) not in expected
    assert datetime(2026, 4, 7, 17, 30, tzinfo=UTC) in expected
    assert datetime(2026, 10, 20, 17, 30, tzinfo=UTC) in expected
    assert datetime(2026, 10, 27, 18, 30, tzinfo=UTC) not in expected
    assert datetime(2026, 10, 29, 19, 0, tzinfo=UTC) in expected
    assert datetime(2026, 11, 3, 18, 30, tzinfo=UTC) in expected
    shown, struck = page_dates(client.get(f"/meetings/{meeting.slug}").get_data(as_text=True))
    assert len(shown) + len(struck) == 6
    assert set(shown) <= set(expected)


def test_detail_page_dates_are_the_feeds_dates(client, meeting, expand):
    """The next six dates as the page shows them, with one cancelled and one moved among them."""
    coming = next_occurrences(meeting.schedule, {}, utcnow(), count=6)
    cancelled, moved = coming[1].original_start, coming[3].original_start
    new_start = datetime.combine(moved.date() + timedelta(days=1), time(19, 0))
    cancel_occurrence(meeting, cancelled.date(), "Hall closed")
    move_occurrence(meeting, moved.date(), new_start, "Room booked")
    db.session.commit()
    shown, struck = page_dates(client.get(f"/meetings/{meeting.slug}").get_data(as_text=True))
    assert struck == [cancelled.astimezone(UTC)]
    assert len(shown) == 5
    body = client.get(feed_url(meeting)).data
    start = coming[0].start - timedelta(days=1)
    instants = {when for _, when in expand(body, start, start + timedelta(weeks=12))}
    assert set(shown) <= instants
    assert cancelled.astimezone(UTC) not in instants
    assert new_start.replace(tzinfo=moved.tzinfo).astimezone(UTC) in set(shown) & instants
    assert moved.astimezone(UTC) not in instants


# The search feed holds what the search page lists, and nothing private.

QUERIES = [
    "near=Perth&radius=25",
    "near=Perth&radius=100",
    "near=Perth&radius=25&day=tue",
    "near=Perth&radius=50&time=morning",
    "near=PH1&radius=25&type=cafe",
    "mode=online",
    "radius=100",
    "day=wed&day=sun",
]


@pytest.mark.parametrize("query", QUERIES)
def test_search_feed_holds_exactly_what_the_search_page_lists(client, network, query):
    """The same public meetings (UIDs vs the slugs shown), never a custody one, lint clean."""
    page = client.get(f"/meetings?{query}")
    assert page.status_code == 200
    slugs = listed_slugs(page.get_data(as_text=True))
    response = client.get(f"/feeds/meetings.ics?{query}")
    assert response.status_code == 200
    expected = {meeting_uid(db.session.scalar(db.select(Meeting).filter_by(slug=s))) for s in slugs}
    assert series_uids(response.data) == expected
    assert meeting_uid(network["custody"]) not in series_uids(response.data)
    assert b"HMP" not in response.data
    assert lint(response.data) == []


def test_search_feed_near_perth_is_perth_and_dundee(client, network):
    """A concrete anchor for the comparison above."""
    body = client.get(SEARCH).data
    assert series_uids(body) == {meeting_uid(network["perth"]), meeting_uid(network["dundee"])}
    assert "near Perth" in str(Calendar.from_ical(body)["X-WR-CALNAME"])


def test_search_feed_for_an_unknown_place_is_400(client, network):
    """A place nobody can find is not an empty calendar that a subscriber would never question: the page's words."""
    response = client.get("/feeds/meetings.ics?near=Qwxzzy%20Vrrp&radius=25")
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert "near: We could not find “Qwxzzy Vrrp”." in response.get_data(as_text=True)


BAD_QUERIES = [
    "radius=abc",
    "radius=-5",
    "radius=99999999999999999999",
    "radius=1e3",
    "near=Perth&radius=0",
    "day=funday",
    "day=tue&day=tue&day=",
    "time=midnight",
    "type=%3Cscript%3E",
    "mode=teleport",
    "page=0",
    "page=abc",
    "page=99999999999",
    "near=" + "x" * 300,
    "near=%20%20",
    "near=%00",
    "near=56.4,-3.4&radius=5",
    "near=91,200",
    "near=Perth&near=Dundee",
    "radius=%E2%80%93",
]
UNDERSTOOD = {"day=tue&day=tue&day=", "near=%20%20", "near=56.4,-3.4&radius=5", "near=Perth&near=Dundee"}


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_filter_values_never_500(client, network, query):
    """Junk in any filter is a plain 400 naming it (never a calendar with the filter ignored), never a server error."""
    response = client.get(f"/feeds/meetings.ics?{query}")
    assert response.status_code == (200 if query in UNDERSTOOD else 400), response.status_code
    if response.status_code == 400:
        named = {pair.split("=")[0] + ": " for pair in query.split("&")}
        assert response.mimetype == "text/plain" and any(n in response.get_data(as_text=True) for n in named)
    else:
        assert response.headers["Content-Type"] == CONTENT_TYPE
        assert meeting_uid(network["custody"]) not in series_uids(response.data)
        assert lint(response.data) == []


# Custody sessions do not exist as far as feeds are concerned.


def test_custody_feed_is_the_same_404_as_an_unknown_slug(client, network):
    """No status, header or byte tells a custody session's feed apart from one that never existed."""
    custody = client.get(feed_url(network["custody"]), headers=GOOGLE)
    missing = client.get("/meetings/no-such-meeting.ics", headers=GOOGLE)
    assert custody.status_code == missing.status_code == 404
    assert custody.data == missing.data
    assert custody.headers["Content-Type"] == missing.headers["Content-Type"]
    assert "ETag" not in custody.headers and "Set-Cookie" not in custody.headers
    assert client.head(feed_url(network["custody"])).status_code == 404


# H8: the page links to the same feed by https and webcal.


def test_detail_page_links_the_feed_as_webcal_and_https(client, meeting):
    """Apple and Outlook want webcal://, Google https://: both name the feed that is served."""
    html = client.get(f"/meetings/{meeting.slug}").get_data(as_text=True)
    path = feed_url(meeting)
    assert f'href="webcal://localhost{path}"' in html
    assert f'href="http://localhost{path}"' in html
    secure = client.get(path, base_url="https://localhost", headers=GOOGLE)
    assert secure.status_code == 200 and secure.headers["Content-Type"] == CONTENT_TYPE
    assert lint(secure.data) == []


def test_a_forged_host_header_cannot_reach_other_subscribers(app, client, meeting):
    """Without SERVER_NAME, links follow the request's host; a forged Host must not poison the shared body."""
    app.config["SERVER_NAME"] = None
    forged = client.get(feed_url(meeting), headers={"Host": "evil.example"})
    assert forged.status_code in (200, 400)
    honest = client.get(feed_url(meeting), base_url="https://meetings.example.org")
    assert honest.status_code == 200
    assert b"evil.example" not in honest.data
    assert b"URL:https://meetings.example.org/meetings/" in honest.data


def test_a_meeting_leaving_the_search_feed_is_seen_by_another_worker(client, network):
    """The same as above when the poll lands on a worker that never rendered the old body."""
    from recovery_network.feeds.cache import feeds as feed_cache

    perth = network["perth"]
    perth.updated_at = POSTED + timedelta(days=1)
    db.session.commit()
    first = client.get(SEARCH)
    # Last-Modified has one-second resolution (ETag covers changes within the same second): delete later.
    time_module.sleep(1.05 - utcnow().microsecond / 1_000_000)
    db.session.delete(perth)
    db.session.commit()
    feed_cache.clear()  # a second worker process, or the same one after a restart
    again = client.get(SEARCH, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert again.status_code == 200
    assert meeting_uid(perth) not in series_uids(again.data)
