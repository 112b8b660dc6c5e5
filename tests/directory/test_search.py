"""The public directory: find meetings near a place, filter them, and never see custody sessions."""

from __future__ import annotations

from datetime import time

import pytest

from recovery_network.extensions import db
from recovery_network.meetings.recurrence import next_occurrences
from recovery_network.meetings.services import cancel_occurrence
from recovery_network.types import utcnow
from recovery_network.venues.models import CUSTODY

PERTH = (56.3962, -3.4363)
GLASGOW = (55.8654, -4.2626)
DUNDEE = (56.4640, -2.9690)


@pytest.fixture
def network(make_meeting, make_venue):
    """Meetings in Perth (community and custody), Dundee and Glasgow, plus one online."""
    perth = make_venue(lat=PERTH[0], lon=PERTH[1], name="Perth Recovery Hub", town="Perth")
    prison = make_venue(CUSTODY, lat=56.3884, lon=-3.4335, name="HMP Perth", town="Perth")
    dundee = make_venue(lat=DUNDEE[0], lon=DUNDEE[1], name="Wellgate", town="Dundee")
    glasgow = make_venue(lat=GLASGOW[0], lon=GLASGOW[1], name="Renfield Centre", town="Glasgow")
    return {
        "perth": make_meeting("Perth Tuesday SMART", venue=perth),
        "custody": make_meeting("HMP Perth SMART group", venue=prison),
        "dundee_cafe": make_meeting("Wellgate Café", venue=dundee, kind="cafe", weekday=4, start_time=time(11, 0)),
        "glasgow": make_meeting("Glasgow Wednesday SMART", venue=glasgow, weekday=2, start_time=time(19, 0)),
        "online": make_meeting("SMART Online Sunday", online_url="https://meet.example.org/x", weekday=6),
    }


def titles(response) -> list[str]:
    """Meeting titles in a results list, in order."""
    import re

    return re.findall(r'<h3><a href="/meetings/[^"]+">([^<]+)</a></h3>', response.get_data(as_text=True))


def test_front_page_has_a_labelled_search_form(client):
    """A newcomer lands on one clear search box with a label and a hint."""
    body = client.get("/").get_data(as_text=True)
    assert '<label for="near">Town, postcode district or place</label>' in body
    assert 'action="/meetings"' in body and 'method="get"' in body
    assert "csrf_token" not in body.split("<form", 1)[1].split("</form>", 1)[0]


def test_near_perth_lists_perth_first_and_not_glasgow(client, network):
    """Within 25 miles of Perth: Perth, then Dundee (about 20 miles); Glasgow is too far."""
    response = client.get("/meetings?near=Perth&radius=25")
    assert response.status_code == 200
    assert titles(response) == ["Perth Tuesday SMART", "Wellgate Café"]
    body = response.get_data(as_text=True)
    assert "within 25 miles of Perth" in body


def test_custody_meetings_never_reach_the_public(client, network):
    """Not in search, not in counts, not on a page, not in a feed — a plain 404, as if it never existed."""
    body = client.get("/meetings?near=Perth&radius=100").get_data(as_text=True)
    assert "HMP" not in body
    assert "3 meetings" in body  # Perth, Dundee, Glasgow: the custody one is not counted
    slug = network["custody"].slug
    assert client.get(f"/meetings/{slug}").status_code == 404
    assert client.get(f"/meetings/{slug}.ics").status_code == 404
    missing = client.get("/meetings/no-such-meeting").get_data(as_text=True)
    assert client.get(f"/meetings/{slug}").get_data(as_text=True) == missing
    everything = client.get("/meetings?radius=100").get_data(as_text=True)
    assert "HMP Perth SMART group" not in everything


def test_htmx_request_gets_only_the_results_fragment(client, network):
    """An htmx search swaps just the results element; a normal request gets the whole page."""
    fragment = client.get("/meetings?near=Perth", headers={"HX-Request": "true"})
    text = fragment.get_data(as_text=True)
    assert "<html" not in text
    assert text.lstrip().startswith('<section id="results"')
    assert "Perth Tuesday SMART" in text
    assert "HX-Request" in fragment.headers["Vary"]
    boosted = client.get("/meetings?near=Perth", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.get_data(as_text=True)


@pytest.mark.parametrize(
    "query, expected",
    [
        ("day=fri", ["Wellgate Café"]),
        ("day=wed&day=sun", ["Glasgow Wednesday SMART", "SMART Online Sunday"]),
        ("time=morning", ["Wellgate Café"]),
        ("type=cafe", ["Wellgate Café"]),
        ("mode=online", ["SMART Online Sunday"]),
        ("time=evening&mode=in_person", ["Perth Tuesday SMART", "Glasgow Wednesday SMART"]),
    ],
)
def test_filters(client, network, query, expected):
    """Day, time of day, kind and online/in person each narrow the list."""
    assert titles(client.get(f"/meetings?{query}")) == expected


def test_coordinates_from_near_me(client, network):
    """'Use my location' sends coordinates; they search like a place."""
    response = client.get("/meetings?near=55.8650,-4.2600&radius=5")
    assert titles(response) == ["Glasgow Wednesday SMART"]
    assert "your location" in response.get_data(as_text=True)


def test_postcode_district(client, network):
    """A postcode district is a place too."""
    assert titles(client.get("/meetings?near=PH1&radius=5")) == ["Perth Tuesday SMART"]


def test_unknown_place_gets_a_message_and_suggestions_not_an_error(client, network):
    """A misspelt town is explained beside the field, with places to try."""
    response = client.get("/meetings?near=Dundea")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "We could not find “Dundea”" in body
    assert 'href="/meetings?near=Dundee"' in body


@pytest.mark.parametrize(
    "query, message",
    [
        ("radius=abc", "Not a valid integer value."),
        ("radius=9999", "Choose a distance from 1 to 100 miles."),
        ("day=funday", "Choose days from the list."),
        ("type=%3Cscript%3E", "Choose a kind of meeting from the list."),
        ("time=midnight", "Choose a time of day from the list."),
        ("mode=teleport", "Choose in person or online."),
        ("near=" + "x" * 300, "Keep it under 100 characters."),
    ],
)
def test_bad_input_gets_a_message_beside_the_field(client, network, query, message):
    """Nonsense in the URL never gives a 500: the page explains, and lists nothing the filter did not choose."""
    response = client.get(f"/meetings?{query}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert message in body
    assert "<script>" not in body
    assert titles(response) == []


@pytest.mark.parametrize("page", ["-4", "0", "abc", "99999999999999999999"])
def test_a_nonsense_page_number_is_explained_with_a_link_to_the_first_page(client, network, page):
    """The API and the feed refuse it too: the page says so rather than showing some other page as this one."""
    response = client.get(f"/meetings?page={page}&day=tue")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert titles(response) == []
    assert '<a href="/meetings?day=tue">Show the first page</a>' in body


def test_odd_unicode_and_markup_in_near_is_escaped(client, network):
    """What a person typed is shown back escaped."""
    body = client.get("/meetings?near=%3Cb%3EPérth%E2%80%AE").get_data(as_text=True)
    assert "<b>" not in body
    assert "&lt;b&gt;" in body


def test_paging(client, make_meeting, make_venue):
    """More than a page of results gives Next and Previous links keeping the filters."""
    venue = make_venue()
    for n in range(23):
        make_meeting(f"Meeting {n:02d}", venue=venue)
    first = client.get("/meetings?near=Perth&day=tue")
    assert len(titles(first)) == 20
    assert 'rel="next" href="/meetings?near=Perth&amp;day=tue&amp;page=2"' in first.get_data(as_text=True)
    second = client.get("/meetings?near=Perth&day=tue&page=2")
    assert len(titles(second)) == 3


def test_search_offers_a_calendar_subscription_with_the_same_filters(client, network):
    """Every list is one tap from the phone's calendar."""
    body = client.get("/meetings?near=Perth&day=tue").get_data(as_text=True)
    assert 'href="webcal://localhost/feeds/meetings.ics?near=Perth&amp;day=tue"' in body


def test_detail_shows_next_six_dates_with_cancellation(client, network, app):
    """A cancelled date is shown struck through with its reason, among the next six."""
    meeting = network["perth"]
    upcoming = next_occurrences(meeting.schedule, {}, utcnow(), count=3)
    cancel_occurrence(meeting, upcoming[1].start.date(), "Hall closed for repairs")
    db.session.commit()
    body = client.get(f"/meetings/{meeting.slug}").get_data(as_text=True)
    assert body.count("<li") - body.count('<li class="card"') >= 6
    assert "Cancelled</strong> — Hall closed for repairs" in body
    assert "Every Tuesday" in body and "18:30" in body
    assert f'href="webcal://localhost/meetings/{meeting.slug}.ics"' in body
    assert "A free, friendly group" in body


def test_healthz(client):
    """Health check answers with the database's state and no counts."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "up"}


def test_counting_stops_at_the_cap_and_says_so():
    """Past 1,000 matches the page says 'More than 1,000' and pages stop there (counting more costs, tells nothing)."""
    from recovery_network.meetings.search import COUNT_CAP, Page

    page = Page(results=[], total=COUNT_CAP + 1, page=1, per_page=20)
    assert page.more_than_cap and page.pages == COUNT_CAP // 20
    assert not Page(results=[], total=COUNT_CAP, page=1, per_page=20).more_than_cap
