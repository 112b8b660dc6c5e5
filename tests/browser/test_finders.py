"""Other sites reading our public data in Chromium: TSML UI's meeting finder, and plain fetch() calls.

A second local server on another port plays "another site". It serves TSML UI (code4recovery's MIT build,
read at test time from ../shared/vendor/tsml-ui/app.js and never copied into this repository) pointed at
our /api/meetings.json, and a blank page whose script fetches our public answers, revalidates them with a
preflighted If-None-Match, and tries a private feed, which the browser must refuse to hand over.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from datetime import time
from pathlib import Path

import pytest
from sqlalchemy import select

from recovery_network import create_app
from recovery_network.accounts.models import Person
from recovery_network.extensions import db
from recovery_network.pathways import feeds as pathway_feeds
from recovery_network.pathways.models import Pathway
from recovery_network.rota import feeds as rota_feeds
from tests.browser import conftest as browser_conftest

pytestmark = pytest.mark.browser

TSML_UI = Path(__file__).resolve().parents[3] / "shared" / "vendor" / "tsml-ui" / "app.js"
DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]  # Meeting Guide's order


@pytest.fixture(scope="module")
def seen_by_app() -> list[tuple[str, str, str | None]]:
    """(method, path, Origin) of every request the live app answered, preflights included."""
    return []


@pytest.fixture(scope="module")
def live(tmp_path_factory, seen_by_app) -> Iterator[browser_conftest.LiveApp]:
    """The demo app on a local port, wrapped so the test sees what reached it, with private links issued."""
    real = browser_conftest.make_server

    def recording(host, port, app, **options):
        """make_server, with a WSGI wrapper noting each request."""

        def wrapped(environ, start_response):
            seen_by_app.append((environ["REQUEST_METHOD"], environ["PATH_INFO"], environ.get("HTTP_ORIGIN")))
            return app(environ, start_response)

        return real(host, port, wrapped, **options)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(browser_conftest, "make_server", recording)
        with browser_conftest.serve_app(tmp_path_factory) as running:
            yield running


@pytest.fixture(scope="module")
def live_server(live) -> str:
    """The browser fixtures' base URL: this module's recorded app."""
    return live.url


@pytest.fixture(scope="module")
def private_links(live) -> dict[str, str]:
    """A live rota link and pathway link in the running app's database."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": live.database_url})
    with app.app_context():
        facilitator = db.session.scalar(select(Person).where(Person.email.startswith("facilitator@")))
        links = {
            "rota": f"/rota/feed/{rota_feeds.issue_token(facilitator)}.ics",
            "pathway": f"/pathways/feed/{pathway_feeds.issue_token(db.session.scalars(select(Pathway).where(Pathway.first_name == 'Dee')).one())}.ics",
        }
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return links


@pytest.fixture(scope="module")
def other_site(live) -> Iterator[str]:
    """Another origin (127.0.0.1 on a second port): a TSML UI page for our feed, and a blank page."""
    app_js = TSML_UI.read_bytes() if TSML_UI.is_file() else None
    finder = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fellowship meetings</title></head>'
        f'<body><div id="tsml-ui" data-src="{live.url}/api/meetings.json" data-timezone="Europe/London"></div>'
        '<script src="/tsml-ui/app.js"></script></body></html>'
    ).encode()
    blank = b'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Another site</title></head></html>'

    class Handler(http.server.BaseHTTPRequestHandler):
        """Three fixed answers; anything else is 404."""

        def do_GET(self) -> None:
            """Serve the page or script asked for."""
            pages = {"/finder.html": (finder, "text/html"), "/blank.html": (blank, "text/html")}
            if app_js is not None:
                pages["/tsml-ui/app.js"] = (app_js, "text/javascript")
            body, kind = pages.get(self.path, (b"not here", "text/plain"))
            self.send_response(200 if self.path in pages else 404)
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            """Quiet."""

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="other-site", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def visitor(browser):
    """A fresh browser context, not tied to our origin."""
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context
    context.close()


def clock(hhmm: str) -> str:
    """'18:30' as TSML UI writes it: '6:30 pm'."""
    hour, minute = time.fromisoformat(hhmm).hour, time.fromisoformat(hhmm).minute
    return f"{(hour - 1) % 12 + 1}:{minute:02d} {'am' if hour < 12 else 'pm'}"


def test_tsml_ui_lists_every_public_demo_meeting_online_included(visitor, live, other_site):
    """Names, days, times and regions as the feed gives them; the online meeting active, on Jitsi, in 'Online'."""
    if not TSML_UI.is_file():
        pytest.skip(f"TSML UI's build is not at {TSML_UI} (../shared/vendor/tsml-ui/app.js); nothing to load")
    records = visitor.request.get(f"{live.url}/api/meetings.json").json()
    # 13 public demo series less the Forfar course, which is closed (by referral): finders get no address for it.
    assert len(records) == 12 - 1 and "Forfar 10-week Recovery Group" not in {r["name"] for r in records}
    page = visitor.new_page()
    page.goto(f"{other_site}/finder.html")
    rows = page.locator("#tsml-ui table tbody tr")
    rows.first.wait_for()
    assert rows.count() == len(records)
    listed = {}
    for row in rows.all():
        cells = [" ".join(c.split()) for c in row.locator("td").all_inner_texts()]
        listed[cells[1]] = cells  # time+day, name, location, address/platform, region
    assert set(listed) == {r["name"] for r in records}
    for record in records:
        when, _, place, address, region = listed[record["name"]]
        assert when == f"{clock(record['time'])} {DAYS[record['day']]}", record["name"]
        assert region == record["region"], record["name"]
        if "conference_url" in record:
            assert address == "Jitsi" and region == "Online" and place == ""
        else:
            assert place == record["location"] and address == record["address"]
    body = page.inner_text("#tsml-ui")
    assert "Inactive" not in body
    # The online meeting counts in the day and region filters, which TSML UI fills from active meetings only.
    page.locator("#region").click()
    assert filter_count(page, "region", "Online") == "1 result"
    page.locator("#weekday").click()
    sundays = sum(1 for r in records if r["day"] == 0)
    assert filter_count(page, "weekday", "Sunday") == f"{sundays} result{'s' if sundays > 1 else ''}"


def filter_count(page, which: str, label: str) -> str:
    """How many meetings an open TSML UI filter dropdown says one of its choices has ('1 result')."""
    item = page.locator(f'[aria-labelledby="{which}"] button', has=page.locator("span", has_text=label))
    return item.locator("span[aria-label]").get_attribute("aria-label")


def test_another_site_reads_public_answers_and_is_refused_private_feeds(
    visitor, live, other_site, private_links, seen_by_app
):
    """fetch() from another origin: public JSON and .ics readable with their ETag; a revalidation is
    preflighted and answered 304; a private feed is refused by the browser."""
    page = visitor.new_page()
    page.goto(f"{other_site}/blank.html")
    public = ["/api/meetings.json", "/api/v1/meetings?near=Perth&radius=25", "/api/v1/meetings/perth-smart-tuesday",
              "/feeds/meetings.ics?near=Dundee&radius=10", "/meetings/perth-smart-tuesday.ics"]
    private = [private_links["rota"], private_links["pathway"]]
    found = page.evaluate(
        """async ({base, publicPaths, privatePaths}) => {
          const out = {};
          for (const path of publicPaths) {
            const first = await fetch(base + path);
            const etag = first.headers.get("ETag");
            const text = await first.text();
            const again = await fetch(base + path, {headers: {"If-None-Match": etag}});  // not safelisted: preflight
            out[path] = {status: first.status, etag, lastModified: first.headers.get("Last-Modified"),
                         start: text.slice(0, 15), revalidated: again.status, etagAgain: again.headers.get("ETag")};
          }
          for (const path of privatePaths) {
            try { const r = await fetch(base + path); out[path] = {status: r.status, leaked: await r.text()}; }
            catch (error) { out[path] = {refused: String(error)}; }
          }
          return out;
        }""",
        {"base": live.url, "publicPaths": public, "privatePaths": private},
    )
    origin = other_site
    for path in public:
        got = found[path]
        assert got["status"] == 200 and got["etag"], (path, got)
        assert got["start"].startswith("BEGIN:VCALENDAR" if ".ics" in path else ("[" if "meetings.json" in path else "{"))
        assert got["revalidated"] == 304 and got["etagAgain"] == got["etag"], (path, got)
        bare = path.split("?")[0]
        assert ("OPTIONS", bare, origin) in seen_by_app, f"no preflight reached the app for {path}"
    assert found["/feeds/meetings.ics?near=Dundee&radius=10"]["lastModified"]
    for path in private:
        assert "refused" in found[path] and "Failed to fetch" in found[path]["refused"], (path, found[path])
        assert ("GET", path, origin) in seen_by_app  # it was asked for; the browser kept the answer from the page
