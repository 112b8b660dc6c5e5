"""Public answers are rendered once per content version and revalidated with 304; logged-in pages never are.

Counts the SQL statements each request sends (a real database, no mocks): an answer served from the store
costs exactly one, the content version's primary-key read, and the view never runs.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import event

from recovery_network.accounts.models import COORDINATOR
from recovery_network.extensions import db
from recovery_network.venues.models import CUSTODY

HTMX = {"HX-Request": "true"}
PUBLIC_URLS = ["/", "/meetings?near=Perth&radius=25", "/meetings/perth-smart-recovery", "/api/v1/meetings?near=Perth",
               "/api/v1/meetings/perth-smart-recovery", "/api/meetings.json"]


@contextmanager
def statements(app):
    """Every statement sent while the block runs, by any connection of the app's pool.

    SQLite traces what really reaches the database (raw driver calls and implicit COMMITs included);
    on PostgreSQL SQLAlchemy's events see its statements and commits, and each raw checkout is noted.
    """
    sent: list[str] = []
    with app.app_context():
        engine = db.engine
    traced = []

    def checkout(dbapi_connection, record, proxy):
        if engine.dialect.name == "sqlite":
            dbapi_connection.set_trace_callback(lambda sql: sent.append(sql.split(None, 1)[0].upper()))
            traced.append(dbapi_connection)
        else:
            sent.append("CHECKOUT")

    def record(conn, cursor, statement, parameters, context, executemany):
        if engine.dialect.name != "sqlite":
            sent.append(statement.split(None, 1)[0].upper())

    def committed(conn):
        if engine.dialect.name != "sqlite":
            sent.append("COMMIT")

    listeners = [(engine.pool, "checkout", checkout), (engine, "before_cursor_execute", record),
                 (engine, "commit", committed)]
    for target, name, fn in listeners:
        event.listen(target, name, fn)
    try:
        yield sent
    finally:
        for target, name, fn in listeners:
            event.remove(target, name, fn)
        for connection in traced:
            connection.set_trace_callback(None)


def one_read(sent: list[str]) -> bool:
    """Exactly the content version's read: one SELECT (SQLite's trace) or one raw checkout (PostgreSQL)."""
    return sent in (["SELECT"], ["CHECKOUT"])


@pytest.fixture
def perth(make_meeting, make_venue):
    """One public meeting in Perth and one custody session there."""
    public = make_meeting("Perth SMART Recovery")
    custody = make_meeting("HMP Perth SMART group", venue=make_venue(CUSTODY), custody=True)
    return {"public": public, "custody": custody}


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_a_repeat_is_served_with_one_query_and_a_matching_etag_gets_304(app, client, perth, url):
    """The second anonymous request reads only the content version; If-None-Match then gets an empty 304."""
    first = client.get(url)
    assert first.status_code == 200 and first.headers["ETag"]
    with statements(app) as sent:
        again = client.get(url)
    assert again.get_data() == first.get_data() and again.headers["ETag"] == first.headers["ETag"]
    assert one_read(sent), sent  # the version row; nothing loaded, nothing rendered
    assert again.headers["Content-Type"] == first.headers["Content-Type"]
    assert again.headers.get("Cache-Control") == first.headers.get("Cache-Control")
    revalidated = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert revalidated.status_code == 304 and revalidated.get_data() == b""


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_no_get_writes_or_commits(app, client, perth, url):
    """Neither the first render nor a repeat writes: no INSERT, UPDATE, DELETE or COMMIT on a GET."""
    with statements(app) as sent:
        assert client.get(url).status_code == 200
        assert client.get(url, headers=HTMX).status_code == 200
        assert client.get(url).status_code == 200
    assert not {"INSERT", "UPDATE", "DELETE", "COMMIT"} & set(sent), sent


def test_a_change_shows_at_once(app, client, perth):
    """Saving a meeting bumps the version in its transaction, so the next request renders the new title."""
    url = "/meetings?near=Perth&radius=25"
    before = client.get(url)
    assert "Perth SMART Recovery" in before.get_data(as_text=True)
    perth["public"].title = "Perth Thursday Group"
    db.session.commit()  # the flush bumps the content version in the same transaction
    after = client.get(url, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert "Perth Thursday Group" in after.get_data(as_text=True)
    assert after.headers["ETag"] != before.headers["ETag"]


def test_fragment_and_page_are_kept_apart(client, perth):
    """An htmx swap gets the fragment and a full request the page, whichever was asked for first."""
    url = "/meetings?near=Perth&radius=25"
    fragment = client.get(url, headers=HTMX)
    page = client.get(url)
    assert "<html" not in fragment.get_data(as_text=True) and "<html" in page.get_data(as_text=True)
    assert fragment.headers["ETag"] != page.headers["ETag"]
    assert "HX-Request" in page.headers["Vary"] and "Cookie" in page.headers["Vary"]
    assert client.get(url, headers=HTMX).get_data() == fragment.get_data()


def test_anonymous_pages_carry_no_token_and_set_no_cookie(client, perth):
    """A shared page must hold nothing of one visitor's: no CSRF token, no session cookie, revalidated each time."""
    for url in PUBLIC_URLS[:3]:
        response = client.get(url)
        assert "csrf" not in response.get_data(as_text=True).lower()
        assert "Set-Cookie" not in response.headers
        assert response.headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("anonymous_first", [True, False])
def test_logged_in_pages_are_never_kept_or_served_from_the_store(app, client, auth, make_person, perth,
                                                                 anonymous_first):
    """A co-ordinator's search shows the custody session, never stored; the public's never shows it to them."""
    url = "/meetings?near=Perth&radius=25"
    coordinator = make_person(COORDINATOR)
    if anonymous_first:
        assert "HMP Perth" not in app.test_client().get(url).get_data(as_text=True)
    auth.login(coordinator)
    mine = client.get(url)
    assert "HMP Perth SMART group" in mine.get_data(as_text=True)
    assert "ETag" not in mine.headers and "no-store" in mine.headers["Cache-Control"]
    db.session.close()  # the test's own session hands its connection back, so the trace sees every checkout
    with statements(app) as sent:
        client.get(url)
    assert "SELECT" in sent and not one_read(sent)  # rendered afresh, not served from the store
    stranger = app.test_client().get(url)
    assert "HMP Perth" not in stranger.get_data(as_text=True)


def test_a_waiting_flash_is_shown_not_swallowed_by_a_kept_page(app, client, perth):
    """A visitor with a flash message gets a fresh render that shows it."""
    client.get("/")  # kept
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Your account was deleted.")]
    assert "Your account was deleted." in client.get("/").get_data(as_text=True)
    assert "Your account was deleted." not in app.test_client().get("/").get_data(as_text=True)


def test_a_kept_page_expires_when_its_first_date_ends(app, client, make_meeting):
    """Next dates drop a meeting once it ends, so the answer is kept until then (or midnight) and no longer."""
    from recovery_network.meetings.recurrence import next_occurrences
    from recovery_network.pagecache import next_midnight

    meeting = make_meeting("Perth SMART Recovery", starts_on=date(2026, 1, 1))
    now = datetime.now(timezone.utc)
    client.get(f"/meetings/{meeting.slug}")
    (answer,) = app.extensions["page_store"].answers.values()
    first_end = next_occurrences(meeting.schedule, {}, now, count=1)[0].end
    assert answer.expires == min(first_end, next_midnight(now))
    assert answer.current(answer.version, answer.expires - timedelta(seconds=1))
    assert not answer.current(answer.version, answer.expires)
    assert not answer.current(answer.version + 1, now)


def test_a_midnight_ends_every_kept_answer(app):
    """'Today' moves at local or UTC midnight, whichever is first; nothing is kept past it."""
    from recovery_network.pagecache import next_midnight

    with app.app_context():
        summer = datetime(2026, 7, 1, 22, 30, tzinfo=timezone.utc)  # 23:30 in London
        assert next_midnight(summer) == datetime(2026, 7, 1, 23, 0, tzinfo=timezone.utc)
        winter = datetime(2026, 1, 1, 22, 30, tzinfo=timezone.utc)
        assert next_midnight(winter) == datetime(2026, 1, 2, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("url", ["/meetings?near=Perth&radius=25", "/"])
def test_gzip_is_made_once_and_has_its_own_etag(client, perth, url):
    """A client that takes gzip gets the same bytes compressed, under its own ETag; each revalidates to 304."""
    import gzip

    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "gzip, br"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    assert packed.headers["ETag"] == plain.headers["ETag"][:-1] + '-gzip"'
    assert "Accept-Encoding" in plain.headers["Vary"] and "Accept-Encoding" in packed.headers["Vary"]
    again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304
    assert client.get(url, headers={"If-None-Match": packed.headers["ETag"]}).status_code == 200


def test_a_small_answer_is_not_compressed(client, perth):
    """Below a packet's worth, gzip costs more than it saves: the plain bytes and ETag for everyone."""
    small = client.get("/api/v1/meetings?near=Inverness&radius=5", headers={"Accept-Encoding": "gzip"})
    assert len(small.get_data()) < 1400 and "Content-Encoding" not in small.headers


def test_gzip_refused_with_q_zero_gets_plain_bytes(client, perth):
    """'gzip;q=0' is a refusal, not a request (RFC 9110 12.5.3)."""
    refused = client.get("/", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers and b"<html" in refused.get_data()
