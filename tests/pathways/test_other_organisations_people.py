"""A pathway's mentors and its closed courses come from the organisation that owns it.

Found from outside: Tayside's co-ordinator was offered (and could name) the founding organisation's mentors when
opening a pathway or accepting a referral, and could enrol a Tayside pathway on the founding organisation's
referral-only course. Mentor pickers now list the owning organisation's people only, and a co-ordinator enrols
only on courses their organisations run (another's is found by referral to it).
"""

from __future__ import annotations

import html
from datetime import time, timedelta

from sqlalchemy import func, select

from recovery_network.courses.models import Enrolment
from recovery_network.extensions import db
from recovery_network.organisations.models import Organisation
from recovery_network.pathways.models import Pathway
from recovery_network.types import utcnow
from tests.pathways.conftest import RELEASE, open_form


def page(response) -> str:
    """A response's text with entities decoded."""
    return html.unescape(response.get_data(as_text=True))


def tayside(make_person):
    """Tayside Throughcare and its co-ordinator Tom."""
    theirs = Organisation(name="Tayside Throughcare", kind="throughcare")
    db.session.add(theirs)
    db.session.commit()
    return theirs, make_person("coordinator", first_name="Tom", organisations=[theirs])


def test_another_organisations_mentors_are_neither_offered_nor_accepted(client, auth, setting, make_person):
    """Jamie (founding organisation, cleared for Perth) is not in Tom's pickers, even with 'show others', and a
    posted id for him is refused with nothing opened; Morag still sees and names him."""
    _, tom = tayside(make_person)
    auth.login(tom)
    for url in ("/pathways/new", "/pathways/new?others=1"):
        assert "Jamie" not in page(client.get(url)), url
    refused = client.post("/pathways/new", data=open_form(setting))  # names Jamie as the mentor
    assert refused.status_code == 422 and "Not a valid choice" in page(refused)
    assert db.session.scalar(select(func.count(Pathway.id))) == 0
    auth.logout()
    auth.login(setting["coordinator"])
    assert "Jamie" in page(client.get("/pathways/new"))
    opened = client.post("/pathways/new", data=open_form(setting))
    assert opened.status_code == 302
    body = page(client.get(opened.headers["Location"]))
    assert "Mentor: Jamie K." in body and "K.." not in body  # an initial's full stop ends the sentence too


def test_another_organisations_closed_course_is_not_enrolled_from_a_pathway(client, auth, setting, make_person,
                                                                           make_venue, make_meeting):
    """The founding organisation's referral-only course is not offered on Tom's pathway and a posted enrolment is
    refused with no place taken; Morag enrols her own pathway on it."""
    _, tom = tayside(make_person)
    hall = make_venue(name="Hilltown Hub", lat=56.4700, lon=-2.9700, town="Dundee", address="5 Hilltown")
    course = make_meeting("Dundee 10-week Recovery Group", venue=hall, weekday=2, start_time=time(10, 0),
                          kind="programme", starts_on=RELEASE - timedelta(days=14), session_count=10,
                          listing="closed", referral_contact="01382 000 000", organiser=setting["coordinator"])
    theirs = db.session.scalar(select(Organisation).where(Organisation.name == "Tayside Throughcare"))
    lee = Pathway(public_id="tayside-lee", reference="TT-1", first_name="Lee", establishment=setting["prison"],
                  release_date=RELEASE, destination="Dundee", destination_latitude=56.46, destination_longitude=-2.97,
                  consent_scope="plan", consent_version="test", consent_at=utcnow(), status="open",
                  organisation_id=theirs.id)
    db.session.add(lee)
    db.session.commit()
    offered = f'<option value="{course.id}">{course.title}</option>'
    auth.login(tom)
    assert offered not in page(client.get(f"/pathways/{lee.public_id}"))
    refused = client.post(f"/pathways/{lee.public_id}/courses", data={"meeting_id": course.id})
    assert "You can't enrol people on that course from here." in page(refused)
    assert db.session.scalar(select(func.count(Enrolment.id))) == 0
    auth.logout()
    auth.login(setting["coordinator"])
    assert client.post("/pathways/new", data=open_form(setting)).status_code == 302
    dee = db.session.scalar(select(Pathway).where(Pathway.first_name == "Dee"))
    assert offered in page(client.get(f"/pathways/{dee.public_id}"))
    assert client.post(f"/pathways/{dee.public_id}/courses", data={"meeting_id": course.id}).status_code == 302
