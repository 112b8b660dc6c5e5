"""Co-ordinators grow the network: prisons (with kind and district), their staff accounts, and areas with coverage.
Bad input is explained beside the field, never a 500; custody venues never reach the public."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from recovery_network.accounts.models import Person
from recovery_network.extensions import db
from recovery_network.venues.models import Area, AreaCoverage, Venue
from tests.conftest import outbox
from tests.meetings.test_posting import text


@pytest.fixture
def coordinator(make_person, auth, app_ctx):
    """A logged-in co-ordinator, and an area to put things in."""
    db.session.add(Area(slug="perth-and-kinross", name="Perth & Kinross"))
    db.session.commit()
    person = make_person("coordinator", first_name="Morag")
    auth.login(person)
    return person


def area_id() -> int:
    """The test area's id."""
    return db.session.scalar(select(Area.id).where(Area.slug == "perth-and-kinross"))


def prison(**overrides) -> dict:
    """A valid new-prison form."""
    return {"name": "HMP Castle Huntly", "town": "Longforgan", "district": "DD2", "kind": "open",
            "area_id": area_id(), **overrides}


def test_a_coordinator_adds_a_prison_placed_by_its_district_and_never_public(client, coordinator):
    """It lands on the map at DD2 with its kind; the public search and pages never show it."""
    response = client.post("/coordinate/establishments", data=prison())
    assert response.status_code == 302
    venue = db.session.scalar(select(Venue).where(Venue.name == "HMP Castle Huntly"))
    assert venue.is_custody and venue.establishment_kind == "open" and venue.postcode == "DD2"
    assert 56.3 < venue.latitude < 56.6 and venue.address == ""
    assert "HMP Castle Huntly" in text(client.get("/coordinate/establishments"))
    client.post("/account/logout")
    assert "Castle Huntly" not in client.get("/meetings").get_data(as_text=True)
    assert client.get(f"/coordinate/establishments/{venue.slug}").status_code in (302, 401, 404)


@pytest.mark.parametrize("overrides, message", [
    ({"district": "ZZ99"}, "Give its postcode district, like PH2"),
    ({"district": "not a place"}, "Just the district, like PH2"),
    ({"district": "Perth"}, "Give its postcode district, like PH2"),
    ({"name": ""}, "Give the establishment's name"),
    ({"town": "x" * 81}, "80 characters at most"),
    ({"kind": "supermax"}, "Not a valid choice"),
    ({"area_id": "999999"}, "Choose the area it is in"),
    ({"area_id": "nonsense"}, "Choose from the list"),
])
def test_bad_prison_input_is_explained_and_nothing_saved(client, coordinator, overrides, message):
    """Each mistake gets its words on the page, with a 200, and no venue is added."""
    response = client.post("/coordinate/establishments", data=prison(**overrides))
    assert response.status_code == 200
    assert message in text(response)
    assert db.session.scalar(select(Venue.id)) is None


def test_staff_accounts_link_existing_people_or_are_created_with_a_set_password_link(client, coordinator, make_person,
                                                                                      app):
    """Linking makes an approved person staff there; a new account is active at once and is emailed a working link."""
    client.post("/coordinate/establishments", data=prison())
    venue = db.session.scalar(select(Venue).where(Venue.name == "HMP Castle Huntly"))
    officer = make_person("facilitator", first_name="Iain")
    pending = make_person(status="pending", first_name="Pat")
    page = text(client.get(f"/coordinate/establishments/{venue.slug}"))
    assert "Iain K." in page and "Pat K." not in page
    client.post(f"/coordinate/establishments/{venue.slug}/staff", data={"person": officer.public_id})
    db.session.refresh(officer)
    assert "establishment_staff" in officer.role_codes and venue.id in officer.establishment_ids
    refused = client.post(f"/coordinate/establishments/{venue.slug}/staff", data={"person": pending.public_id})
    assert "not approved yet" in text(refused)

    made = client.post(f"/coordinate/establishments/{venue.slug}/staff/new",
                       data={"email": "Ruth.Officer@example.org", "first_name": "Ruth", "last_initial": "m"})
    assert made.status_code == 302
    ruth = db.session.scalar(select(Person).where(Person.email == "ruth.officer@example.org"))
    assert ruth.is_approved and ruth.last_initial == "M" and venue.id in ruth.establishment_ids
    mail = outbox(app)[-1]
    assert mail.to == "ruth.officer@example.org"
    link = re.search(r"http://localhost(/account/reset/\S+)", mail.body).group(1)
    client.post("/account/logout")
    assert client.get(link).status_code == 200
    again = client.post(f"/coordinate/establishments/{venue.slug}/staff/new",
                        data={"email": "ruth.officer@example.org", "first_name": "Ruth"})
    assert again.status_code in (302, 401, 404)  # logged out: the screen is not there


def test_a_new_staff_account_refuses_a_taken_or_bad_email(client, coordinator, make_person):
    """An email that has an account already, or is not an email, is explained beside the field."""
    client.post("/coordinate/establishments", data=prison())
    venue = db.session.scalar(select(Venue).where(Venue.name == "HMP Castle Huntly"))
    taken = make_person(first_name="Taken", email="taken@example.org")
    for email, message in ((taken.email, "already has an account"), ("nope", "doesn't look like an email")):
        response = client.post(f"/coordinate/establishments/{venue.slug}/staff/new",
                               data={"email": email, "first_name": "Ruth"})
        assert response.status_code == 200 and message in text(response)


def test_an_area_covers_council_areas_and_districts_each_in_one_area(client, coordinator):
    """Fife and KY1 are accepted anywhere in Great Britain; a district already covered, or unknown, is refused."""
    response = client.post("/coordinate/areas", data={"name": "Fife", "coverage": "Fife\nky1, KY2"})
    assert response.status_code == 302
    coverage = {(c.kind, c.value) for c in db.session.scalars(select(AreaCoverage))}
    assert coverage == {("council", "Fife"), ("postcode_district", "KY1"), ("postcode_district", "KY2")}
    assert "KY1" in text(client.get("/coordinate/areas"))
    for data, message in (({"name": "Kirkcaldy", "coverage": "KY1"}, "KY1 is already covered by Fife"),
                          ({"name": "Nowhere", "coverage": "ZZ99"}, "ZZ99 is not a postcode district we know"),
                          ({"name": "Fife", "coverage": "KY3"}, "There is already an area called Fife"),
                          ({"name": "Odd", "coverage": "<script>"}, "neither a council area"),
                          ({"name": "Empty", "coverage": " , \n"}, "Say what the area covers")):
        refused = client.post("/coordinate/areas", data=data)
        assert refused.status_code == 200 and message in text(refused), data
    assert db.session.scalar(select(Area).where(Area.name == "Kirkcaldy")) is None


def test_only_coordinators_reach_the_network_screens(client, auth, make_person, app_ctx):
    """A facilitator gets the same 404 as for any screen that is not theirs."""
    auth.login(make_person("facilitator"))
    for url in ("/coordinate/establishments", "/coordinate/areas", "/coordinate/clearances"):
        assert client.get(url).status_code == 404


def test_a_coordinator_cannot_make_the_admin_or_themselves_staff(client, coordinator, make_person):
    """Linking staff goes through the rules on roles: a co-ordinator may not add a role to the admin's account, nor
    to their own (the outside review found both through this route)."""
    client.post("/coordinate/establishments", data=prison())
    venue = db.session.scalar(select(Venue).where(Venue.name == "HMP Castle Huntly"))
    admin = make_person("admin", first_name="Ada")
    admin_id, own_id = admin.public_id, coordinator.public_id
    refused = client.post(f"/coordinate/establishments/{venue.slug}/staff", data={"person": admin_id})
    assert "Only an admin can change an admin's account." in text(refused)
    mine = client.post(f"/coordinate/establishments/{venue.slug}/staff", data={"person": own_id})
    assert "Ask another co-ordinator to change your own roles." in text(mine)
    db.session.expire_all()
    for public_id in (admin_id, own_id):
        person = db.session.scalar(select(Person).where(Person.public_id == public_id))
        assert "establishment_staff" not in person.role_codes and venue.id not in person.establishment_ids
