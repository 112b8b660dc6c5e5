"""Open, closed and unlisted meetings: closed ones are listed "by referral" with a contact and never an address;
unlisted ones are in no search, count, feed or API, and their page opens only from its link."""

from __future__ import annotations

import json
from datetime import date, time

import pytest

from recovery_network.extensions import db
from recovery_network.meetings.services import InvalidListing, MeetingDetails, create_meeting
from tests.feeds.ics_parse import parse

ADDRESS = "7 Secret Close"
CONTACT = "Angus Recovery Service, 01632 960 123"


@pytest.fixture
def listed(make_venue, make_meeting):
    """An open meeting, a closed course and an unlisted group, all at venues with a street address."""
    open_one = make_meeting("Open Tuesday group", venue=make_venue(address="1 High Street"))
    closed = make_meeting("Closed ten-week course", venue=make_venue(address=ADDRESS, town="Forfar"),
                          kind="programme", session_count=10, listing="closed", referral_contact=CONTACT,
                          starts_on=date.today())
    unlisted = make_meeting("Unlisted women's circle", venue=make_venue(address="9 Quiet Lane"), listing="unlisted")
    return {"open": open_one.slug, "closed": closed.slug, "unlisted": unlisted.slug}


def test_search_lists_closed_by_referral_without_address_and_leaves_unlisted_out(client, listed):
    """The /meetings page: the closed course says 'By referral' with its town, never its street; no unlisted one."""
    page = client.get("/meetings").get_data(as_text=True)
    assert "Open Tuesday group" in page and "Closed ten-week course" in page
    assert "By referral" in page and ADDRESS not in page
    assert "Unlisted women" not in page
    assert page.count('class="card"') == 2


def test_closed_page_gives_the_contact_not_the_address_and_unlisted_page_opens_by_link(client, listed):
    """A closed group's page names who to ask; an unlisted one's page opens for whoever has the link."""
    closed = client.get(f"/meetings/{listed['closed']}").get_data(as_text=True)
    assert CONTACT in closed and ADDRESS not in closed and "openstreetmap" not in closed
    unlisted = client.get(f"/meetings/{listed['unlisted']}")
    assert unlisted.status_code == 200 and "Unlisted women" in unlisted.get_data(as_text=True)


def test_the_json_feeds_and_api_honour_listing(client, listed):
    """Meeting Guide (addresses for finder apps) has only the open one; /api/v1 lists the closed one with no venue."""
    guide = json.loads(client.get("/api/meetings.json").get_data())
    assert [m["slug"] for m in guide] == [listed["open"]]
    found = client.get("/api/v1/meetings").get_json()["meetings"]
    by_slug = {m["slug"]: m for m in found}
    assert set(by_slug) == {listed["open"], listed["closed"]}
    closed = by_slug[listed["closed"]]
    assert closed["venue"] is None and closed["listing"] == "closed" and closed["referral_contact"] == CONTACT
    assert by_slug[listed["open"]]["listing"] == "open"
    assert client.get(f"/api/v1/meetings/{listed['unlisted']}").status_code == 404
    assert ADDRESS not in client.get(f"/api/v1/meetings/{listed['closed']}").get_data(as_text=True)


def test_calendar_feeds_honour_listing(client, listed):
    """The search feed leaves the unlisted group out; the closed course's LOCATION is its referral contact."""
    feed = client.get("/feeds/meetings.ics").get_data(as_text=True)
    events = [c for c in parse(feed)[0].walk("VEVENT") if c.first("RECURRENCE-ID") is None]
    summaries = {e.first("SUMMARY").value for e in events}
    assert summaries == {"Open Tuesday group", "Closed ten-week course"}
    closed = next(e for e in events if e.first("SUMMARY").value == "Closed ten-week course")
    assert "By referral" in closed.first("LOCATION").value and closed.first("GEO") is None
    assert ADDRESS not in feed


def test_a_closed_group_needs_a_contact(app_ctx, make_venue):
    """The service refuses a closed group with no one to ask; the database backs it up."""
    details = MeetingDetails("Closed group", "smart", 1, time(18, 0), date(2026, 1, 6),
                             venue=make_venue(), listing="closed", referral_contact="  ")
    with pytest.raises(InvalidListing):
        create_meeting(details)
    db.session.rollback()
    with pytest.raises(InvalidListing):
        create_meeting(MeetingDetails("Odd", "smart", 1, time(18, 0), date(2026, 1, 6),
                                      venue=make_venue(), listing="secret"))
