"""The JSON API v1: search and detail answer as the public, whoever asks; every error is JSON."""

from __future__ import annotations

from datetime import date, datetime, time, timezone

import pytest

from recovery_network.api import openapi, v1
from recovery_network.extensions import db
from recovery_network.meetings.models import FREQUENCIES
from recovery_network.meetings.services import cancel_occurrence, move_occurrence
from recovery_network.venues.models import CUSTODY

PERTH = (56.3962, -3.4363)
DUNDEE = (56.4640, -2.9690)


@pytest.fixture
def network(make_meeting, make_venue):
    """Perth (community and custody), Dundee, and an online-only meeting."""
    perth = make_venue(lat=PERTH[0], lon=PERTH[1], name="Perth Recovery Hub", town="Perth")
    prison = make_venue(CUSTODY, lat=56.3884, lon=-3.4335, name="HMP Perth", town="Perth")
    dundee = make_venue(lat=DUNDEE[0], lon=DUNDEE[1], name="Wellgate", town="Dundee")
    return {
        "perth": make_meeting("Perth Tuesday SMART", venue=perth),
        "family": make_meeting("Perth Family", venue=perth, kind="family", frequency="fortnightly", weekday=3),
        "custody": make_meeting("HMP Perth SMART group", venue=prison),
        "dundee": make_meeting("Wellgate Café", venue=dundee, kind="cafe", weekday=4, start_time=time(11, 0)),
        "online": make_meeting("SMART Online Sunday", online_url="https://meet.example.org/x", weekday=6),
    }


def slugs(response) -> list[str]:
    """Meeting slugs in a page of results, in order."""
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return [m["slug"] for m in response.get_json()["meetings"]]


def test_near_search_lists_nearest_first_with_distance_and_next_date(client, network):
    """Near Perth within 5 miles: the Perth meetings only, nearest first, never the prison's."""
    response = client.get("/api/v1/meetings?near=Perth&radius=5")
    assert slugs(response) == ["perth-tuesday-smart", "perth-family"]
    body = response.get_json()
    assert body["near"]["label"] == "Perth, Scotland"
    assert (body["page"], body["pages"], body["total"], body["total_is_capped"]) == (1, 1, 2, False)
    assert body["links"]["next"] is None
    first = body["meetings"][0]
    assert first["distance_miles"] < 1 and first["venue"]["town"] == "Perth"
    assert first["schedule"]["rule"] == "Every Tuesday" and first["schedule"]["day"] == "tue"
    assert first["next"]["start"].endswith(("+00:00", "+01:00")) and first["next"]["cancelled"] is False
    assert first["links"]["html"] == "http://localhost/meetings/perth-tuesday-smart"
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("day=tue", {"perth-tuesday-smart"}),
        ("day=thu&day=fri", {"perth-family", "wellgate-cafe"}),
        ("time=morning", {"wellgate-cafe"}),
        ("type=family", {"perth-family"}),
        ("mode=online", {"smart-online-sunday"}),
        ("", {"perth-tuesday-smart", "perth-family", "wellgate-cafe", "smart-online-sunday"}),
    ],
)
def test_filters(client, network, query, expected):
    """The /meetings page's filters, with the same meaning."""
    assert set(slugs(client.get(f"/api/v1/meetings?{query}"))) == expected


def test_custody_never_appears_even_for_a_coordinator(client, auth, network, make_person):
    """A co-ordinator sees custody sessions on the site, but the API always answers as the public."""
    coordinator = make_person("coordinator")
    auth.login(coordinator)
    custody = network["custody"].slug
    assert client.get(f"/meetings/{custody}").status_code == 200  # logged in, and allowed to see it there
    for query in ("", "?near=Perth&radius=5", "?near=56.3884,-3.4335&radius=1", "?day=tue"):
        response = client.get(f"/api/v1/meetings{query}")
        assert custody not in slugs(response)
        assert b"HMP" not in response.get_data()
    assert client.get(f"/api/v1/meetings/{custody}").status_code == 404


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("radius=0", "radius", "Choose a distance from 1 to 100 miles."),
        ("radius=far", "radius", "Not a valid integer value."),
        ("day=someday", "day", "Choose days from the list."),
        ("time=midnight", "time", "Choose a time of day from the list."),
        ("type=bingo", "type", "Choose a kind of meeting from the list."),
        ("mode=telepathy", "mode", "Choose in person or online."),
        ("page=0", "page", "Page numbers run from 1 to 1000."),
        ("near=" + "x" * 101, "near", "Keep it under 100 characters."),
        ("near=Atlantisville", "near", "We could not find “Atlantisville”. Check the spelling, or try a nearby town "
                                       "or a postcode district like PH1."),
    ],
)
def test_bad_filters_get_400_with_a_message_per_field(client, network, query, field, message):
    """Problem details with the field's message, never a page of HTML or a silent 'any'."""
    response = client.get(f"/api/v1/meetings?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert (body["status"], body["title"]) == (400, "Bad Request")
    assert message in body["errors"][field]


def test_detail_has_six_dates_with_offsets_cancellations_and_moves(client, network, monkeypatch):
    """ISO 8601 with the UK offset on each side of the clock change; cancelled and moved dates are marked."""
    monkeypatch.setattr(v1, "now", lambda: datetime(2026, 3, 20, 12, 0, tzinfo=timezone.utc))
    meeting = network["perth"]
    cancel_occurrence(meeting, date(2026, 4, 7), "Hall closed for Easter")
    move_occurrence(meeting, date(2026, 4, 14), datetime(2026, 4, 15, 19, 0), "Moved to Wednesday")
    db.session.commit()
    response = client.get(f"/api/v1/meetings/{meeting.slug}")
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert body["name"] == "Perth Tuesday SMART" and body["kind_name"] == "SMART Recovery meeting"
    assert "what_to_expect" in body and body["status"] == "active"
    upcoming = body["upcoming"]
    assert [o["start"] for o in upcoming] == [
        "2026-03-24T18:30:00+00:00", "2026-03-31T18:30:00+01:00", "2026-04-07T18:30:00+01:00",
        "2026-04-15T19:00:00+01:00", "2026-04-21T18:30:00+01:00", "2026-04-28T18:30:00+01:00",
    ]
    assert upcoming[0]["end"] == "2026-03-24T20:00:00+00:00"
    assert (upcoming[2]["cancelled"], upcoming[2]["reason"]) == (True, "Hall closed for Easter")
    assert (upcoming[3]["moved"], upcoming[3]["original_start"]) == (True, "2026-04-14T18:30:00+01:00")


def test_unknown_and_custody_slugs_get_the_same_json_404(client, network):
    """Nothing in the answer tells a custody slug from a made-up one."""
    custody = client.get(f"/api/v1/meetings/{network['custody'].slug}")
    missing = client.get("/api/v1/meetings/no-such-meeting")
    assert custody.status_code == missing.status_code == 404
    assert custody.get_data() == missing.get_data()
    assert custody.mimetype == missing.mimetype == "application/problem+json"
    assert missing.get_json() == {"type": "about:blank", "title": "Not Found", "status": 404}
    assert client.get("/api/v1/no-such-thing").get_json()["status"] == 404


def test_other_methods_get_a_json_405_with_allow(client):
    """Read-only: POST is refused in JSON, saying what is allowed."""
    response = client.post("/api/v1/meetings")
    assert response.status_code == 405 and response.mimetype == "application/problem+json"
    assert "GET" in response.headers["Allow"]


def test_openapi_document_is_served_and_agrees_with_the_models(client):
    """OpenAPI 3.1, describing both endpoints; its enumerations are the models' own."""
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    assert {"/api/v1/meetings", "/api/v1/meetings/{slug}"} <= set(document["paths"])
    assert document == openapi.document()  # what test_schemathesis.py tests against
    assert openapi.FREQUENCIES == FREQUENCIES
