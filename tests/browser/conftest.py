"""Browser fixtures: the real app (migrated schema, demo network) on a local port, driven by headless Chromium.

Playwright cannot download its own browsers here, so we drive Debian's `chromium` and skip with a reason
when it is missing (CI sets REQUIRE_BROWSER=1 so a missing browser fails instead of silently skipping).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple
from urllib.parse import urlsplit

import pytest
from flask_migrate import upgrade
from sqlalchemy import text
from werkzeug.serving import make_server

from recovery_network import create_app
from recovery_network.extensions import db
from tests.conftest import TEST_DATABASE_URL

PHONE = {"width": 360, "height": 740}
SKIP_REASON = (
    "Browser journeys need Chromium (Debian package `chromium`); Playwright cannot download its own here. "
    "Set CHROMIUM_PATH or install it; CI does."
)
# The network is closed: stop Chromium reaching out for updates, sync, field trials and the like.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def find_chromium() -> str | None:
    """CHROMIUM_PATH if set (and present), otherwise the first Chromium on PATH or in /usr/bin."""
    if configured := os.environ.get("CHROMIUM_PATH"):
        return configured if os.path.isfile(configured) and os.access(configured, os.X_OK) else None
    for candidate in ("chromium", "chromium-browser", "/usr/bin/chromium"):
        if found := shutil.which(candidate):
            return found
    return None


def no_browser(reason: str = SKIP_REASON) -> None:
    """Skip with the reason, or fail when the run insists on a browser (REQUIRE_BROWSER=1)."""
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail("REQUIRE_BROWSER=1 but no Chromium: install Debian's chromium")
    pytest.skip(reason)


def reset_database() -> None:
    """An empty PostgreSQL schema (SQLite files start empty), then the real schema from migrations."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade()


class LiveApp(NamedTuple):
    """A running app: its base URL and the database it uses (for tests that check what was stored)."""

    url: str
    database_url: str


# Signed-in journeys run as production does: forms carry CSRF tokens. Only the Secure flag on cookies is off,
# because the live server speaks plain http (Chromium happens to keep Secure cookies from 127.0.0.1 anyway,
# but the journeys should not rest on that browser rule).
STAFF_CONFIG = {"WTF_CSRF_ENABLED": True, "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False}


@contextmanager
def serve_app(tmp_path_factory, **config) -> Iterator[LiveApp]:
    """The app on 127.0.0.1:<free port> with the demo network, in a thread, until the block ends."""
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path_factory.mktemp('live') / 'live.sqlite3'}"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "browser-test-secret-key-long-enough-0123456789",
            "SQLALCHEMY_DATABASE_URI": url,
            **config,
        }
    )
    with app.app_context():
        reset_database()
    seeded = app.test_cli_runner().invoke(args=["seed-demo"])
    assert seeded.exit_code == 0, seeded.output
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveApp(f"http://127.0.0.1:{server.server_port}", url)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="module")
def live_server(request, tmp_path_factory) -> Iterator[str]:
    """The base URL the browser fixtures point at: the public app with the demo network, or, in a module marked
    `staff_server`, `staff_app` (so a staff journey's pages and its database checks share one server)."""
    if request.node.get_closest_marker("staff_server"):
        yield request.getfixturevalue("staff_app").url
        return
    with serve_app(tmp_path_factory) as live:
        yield live.url


@pytest.fixture(scope="module")
def staff_app(tmp_path_factory) -> Iterator[LiveApp]:
    """The app as volunteers and staff use it (CSRF on, sessions over http); a module marked `staff_server`
    points the browser fixtures at it, and reads `staff_app.database_url` to check what was stored."""
    with serve_app(tmp_path_factory, **STAFF_CONFIG) as live:
        yield live


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Debian Chromium through Playwright, shared by the module's tests."""
    executable = find_chromium()
    if executable is None:
        no_browser()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        no_browser()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def requests_seen() -> list[str]:
    """Every URL the browser asked for during one test (filled by the context fixtures)."""
    return []


@pytest.fixture
def new_context(browser, live_server, requests_seen):
    """Factory: a fresh browser context (no cookies, no cache) pointed at the live server; closed afterwards."""
    contexts = []

    def make(**options):
        options.setdefault("viewport", PHONE)
        options.setdefault("locale", "en-GB")
        options.setdefault("timezone_id", "Europe/London")
        context = browser.new_context(base_url=live_server, **options)
        context.set_default_timeout(10_000)
        context.on("request", lambda request: requests_seen.append(request.url))
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    """A phone-sized page with JavaScript on, as most newcomers will have."""
    return new_context().new_page()


def host_of(url: str) -> str | None:
    """The host part of a URL (None for data: and about: URLs)."""
    return urlsplit(url).hostname


def expect(target):
    """Playwright's auto-waiting assertions (imported late: the browser fixture skips without Playwright)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def nav(page, name: str) -> None:
    """Follow a link in the header's main navigation, as a person would."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()


def log_in(page, email: str, password: str | None = None) -> None:
    """Log in through the form, as a volunteer would: 'Volunteers' in the header, email, password, Log in."""
    from recovery_network.demo_people import DEMO_PASSWORD

    page.goto("/")
    nav(page, "Volunteers")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password or DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("navigation", name="Main").get_by_role("button", name="Log out")).to_be_visible()


def log_out(page) -> None:
    """The header's Log out button (a POST with its CSRF token)."""
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Log out").click()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Volunteers")).to_be_visible()
