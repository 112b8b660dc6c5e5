"""The early 304 (earlyanswer.py): answered in front of Flask only when it is the app's own correct answer.

Whether Flask ran is seen by a before_request hook that counts requests; whether the answer was right is seen
in the status, the headers and the page itself. No timing here: the speed is measured by benchmarks/pages.py.
"""

from __future__ import annotations

import pytest
from flask import request, request_started

from recovery_network import create_app
from recovery_network.accounts.models import COORDINATOR
from recovery_network.extensions import db
from recovery_network.venues.models import CUSTODY
from tests.test_pagecache import PUBLIC_URLS, one_read, statements

SEARCH = "/meetings?near=Perth&radius=25"


@pytest.fixture
def perth(make_meeting, make_venue):
    """One public meeting in Perth and one custody session there."""
    public = make_meeting("Perth SMART Recovery")
    custody = make_meeting("HMP Perth SMART group", venue=make_venue(CUSTODY), custody=True)
    return {"public": public, "custody": custody}


def counting(app) -> list[str]:
    """Every request Flask began to handle (its request_started signal, sent before any hook), by path."""
    reached: list[str] = []

    def started(sender, **extra) -> None:
        """Note the request."""
        reached.append(request.path)

    request_started.connect(started, app, weak=False)
    return reached


def revalidate(client, url: str, etag: str, **headers):
    """A conditional GET holding `etag`."""
    return client.get(url, headers={"If-None-Match": etag, **headers})


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_a_repeat_304_is_the_apps_own_answered_before_flask(app, client, perth, url):
    """Flask answers the first 304; the next is the same status and headers without Flask, after one version read."""
    reached = counting(app)
    etag = client.get(url).headers["ETag"]
    by_flask = revalidate(client, url, etag)
    assert by_flask.status_code == 304 and len(reached) == 2
    with statements(app) as sent:
        early = revalidate(client, url, etag)
    assert early.status_code == 304 and early.get_data() == b""
    assert len(reached) == 2, "Flask ran: the 304 was not answered early"
    assert one_read(sent), sent  # the content version, read now
    assert sorted(early.headers.items()) == sorted(by_flask.headers.items())
    assert early.headers["ETag"] == f'"{etag.strip(chr(34))}"'


def test_gzip_and_plain_keep_their_own_etags(app, client, perth):
    """A visitor holding the plain ETag who now takes gzip is sent the gzipped answer, not a 304."""
    reached = counting(app)
    plain = client.get(SEARCH).headers["ETag"]
    revalidate(client, SEARCH, plain)
    assert revalidate(client, SEARCH, plain).status_code == 304 and len(reached) == 2
    zipped = revalidate(client, SEARCH, plain, **{"Accept-Encoding": "gzip"})
    assert zipped.status_code == 200 and zipped.headers["Content-Encoding"] == "gzip"
    assert zipped.headers["ETag"] != plain and len(reached) == 3


def test_a_logged_in_visitor_is_never_answered_early(app, client, auth, make_person, perth):
    """The public's ETag, sent by a logged-in co-ordinator, gets their own page (with the custody session)."""
    reached = counting(app)
    public = app.test_client()
    etag = public.get(SEARCH).headers["ETag"]
    revalidate(public, SEARCH, etag)
    assert revalidate(public, SEARCH, etag).status_code == 304
    before = len(reached)
    auth.login(make_person(COORDINATOR))
    mine = revalidate(client, SEARCH, etag)
    assert mine.status_code == 200 and "HMP Perth SMART group" in mine.get_data(as_text=True)
    assert "no-store" in mine.headers["Cache-Control"] and len(reached) > before


def test_a_visitor_with_a_flash_waiting_gets_the_page_with_it(app, client, perth):
    """A flash lives in the session: the visitor's copy is not current, so they get a page that shows it."""
    reached = counting(app)
    etag = app.test_client().get("/").headers["ETag"]
    stranger = app.test_client()
    revalidate(stranger, "/", etag)
    assert revalidate(stranger, "/", etag).status_code == 304
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Your account was deleted.")]
    before = len(reached)
    shown = revalidate(client, "/", etag)
    assert shown.status_code == 200 and "Your account was deleted." in shown.get_data(as_text=True)
    assert len(reached) == before + 1


def test_a_change_through_another_worker_shows_at_once(app, client, perth):
    """Two apps on one database, as two workers or nodes: a change saved through one ends the other's early 304s."""
    other = create_app({**app.config, "SERVER_NAME": app.config["SERVER_NAME"]})
    other_client = other.test_client()
    etag = other_client.get(SEARCH).headers["ETag"]
    revalidate(other_client, SEARCH, etag)
    assert revalidate(other_client, SEARCH, etag).status_code == 304  # the early path is warm in `other`
    perth["public"].title = "Perth Thursday Group"
    db.session.commit()  # through this app: the content version moves in the database
    after = revalidate(other_client, SEARCH, etag)
    assert after.status_code == 200 and "Perth Thursday Group" in after.get_data(as_text=True)
    assert after.headers["ETag"] != etag
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_cross_origin_revalidation_goes_through_the_app_and_keeps_its_cors_headers(app, client, perth):
    """An Origin makes Flask-CORS add headers, so such a request is never answered early."""
    url = "/api/v1/meetings?near=Perth"
    reached = counting(app)
    etag = client.get(url).headers["ETag"]
    revalidate(client, url, etag)
    before = len(reached)
    crossed = revalidate(client, url, etag, Origin="https://finder.example.org")
    assert crossed.status_code == 304 and crossed.headers["Access-Control-Allow-Origin"] == "*"
    assert len(reached) == before + 1


def test_an_etag_nobody_was_given_is_not_answered_early(app, client, perth):
    """A stale or made-up ETag gets the page."""
    reached = counting(app)
    etag = client.get(SEARCH).headers["ETag"]
    revalidate(client, SEARCH, etag)
    stale = revalidate(client, SEARCH, '"0123abcd"')
    assert stale.status_code == 200 and "Perth SMART Recovery" in stale.get_data(as_text=True)
    assert len(reached) == 3


FEED_URLS = ["/meetings/perth-smart-recovery.ics", "/feeds/meetings.ics?near=Perth&radius=25"]


@pytest.mark.parametrize("url", FEED_URLS)
def test_a_calendar_apps_matching_poll_is_answered_before_flask(app, client, perth, url):
    """Feeds are what is polled most: a repeat 304 for one is the app's own, answered after one version read,
    and If-Modified-Since beside If-None-Match does not change that (RFC 9110 13.1.3)."""
    reached = counting(app)
    etag = client.get(url).headers["ETag"]
    by_flask = revalidate(client, url, etag)
    assert by_flask.status_code == 304 and len(reached) == 2
    with statements(app) as sent:
        early = revalidate(client, url, etag, **{"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"})
    assert early.status_code == 304 and early.get_data() == b""
    assert len(reached) == 2, "Flask ran: the feed's 304 was not answered early"
    assert one_read(sent), sent
    assert sorted(early.headers.items()) == sorted(by_flask.headers.items())


@pytest.mark.parametrize("url", FEED_URLS)
def test_a_changed_meeting_ends_a_feeds_early_304(app, client, perth, url):
    """The feed cache is keyed by version: a change through the app gives the new calendar, not a 304."""
    etag = client.get(url).headers["ETag"]
    revalidate(client, url, etag)
    perth["public"].title = "Perth Thursday Group"
    db.session.commit()
    after = revalidate(client, url, etag)
    assert after.status_code == 200 and "Perth Thursday Group" in after.get_data(as_text=True)


def test_if_match_is_left_to_the_app(app, client, perth):
    """If-Match changes Werkzeug's answer to a conditional GET, so such a request always goes through Flask."""
    reached = counting(app)
    etag = client.get(SEARCH).headers["ETag"]
    revalidate(client, SEARCH, etag)
    revalidate(client, SEARCH, etag, **{"If-Match": etag})
    assert len(reached) == 3


def test_a_304_from_no_store_is_never_kept(app, client, make_person):
    """A private calendar's 304 comes from no store the layer can check, so the layer keeps nothing for it and
    reads nothing for it: every poll goes to the app, whose own check is the only one made."""
    from recovery_network.feeds import tokens

    person = make_person(COORDINATOR, first_name="Ann")
    token = tokens.issue(person_id=person.id)
    db.session.commit()
    url = f"/rota/feed/{token}.ics"
    reached = counting(app)
    first = client.get(url)
    assert first.status_code == 200 and first.headers.get("ETag")
    for _ in range(2):
        assert revalidate(client, url, first.headers["ETag"]).status_code == 304
    assert len(reached) == 3
    layer = app.wsgi_app
    while not hasattr(layer, "replies"):
        layer = layer.app
    assert layer.replies == {}
