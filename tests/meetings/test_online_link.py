"""Online links meeting finders believe: the hint lists them, and a facilitator or an import is warned otherwise."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from recovery_network.api.importer import parse_records, read_records
from recovery_network.extensions import db
from recovery_network.meetings.conference import RECOGNISED_HOSTS, finder_warning, provider
from recovery_network.meetings.models import Meeting

TSML_UI = Path(__file__).resolve().parents[3] / "shared" / "vendor" / "tsml-ui" / "app.js"
UNKNOWN = "https://meet.example.org/smart-sunday"


def text(response) -> str:
    """The page as a person reads it."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


@pytest.mark.parametrize("url, name", [
    ("https://us02web.zoom.us/j/84213570912?pwd=abc", "Zoom"),
    ("https://zoom.us/j/1", "Zoom"),
    ("https://meet.google.com/abc-defg-hij", "Google Meet"),
    ("https://teams.microsoft.com/l/meetup-join/x", "Teams"),
    ("https://meet.jit.si/SMARTRecoveryScotlandSunday", "Jitsi"),
    ("https://Meet.Jit.Si:443/Room", "Jitsi"),
    (UNKNOWN, None),
    ("https://fakezoom.us/j/1", None),  # ends with the letters, not the domain
    ("https://zoom.us.example.org/j/1", None),
])
def test_provider_is_the_host_or_a_subdomain_of_a_recognised_one(url, name):
    """Subdomains count (Zoom's regional hosts); look-alike hosts don't."""
    assert provider(url) == name
    assert (finder_warning(url) is None) == (name is not None)


def test_the_list_is_tsml_uis_own():
    """The hosts are read from the vendored TSML UI build, so an update there shows up here."""
    if not TSML_UI.is_file():
        pytest.skip(f"TSML UI's build is not at {TSML_UI} (../shared/vendor/tsml-ui/app.js)")
    found = re.search(r"conference_providers:(\{[^}]*\})", TSML_UI.read_text(encoding="utf-8"))
    assert found, "conference_providers not found in app.js"
    assert json.loads(re.sub(r'([{,])"?([\w.-]+)"?:', r'\1"\2":', found.group(1))) == RECOGNISED_HOSTS


def series(venue_id: int, online_url: str) -> dict:
    """A valid posting with an online link."""
    return {
        "title": "Perth Online SMART", "kind": "smart", "venue_id": venue_id, "online_url": online_url,
        "frequency": "weekly", "weekday": 6, "week_of_month": 1, "start_time": "19:30", "duration_minutes": 90,
        "starts_on": "2026-01-04", "ends_on": "", "session_count": "", "description": "",
        "facilitators_needed": 1, "mentors_needed": 0,
    }


def test_the_hint_lists_the_services_finders_recognise(client, auth, make_person):
    """The posting form says which links finders believe, before anyone types one."""
    auth.login(make_person("facilitator"))
    page = text(client.get("/organise/new"))
    for shown in ("Zoom (zoom.us)", "Google Meet (meet.google.com)", "Jitsi (meet.jit.si)",
                  "Teams (teams.live.com or teams.microsoft.com)"):
        assert shown in page


@pytest.mark.parametrize("url, warned", [(UNKNOWN, True), ("https://us02web.zoom.us/j/84213570912", False)])
def test_posting_an_unrecognised_link_saves_it_with_a_warning(client, auth, make_person, url, warned):
    """Saved either way (the link works on our pages); only the unrecognised host is warned about."""
    auth.login(make_person("facilitator"))
    response = client.post("/organise/new", data=series(0, url), follow_redirects=True)
    assert response.status_code == 200
    assert db.session.scalar(select(Meeting.online_url)) == url
    page = text(response)
    assert ("don't recognise meet.example.org as a video service" in page) is warned
    assert ("show this meeting as inactive" in page) is warned


def test_editing_to_an_unrecognised_link_warns_too(client, auth, make_person, make_meeting):
    """The same warning when a series' link is changed."""
    facilitator = make_person("facilitator")
    meeting = make_meeting(online_url="https://zoom.us/j/1", weekday=6)
    meeting.organiser_id = facilitator.id
    db.session.commit()
    auth.login(facilitator)
    data = series(0, UNKNOWN) | {"title": meeting.title}
    response = client.post(f"/organise/meetings/{meeting.slug}/edit", data=data, follow_redirects=True)
    assert "don't recognise meet.example.org" in text(response)


@pytest.mark.parametrize("url, warned", [(UNKNOWN, True), ("https://meet.google.com/abc-defg-hij", False)])
def test_the_importer_warns_about_an_unrecognised_link(url, warned):
    """An imported row keeps its link, with a warning when finders would call it inactive."""
    record = {"name": "Online group", "slug": "online", "day": 0, "time": "19:30", "conference_url": url}
    (row,) = parse_records(read_records(json.dumps([record]).encode()))
    assert row.online_url == url
    assert any("don't recognise meet.example.org" in w for w in row.warnings) is warned
