"""Destinations anywhere in Great Britain (towns, council areas, postcode districts), and a plan that books only
meetings near the destination: when none is within the set distance it says so, on the plan and in the pack, and
offers online meetings instead of a far one."""

from __future__ import annotations

import html
from datetime import time, timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from recovery_network.extensions import db
from recovery_network.pathways import support
from recovery_network.pathways.models import Pathway
from recovery_network.venues import councils
from recovery_network.venues.geocoding import make_geocoder, resolve_near
from tests.pathways.conftest import RELEASE, TODAY, open_form

SCOTTISH_COUNCILS = {
    "Aberdeen City", "Aberdeenshire", "Angus", "Argyll and Bute", "City of Edinburgh", "Clackmannanshire",
    "Dumfries and Galloway", "Dundee City", "East Ayrshire", "East Dunbartonshire", "East Lothian",
    "East Renfrewshire", "Falkirk", "Fife", "Glasgow City", "Highland", "Inverclyde", "Midlothian", "Moray",
    "Na h-Eileanan an Iar", "North Ayrshire", "North Lanarkshire", "Orkney Islands", "Perth and Kinross",
    "Renfrewshire", "Scottish Borders", "Shetland Islands", "South Ayrshire", "South Lanarkshire", "Stirling",
    "West Dunbartonshire", "West Lothian",
}


def where(text: str):
    """What the offline geocoder makes of a destination: (point, label) or None."""
    return resolve_near(text, make_geocoder())


def test_every_scottish_council_area_resolves_and_a_town_keeps_its_name():
    """All 32 council areas by name; "Stirling" stays the town; other names and English/Welsh councils too."""
    for name in SCOTTISH_COUNCILS:
        found = where(name)
        assert found is not None and "Scotland" in found[1], name
    assert where("Fife")[1] == "Fife council area, Scotland"
    assert where("perth & kinross")[1] == "Perth and Kinross council area, Scotland"
    assert where("Western Isles")[1] == "Na h-Eileanan an Iar council area, Scotland"
    assert where("Stirling")[1] == "Stirling, Scotland"  # the town, not the council's centroid
    assert where("North Yorkshire")[1] == "North Yorkshire council area, England"
    assert where("Kent")[1] == "Kent county, England"
    assert where("Pembrokeshire")[1] == "Pembrokeshire council area, Wales"
    assert where("Sir Benfro")[1] == "Pembrokeshire council area, Wales"
    assert where("Qwxzzy Council") is None
    # Fife's centroid is in Fife (between Glenrothes and Kirkcaldy), and KY1 lies mostly in it.
    fife = councils.find_council("Fife")
    assert 56.0 < fife.latitude < 56.4 and -3.5 < fife.longitude < -2.8 and "KY1" in fife.districts


def open_as_coordinator(client, auth, setting, destination: str, **overrides):
    """Open a pathway to a destination; the response and the pathway (None if refused)."""
    auth.login(setting["coordinator"])
    response = client.post("/pathways/new", data=open_form(setting, destination=destination, **overrides))
    return response, db.session.scalar(select(Pathway))


@pytest.fixture
def far_and_online(setting, make_venue, make_meeting):
    """A Perth meeting (22 miles from KY1), and an online meeting on Wednesdays."""
    perth = make_venue(name="Perth Hall", lat=56.3962, lon=-3.4363, town="Perth", address="2 South Street")
    make_meeting("Perth SMART Tuesday", venue=perth, weekday=1, start_time=time(18, 30))
    make_meeting("SMART Online Wednesday", weekday=2, start_time=time(19, 0), online_url="https://meet.example.org/w")
    return setting


def pack_text(client, pathway) -> str:
    """The printed pack's page text."""
    return html.unescape(client.post(f"/pathways/{pathway.public_id}/pack").get_data(as_text=True))


@pytest.mark.parametrize("destination, shown", [("KY1", "KY1"), ("Fife", "Fife"), ("Stornoway", "Stornoway"),
                                                ("HS1", "HS1")])
def test_nothing_near_says_so_and_offers_online_meetings_never_a_far_one(client, auth, far_and_online,
                                                                          destination, shown):
    """KY1 is 22 miles from Perth: no Perth meeting is booked; the plan and the pack say so and list online ones."""
    response, pathway = open_as_coordinator(client, auth, far_and_online, destination)
    assert response.status_code == 302 and pathway is not None and pathway.destination == destination
    assert not [i for i in pathway.items if i.kind == "community_meeting"]
    message = f"No meeting within 10 miles of {shown} yet — here are online meetings."
    page = html.unescape(client.get(f"/pathways/{pathway.public_id}").get_data(as_text=True))
    assert message in page and "SMART Online Wednesday" in page
    paper = pack_text(client, pathway)
    assert message in paper and "https://meet.example.org/w" in paper and "Wednesdays, 19:00" in paper
    assert "Perth Hall" not in paper and "2 South Street" not in paper
    pdf = client.post(f"/pathways/{pathway.public_id}/pack.pdf")
    words = " ".join(" ".join(p.extract_text() for p in PdfReader(BytesIO(pdf.data)).pages).split())
    assert f"No meeting within 10 miles of {shown} yet" in words and "meet.example.org/w" in words


def test_an_online_meeting_offered_instead_can_be_added(client, auth, far_and_online):
    """The offer is a button: the online meeting's date goes into the plan, and the pack lists it on its day."""
    _, pathway = open_as_coordinator(client, auth, far_and_online, "KY1")
    page = html.unescape(client.get(f"/pathways/{pathway.public_id}").get_data(as_text=True))
    start = page.index("SMART Online Wednesday")
    form = page[start:page.index("</form>", start)]
    meeting_id = form.split('name="meeting_id" value="')[1].split('"')[0]
    day = form.split('name="occurrence_date" value="')[1].split('"')[0]
    response = client.post(f"/pathways/{pathway.public_id}/items", data={"meeting_id": meeting_id,
                                                                       "occurrence_date": day})
    assert response.status_code == 302
    db.session.expire_all()
    assert [i.occurrence_date.isoformat() for i in db.session.get(Pathway, pathway.id).items
            if i.kind == "community_meeting"] == [day]


def test_an_english_district_books_meetings_near_it(client, auth, setting, make_venue, make_meeting):
    """LS1 (Leeds): a Leeds meeting a mile away is booked weekly; no "nothing near" message."""
    leeds = make_venue(name="Leeds Hub", lat=53.8008, lon=-1.5491, town="Leeds", address="1 Park Row")
    make_meeting("Leeds SMART Thursday", venue=leeds, weekday=3, start_time=time(18, 0))
    response, pathway = open_as_coordinator(client, auth, setting, "LS1")
    assert response.status_code == 302
    assert len([i for i in pathway.items if i.kind == "community_meeting"]) >= 5
    page = html.unescape(client.get(f"/pathways/{pathway.public_id}").get_data(as_text=True))
    assert "No meeting within" not in page and "Leeds SMART Thursday" in page


def test_the_distance_is_a_setting(app, client, auth, far_and_online):
    """At 25 miles the Perth meeting is near enough for KY1, and is booked."""
    app.config["PLAN_MEETING_MILES"] = 25
    _, pathway = open_as_coordinator(client, auth, far_and_online, "KY1")
    assert [i for i in pathway.items if i.kind == "community_meeting"]
    page = html.unescape(client.get(f"/pathways/{pathway.public_id}").get_data(as_text=True))
    assert "No meeting within" not in page


def test_home_leave_offers_only_meetings_near_home(client, auth, far_and_online):
    """Home leave near KY1 proposes nothing from Perth, 22 miles off."""
    _, pathway = open_as_coordinator(client, auth, far_and_online, "KY1")
    leave = support.add_leave(pathway, TODAY + timedelta(days=1), min(TODAY + timedelta(days=8),
                                                                      RELEASE - timedelta(days=1)),
                              far_and_online["coordinator"], TODAY)
    db.session.flush()
    assert support.leave_suggestions(pathway)[leave.id] == []


@pytest.mark.parametrize("nonsense", ["Qwxzzy", "Fiife Council Area of Nowhere", "ZZ99"])
def test_nonsense_is_explained_beside_the_field_and_kept(client, auth, setting, nonsense):
    """No pathway; the message sits by the destination field, and what was typed is still there."""
    response, pathway = open_as_coordinator(client, auth, setting, nonsense)
    body = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422 and pathway is None
    assert "We couldn't find that as a town, council area or postcode district in Great Britain." in body
    assert f'value="{nonsense}"' in body


def test_an_areas_council_areas_must_be_ones_we_know_and_are_stored_by_their_name(app_ctx):
    """Coverage takes any GB council area, spelt as people do, and stores its proper name; a made-up one is refused."""
    from recovery_network.venues.areas import AreaRefused, parse_coverage

    assert parse_coverage("perth & kinross\nFife, Glasgow City; north lanarkshire, KY1") == [
        ("council", "Perth and Kinross"), ("council", "Fife"), ("council", "Glasgow City"),
        ("council", "North Lanarkshire"), ("postcode_district", "KY1")]
    with pytest.raises(AreaRefused, match="“Fyfe” is not a council area we know"):
        parse_coverage("Fyfe")
