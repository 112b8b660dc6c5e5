"""PostgreSQL stopping under the app: 503 with Retry-After and no traceback, then 200 again once it is back.

A private cluster (initdb + pg_ctl on a spare port) is started for the test, stopped the way a crash or a
restart stops it (immediate: every connection cut), and started again. Skipped where PostgreSQL's programs are
missing, unless REQUIRE_PG_FAULTS=1 (CI).
"""

from __future__ import annotations

import logging

import pytest

from recovery_network import create_app
from recovery_network.extensions import db
from tests.servers import postgres_cluster

PAGES = ["/", "/meetings?near=Perth&radius=25", "/meetings/perth-smart-tuesday"]
API = ["/api/v1/meetings?near=Perth", "/api/v1/meetings/perth-smart-tuesday"]
DATA = ["/api/meetings.json", "/feeds/meetings.ics?near=Perth"]


@pytest.fixture(scope="module")
def cluster():
    """One private cluster for this module."""
    with postgres_cluster() as running:
        yield running


@pytest.fixture
def app(cluster, tmp_path):
    """The app on the private cluster, with the demo network, answering errors as in production."""
    app = create_app({
        "TESTING": True, "PROPAGATE_TEST_ERRORS": False, "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "SQLALCHEMY_DATABASE_URI": cluster.url, "SERVER_NAME": "localhost", "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": False,
        "MAIL_FOLDER": str(tmp_path / "outbox"),
    })
    with app.app_context():
        db.drop_all()
        db.create_all()
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    yield app
    with app.app_context():
        db.engine.dispose()


def test_a_restart_answers_503_to_try_again_then_200(app, cluster, caplog):
    """During the outage: 503 + Retry-After everywhere, a short page or problem JSON, a warning and no traceback."""
    client = app.test_client()
    slug_page = client.get(PAGES[2])
    assert slug_page.status_code == 200, "the demo's Perth meeting moved: update PAGES"
    for url in PAGES + API + DATA:
        assert client.get(url).status_code == 200, url
    cluster.stop()
    try:
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            for url in PAGES:
                response = client.get(url)
                assert response.status_code == 503, url
                assert response.headers["Retry-After"] == "60"
                assert "try again in a minute" in response.get_data(as_text=True)
                assert "no-store" in response.headers["Cache-Control"]
            for url in API:
                response = client.get(url)
                assert response.status_code == 503 and response.headers["Retry-After"] == "60"
                assert response.mimetype == "application/problem+json"
                assert response.get_json()["status"] == 503
            for url in DATA:
                response = client.get(url)
                assert response.status_code == 503 and response.mimetype == "text/plain", url
            assert client.get("/healthz").status_code == 503
        assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
        assert any("Database unavailable" in r.getMessage() for r in caplog.records)
    finally:
        cluster.start()
    for url in PAGES + API + DATA:
        assert client.get(url).status_code == 200, url


def test_a_logged_in_visitor_gets_the_same_503(app, cluster):
    """Who is logged in can't be looked up either: the same short page, never the 500 page."""
    client = app.test_client()
    login = client.post("/account/login", data={"email": "coordinator@demo.recovery-network.org",
                                                "password": "walk-through-the-gate"})
    assert login.status_code == 302
    assert "HMP Perth" in client.get(PAGES[1]).get_data(as_text=True)  # logged in: custody shown
    cluster.stop()
    try:
        response = client.get(PAGES[1])
        assert response.status_code == 503 and "try again in a minute" in response.get_data(as_text=True)
    finally:
        cluster.start()
