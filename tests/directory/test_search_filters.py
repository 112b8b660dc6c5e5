"""One search, three callers: the page, the calendar feed and the API agree on every filter, good or bad.

A filter that is not understood is never dropped to "any": the page shows the form with the message beside
the field and no list, the feed answers a plain 400 naming the filter, the API its problem details.
"""

from __future__ import annotations

import html
import re
from datetime import date, time

import pytest

from recovery_network.extensions import db
from recovery_network.feeds.events import meeting_uid
from recovery_network.meetings.models import Meeting
from recovery_network.venues.models import CUSTODY
from tests.feeds.test_feed_http import listed_slugs, series_uids

PERTH = (56.3962, -3.4363)
DUNDEE = (56.4640, -2.9690)
GLASGOW = (55.8654, -4.2626)

# (the filter, a value it does not understand, the message every caller gives)
BAD = [
    ("near", "x" * 101, "Keep it under 100 characters."),
    ("near", "Atlantisville", "We could not find “Atlantisville”. Check the spelling, or try a nearby town"),
    ("near", "a\x00b", "Remove the invisible control character (NUL) from this."),
    ("radius", "far", "Not a valid integer value."),
    ("radius", "0", "Choose a distance from 1 to 100 miles."),
    ("radius", "250", "Choose a distance from 1 to 100 miles."),
    ("day", "funday", "Choose days from the list."),
    ("time", "midnight", "Choose a time of day from the list."),
    ("type", "course", "Choose a kind of meeting from the list."),  # no synonyms: see SearchForm.validate_type
    ("type", "<script>", "Choose a kind of meeting from the list."),
    ("mode", "teleport", "Choose in person or online."),
    ("page", "0", "Page numbers run from 1 to 1000."),
    ("page", "abc", "Not a valid integer value."),
    ("page", "99999999999999999999", "Page numbers run from 1 to 1000."),
]
GOOD = [
    "", "near=Perth&radius=25", "near=Perth&radius=1", "day=tue", "day=fri&day=sun", "day=tue&day=", "time=morning",
    "time=evening", "type=programme", "type=cafe", "mode=online", "mode=in_person", "near=Dundee&mode=in_person",
    "page=1", "page=2",
]


@pytest.fixture
def network(make_meeting, make_venue):
    """Perth (a group, a course and a prison session), Dundee, Glasgow and one online meeting."""
    perth = make_venue(lat=PERTH[0], lon=PERTH[1], name="Perth Recovery Hub", town="Perth")
    prison = make_venue(CUSTODY, lat=56.3884, lon=-3.4335, name="HMP Perth", town="Perth")
    dundee = make_venue(lat=DUNDEE[0], lon=DUNDEE[1], name="Wellgate", town="Dundee")
    glasgow = make_venue(lat=GLASGOW[0], lon=GLASGOW[1], name="Renfield Centre", town="Glasgow")
    return [
        make_meeting("Perth Tuesday SMART", venue=perth),
        make_meeting("Perth course", venue=perth, kind="programme", weekday=3, start_time=time(10, 0),
                     starts_on=date.today(), session_count=10),
        make_meeting("HMP Perth SMART group", venue=prison),
        make_meeting("Wellgate Café", venue=dundee, kind="cafe", weekday=4, start_time=time(11, 0)),
        make_meeting("Glasgow Wednesday SMART", venue=glasgow, weekday=2, start_time=time(19, 0)),
        make_meeting("SMART Online Sunday", online_url="https://meet.example.org/x", weekday=6),
    ]


def page_text(body: str) -> str:
    """The page as a person reads it."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def query(name: str, value: str) -> dict[str, str]:
    """One filter as query arguments (the client encodes them, NUL included)."""
    return {name: value}


@pytest.mark.parametrize(("name", "value", "message"), BAD)
def test_the_page_shows_the_message_beside_the_field_and_no_list(client, network, name, value, message):
    """The form comes back with the message; no list pretends the filter applied, and no feed is offered."""
    response = client.get("/meetings", query_string=query(name, value))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert message in page_text(body)
    assert "meeting-list" not in body and "Perth Tuesday SMART" not in body
    assert "No meetings listed: this filter was not understood" in page_text(body)
    assert "Add these to my calendar" not in body and 'type="text/calendar"' not in body
    if name == "page":  # no page box on the form: the summary links to the first page instead
        assert 'href="/meetings">Show the first page</a>' in body
    else:  # beside the field itself, linked from the summary
        assert f'href="#{name}"' in body
        beside = body.split(f'id="{name}-error"', 1)[1].split("</ul>", 1)[0]
        assert message in html.unescape(beside)


def test_the_page_swapped_by_htmx_says_the_same(client, network):
    """A search updated in place (htmx) gets the same summary in the results, never the old list."""
    response = client.get("/meetings?type=course", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert "Choose a kind of meeting from the list." in body and "meeting-list" not in body


@pytest.mark.parametrize(("name", "value", "message"), BAD)
def test_the_feed_is_a_plain_400_naming_the_filter(client, network, name, value, message):
    """A subscription that ignored a filter would fill a calendar with meetings nobody asked for."""
    response = client.get("/feeds/meetings.ics", query_string=query(name, value))
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert f"{name}: {message}" in response.get_data(as_text=True)
    assert b"BEGIN:VCALENDAR" not in response.data


@pytest.mark.parametrize(("name", "value", "message"), BAD)
def test_the_api_is_a_problem_400_with_the_message_per_field(client, network, name, value, message):
    """Problem details naming the field, as before, with the same words as the page and the feed."""
    response = client.get("/api/v1/meetings", query_string=query(name, value))
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert any(message in m for m in response.get_json()["errors"][name])


def test_several_bad_filters_are_each_named(client, network):
    """Every filter not understood is reported at once, not only the first."""
    args = {"type": "course", "mode": "bus", "radius": "far"}
    api = client.get("/api/v1/meetings", query_string=args).get_json()["errors"]
    assert set(api) == {"type", "mode", "radius"}
    feed = client.get("/feeds/meetings.ics", query_string=args).get_data(as_text=True)
    assert all(f"{name}: " in feed for name in args)
    assert "these filters were not understood" in page_text(client.get("/meetings", query_string=args).get_data(as_text=True))


@pytest.mark.parametrize("search", GOOD)
def test_every_caller_finds_the_same_meetings(client, network, search):
    """The same filters mean the same meetings on the page, in the feed and from the API."""
    page = client.get(f"/meetings?{search}")
    assert page.status_code == 200
    on_page = set(listed_slugs(page.get_data(as_text=True)))
    api = client.get(f"/api/v1/meetings?{search}")
    assert api.status_code == 200
    from_api = {m["slug"] for m in api.get_json()["meetings"]}
    feed = client.get(f"/feeds/meetings.ics?{search}")
    assert feed.status_code == 200
    uids = series_uids(feed.data)
    in_feed = {m.slug for m in db.session.scalars(db.select(Meeting)) if meeting_uid(m) in uids}
    assert on_page == from_api == in_feed
    if search == "type=programme":
        assert on_page == {network[1].slug}
    if search == "page=2":
        assert on_page == set()
