"""Fixtures: an app on a clean database per test (SQLite, or PostgreSQL via TEST_DATABASE_URL)."""

from __future__ import annotations

import os
from datetime import date, time
from typing import NamedTuple

import pytest
from sqlalchemy import text

from recovery_network import create_app, localzone
from recovery_network.accounts.models import ACTIVE, Person, PersonRole, StaffPost
from recovery_network.config import Config
from recovery_network.extensions import db
from recovery_network.feeds.cache import feeds as feed_cache
from recovery_network.meetings.services import MeetingDetails, create_meeting
from recovery_network.venues.models import COMMUNITY, CUSTODY, Area, Venue

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


def database_url(tmp_path) -> str:
    """PostgreSQL when TEST_DATABASE_URL is set (as CI does), otherwise a throwaway SQLite file."""
    return TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'test.sqlite3'}"


def reset_schema() -> None:
    """Start each test from an empty schema, whichever database is in use."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    db.create_all()


def app_settings(tmp_path, **overrides) -> dict:
    """The test app's settings, with a test's own laid over them (the one list, so no test copies it)."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "SQLALCHEMY_DATABASE_URI": database_url(tmp_path),
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "localhost",
        "RATELIMIT_ENABLED": False,
        "MAIL_FOLDER": str(tmp_path / "outbox"),
        **overrides,
    }


@pytest.fixture
def app(request, tmp_path):
    """The app with a fresh schema (create_all is for tests only; real databases use migrations); a test marked
    `@pytest.mark.app_config(SETTING=value)` gets those settings laid over the defaults."""
    marker = request.node.get_closest_marker("app_config")
    app = create_app(app_settings(tmp_path, **(marker.kwargs if marker else {})))
    with app.app_context():
        reset_schema()
    feed_cache.clear()  # every test starts a new database; cached feeds belong to the last one
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    # create_app set the network's zone from this app's TIMEZONE; pure tests after it expect the default.
    localzone.configure(Config.TIMEZONE)


@pytest.fixture
def client(app):
    """A test client for the app."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner for the app's commands."""
    return app.test_cli_runner()


@pytest.fixture
def app_ctx(app):
    """An application context, for tests that call services directly."""
    with app.app_context():
        yield


@pytest.fixture
def make_venue(app_ctx):
    """Factory: a venue (community by default) in a test area."""
    counter = {"n": 0}

    def make(setting: str = COMMUNITY, lat: float = 56.3962, lon: float = -3.4363, **fields) -> Venue:
        counter["n"] += 1
        area = db.session.query(Area).filter_by(slug="test-area").one_or_none()
        if area is None:
            area = Area(slug="test-area", name="Test Area")
            db.session.add(area)
        n = counter["n"]
        venue = Venue(
            slug=fields.pop("slug", f"venue-{n}"),
            name=fields.pop("name", f"{'HMP Test' if setting == CUSTODY else 'Test Hall'} {n}"),
            setting=setting,
            area=area,
            address=fields.pop("address", "1 High Street"),
            town=fields.pop("town", "Perth"),
            postcode=fields.pop("postcode", "PH1 5PE"),
            latitude=lat,
            longitude=lon,
            **fields,
        )
        db.session.add(venue)
        db.session.flush()
        return venue

    return make


TEST_ORGANISATION = "Recovery Network"
# Who the migration (0033) puts in the founding organisation; the factories do the same, so every test that
# does not name organisations works inside one, as a network did before organisations existed.
MEMBER_ROLES = ("coordinator", "peer_mentor", "facilitator")


def founding_organisation():
    """The founding organisation of the test network, made on first use."""
    from recovery_network.organisations.models import Organisation

    found = db.session.query(Organisation).filter_by(name=TEST_ORGANISATION).one_or_none()
    if found is None:
        found = Organisation(name=TEST_ORGANISATION, kind="mentoring")
        db.session.add(found)
        db.session.flush()
    return found


@pytest.fixture
def make_meeting(app_ctx, make_venue):
    """Factory: a committed meeting series through the real service (weekly Tuesday 18:30 by default)."""

    def make(title: str = "Perth SMART Recovery", venue: Venue | None = None, custody: bool = False, **fields) -> object:
        if venue is None and not fields.get("online_url"):
            venue = make_venue(CUSTODY if custody else COMMUNITY)
        details = MeetingDetails(
            title=title,
            kind=fields.pop("kind", "smart"),
            weekday=fields.pop("weekday", 1),
            start_time=fields.pop("start_time", time(18, 30)),
            starts_on=fields.pop("starts_on", date(2026, 1, 6)),
            venue=venue,
            organisation_id=fields.pop("organisation_id", None) or founding_organisation().id,
            **fields,
        )
        meeting = create_meeting(details)
        db.session.commit()
        return meeting

    return make


PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def make_person(app_ctx):
    """Factory: a committed person with roles (approved unless told otherwise)."""
    counter = {"n": 0}

    def make(*roles: str, status: str = ACTIVE, first_name: str = "Sam", establishments=(), organisations=None,
             **fields) -> Person:
        """`organisations`: the ones they belong to; by default the founding one for co-ordinators and volunteers."""
        from werkzeug.security import generate_password_hash

        from recovery_network.organisations.models import Membership

        counter["n"] += 1
        person = Person(
            email=fields.pop("email", f"person{counter['n']}@example.org"),
            first_name=first_name,
            last_initial=fields.pop("last_initial", "K"),
            password_hash=generate_password_hash(fields.pop("password", PASSWORD)),
            status=status,
            **fields,
        )
        person.roles = [PersonRole(role=r) for r in roles]
        person.staff_posts = [StaffPost(venue_id=v.id) for v in establishments]
        db.session.add(person)
        if organisations is None:
            organisations = [founding_organisation()] if set(roles) & set(MEMBER_ROLES) else []
        db.session.add_all(Membership(organisation=o, person=person) for o in organisations)
        db.session.commit()
        return person

    return make


class AuthActions:
    """Log people in and out through the real login form (FT's AuthActions)."""

    def __init__(self, client):
        self.client = client

    def login(self, person_or_email, password: str = PASSWORD, **extra):
        """POST the login form."""
        email = getattr(person_or_email, "email", person_or_email)
        return self.client.post("/account/login", data={"email": email, "password": password, **extra})

    def logout(self):
        """POST logout."""
        return self.client.post("/account/logout")


@pytest.fixture
def auth(client):
    """Login helper bound to the test client."""
    return AuthActions(client)


class Mail(NamedTuple):
    """One email as a person would read it: decoded body, no transfer encoding."""

    to: str
    subject: str
    body: str


def outbox(app) -> list[Mail]:
    """Every email written to the test outbox folder, oldest first."""
    import email
    import email.policy
    import pathlib

    folder = pathlib.Path(app.config["MAIL_FOLDER"])
    if not folder.exists():
        return []
    messages = []
    for path in sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns):
        message = email.message_from_string(path.read_text(encoding="utf-8"), policy=email.policy.default)
        messages.append(Mail(message["To"], message["Subject"], message.get_content()))
    return messages
