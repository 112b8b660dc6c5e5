"""Near-search against brute force: rings and the capped count must never change what a page holds."""

from __future__ import annotations

import random
from datetime import datetime, timezone

import pytest
from sqlalchemy import select, text

from recovery_network import create_app
from recovery_network.extensions import db
from recovery_network.meetings import search as meeting_search
from recovery_network.meetings.models import Meeting
from recovery_network.meetings.search import Criteria, search
from recovery_network.venues.geo import Point, distance_miles

PERTH = Point(56.3962, -3.4363)
NOW = datetime(2026, 11, 29, 12, tzinfo=timezone.utc)
RADIUS = 25.0


@pytest.fixture
def scattered(make_venue, make_meeting):
    """A few venues in the centre, more in the town, a spread to 35 miles; one or two meetings each (seeded).

    So the smallest ring holds some meetings but not a page, and later rings fill it.
    """
    rng = random.Random(20261129)
    for n in range(45):
        spread = 0.002 if n < 3 else 0.04 if n < 23 else 0.45  # degrees: the centre, the town, the country
        venue = make_venue(lat=PERTH.latitude + rng.gauss(0, spread), lon=PERTH.longitude + rng.gauss(0, spread * 1.7))
        for _ in range(rng.choice((1, 1, 2))):
            make_meeting(title=f"Meeting {n}", venue=venue)
    meetings = db.session.scalars(select(Meeting)).all()
    ranked = sorted(
        (distance_miles(PERTH, m.venue.point), m.id) for m in meetings
    )
    return [(d, i) for d, i in ranked if d <= RADIUS]


def all_pages(per_page: int) -> list[list[tuple[float, int]]]:
    """Every page of a near-search around Perth, as (distance, id) in the order shown."""
    pages, number = [], 1
    while True:
        found = search(Criteria(near=PERTH, radius_miles=RADIUS, page=number), now=NOW, per_page=per_page)
        db.session.expunge_all()
        pages.append([(r.distance_miles, r.meeting.id) for r in found.results])
        if number >= found.pages:
            return pages
        number += 1


@pytest.mark.parametrize("cap", [1000, 12], ids=["counted", "count-capped"])
def test_pages_hold_exactly_the_meetings_in_range_nearest_first(scattered, monkeypatch, cap):
    """Whichever rings a page is found in, pages together are everything in range, each page nearer than the next."""
    monkeypatch.setattr(meeting_search, "COUNT_CAP", cap)
    pages = all_pages(per_page=6)
    shown = [row for page in pages for row in page]
    if cap >= len(scattered):
        assert sorted(i for _, i in shown) == sorted(i for _, i in scattered)
    else:
        # Pages stop at the cap; those shown are still the nearest ones, in order.
        assert len(shown) == cap
        assert sorted(i for _, i in shown) == sorted(i for _, i in scattered[:cap])
    for page in pages:
        assert page == sorted(page)
    for before, after in zip(pages, pages[1:]):
        # The SQL orders by an estimate good to well under 1%; the exact distance orders within a page.
        assert before[-1][0] <= after[0][0] * 1.01


def test_a_dense_place_with_a_capped_count_still_fills_its_first_page(scattered, monkeypatch):
    """With the count stopped at the cap, the smallest ring is tried first and widened until the page is full."""
    monkeypatch.setattr(meeting_search, "COUNT_CAP", 5)
    found = search(Criteria(near=PERTH, radius_miles=RADIUS), now=NOW, per_page=20)
    assert found.more_than_cap
    assert [r.meeting.id for r in found.results] == [i for _, i in scattered[:20]]


def test_sqlite_walks_the_venues_in_the_box_first_without_statistics(tmp_path):
    """The plan the near-search index exists for, on a migrated SQLite file that has never been analysed.

    Venues by their lat/lon index, then their meetings from ix_meetings_venue_search alone, so a count
    stops at the cap and a ring orders ids without reading a meeting row. Always SQLite: the claim is
    about SQLite's planner without statistics (PostgreSQL plans from its own, gathered by autovacuum).
    """
    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 40,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'plan.sqlite3'}"})
    assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    with app.app_context():
        assert db.session.execute(text("SELECT name FROM sqlite_master WHERE name LIKE 'sqlite_stat%'")).all() == []
        base = select(Meeting.id).where(*meeting_search._filters(Criteria(), None, NOW.date()))
        query, estimate = meeting_search._near(base, PERTH, RADIUS)
        for statement in (query.limit(meeting_search.COUNT_CAP + 1), query.order_by(estimate).limit(20)):
            sql = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
            plan = [row[3] for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {sql}"))]
            assert plan[0].startswith("SEARCH venues USING COVERING INDEX ix_venues_lat_lon"), plan
            assert plan[1].startswith("SEARCH meetings USING COVERING INDEX ix_meetings_venue_search"), plan
        db.session.remove()
        db.engine.dispose()
