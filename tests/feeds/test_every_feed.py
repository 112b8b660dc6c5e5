"""Every feed the demo network serves, read by three parsers: icalendar, ical.js and libical.

The demo (recovery_network/demo.py) is seeded as `flask seed-demo` does, private links are issued for the
rota and the pathway, and then each public feed (the searches and every public meeting's own) and each
private one is fetched, linted, and expanded over a window holding both clock changes. ical.js and libical
must place every occurrence at the instant recurring-ical-events (on icalendar) does, and libical's RFC 5546
restriction check must find nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from recovery_network import demo
from recovery_network.accounts.models import Person
from recovery_network.extensions import db
from recovery_network.meetings.models import Meeting
from recovery_network.meetings.visibility import visible_to
from recovery_network.pathways import feeds as pathway_feeds
from recovery_network.pathways.models import Pathway
from recovery_network.rota import feeds as rota_feeds
from recovery_network.types import utcnow
from tests.feeds.ical_lint import lint
from tests.feeds.icaljs import expand_with_icaljs
from tests.feeds.samples import python_occurrences

SEARCHES = ["", "near=Perth&radius=25", "near=Glasgow&radius=10", "mode=online", "day=wed&time=evening"]
SPRING, AUTUMN = datetime(2026, 3, 29, 1, 0, tzinfo=UTC), datetime(2026, 10, 25, 1, 0, tzinfo=UTC)


def window() -> tuple[datetime, datetime]:
    """From before the demo's first meetings (January 2026) to well past what it has coming up."""
    return datetime(2026, 1, 1, tzinfo=UTC), max(datetime(2027, 1, 1, tzinfo=UTC), utcnow() + timedelta(weeks=30))


def every_feed() -> list[str]:
    """Seed the demo, issue the private links, and list every feed URL it has."""
    demo.seed(utcnow())
    people = {p.email.split("@")[0]: p for p in db.session.scalars(select(Person))}
    rota = [rota_feeds.issue_token(people[who]) for who in ("facilitator", "mentor")]
    pathway = pathway_feeds.issue_token(db.session.scalars(select(Pathway).where(Pathway.first_name == "Dee")).one())
    db.session.commit()
    slugs = db.session.scalars(select(Meeting.slug).where(visible_to(None)).order_by(Meeting.slug)).all()
    assert len(slugs) == 12, slugs  # the demo's public meetings; custody ones have no public feed
    return [
        *(f"/feeds/meetings.ics?{query}" for query in SEARCHES),
        *(f"/meetings/{slug}.ics" for slug in slugs),
        *(f"/rota/feed/{token}.ics" for token in rota),
        f"/pathways/feed/{pathway}.ics",
    ]


@pytest.fixture(params=["ical.js", "libical"])
def other_parser(request):
    """The parser checked against recurring-ical-events, as (body, start, end) -> [(UID, UTC start)]."""
    if request.param == "libical":
        libical = request.getfixturevalue("libical")

        def read(body: bytes, start: datetime, end: datetime) -> list[tuple[str, datetime]]:
            """libical's occurrences, after asserting its parse and RFC 5546 check found nothing."""
            reading = libical.read(body, start, end)
            assert reading.errors == []
            return reading.occurrences

        return read
    return expand_with_icaljs


def test_every_demo_feed_reads_the_same_in_three_parsers(app, client, other_parser):
    """Searches, the 12 public meetings' feeds, two rotas and a pathway: same instants, no complaints."""
    with app.app_context():
        urls = every_feed()
    start, end = window()
    seen: set[datetime] = set()
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.data
        assert lint(body) == [], url
        reference = python_occurrences(body, start, end)
        if "/rota/" not in url:  # a rota feed holds only the dates one has signed up for
            assert reference, url
        assert other_parser(body, start, end) == reference, url
        seen |= {when for _, when in reference}
    # The window really holds both clock changes: meetings in winter, summer and winter again.
    assert min(seen) < SPRING < AUTUMN < max(seen)
    assert any(SPRING < when < AUTUMN for when in seen)
