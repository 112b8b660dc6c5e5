"""A closed course (by referral) is offered to a pathway only when the person is enrolled on it: enrolling from the
pathway ties their place to it; without that, no proposal, picker or pack ever shows the course."""

from __future__ import annotations

import html
from datetime import time, timedelta

import pytest
from sqlalchemy import select

from recovery_network.courses import services as courses
from recovery_network.courses.models import Enrolment
from recovery_network.extensions import db
from recovery_network.pathways.models import Pathway
from tests.pathways.conftest import RELEASE, TODAY, open_form

COURSE = "Dundee 10-week Recovery Group"


def page(response) -> str:
    """A response's text with entities decoded."""
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def course(setting, make_venue, make_meeting):
    """A referral-only ten-week course in Dundee on Wednesdays, running through the six weeks out; and Dee's
    pathway (to Dundee), opened by the co-ordinator, who stays logged in."""
    hall = make_venue(name="Hilltown Hub", lat=56.4700, lon=-2.9700, town="Dundee", address="5 Hilltown")
    meeting = make_meeting(COURSE, venue=hall, weekday=2, start_time=time(10, 0), kind="programme",
                           starts_on=RELEASE - timedelta(days=14), session_count=10, listing="closed",
                           referral_contact="01382 000 000", organiser=setting["coordinator"])
    return {**setting, "meeting": meeting}


def opened(client, auth, course) -> Pathway:
    """Dee's pathway, opened by the co-ordinator (still logged in)."""
    auth.login(course["coordinator"])
    assert client.post("/pathways/new", data=open_form(course)).status_code == 302
    return db.session.scalar(select(Pathway))


def test_an_unenrolled_pathway_never_sees_the_closed_course(client, auth, course):
    """Not proposed, not among the meetings to choose, refused if posted, and absent from the pack."""
    pathway = opened(client, auth, course)
    assert not [i for i in pathway.items if i.meeting_id == course["meeting"].id]
    body = page(client.get(f"/pathways/{pathway.public_id}"))
    suggestions = body.split('id="suggest-heading"')[1].split("</section>")[0]
    assert "Dundee SMART Monday" in suggestions and COURSE not in suggestions
    first = course["meeting"].starts_on + timedelta(days=21)
    refused = page(client.post(f"/pathways/{pathway.public_id}/items",
                               data={"meeting_id": course["meeting"].id, "occurrence_date": first.isoformat()}))
    assert "That group is by referral: enrol the person on it first." in refused
    db.session.expire_all()
    assert not [i for i in db.session.get(Pathway, pathway.id).items if i.meeting_id == course["meeting"].id]
    pack = page(client.post(f"/pathways/{pathway.public_id}/pack"))
    assert "Hilltown" not in pack and "Recovery group programme" not in pack


def test_enrolling_from_the_pathway_offers_the_course(client, auth, course):
    """Enrolled under the pathway's first name, on the course's register, first among the meetings to choose;
    once added it is in the plan and the pack."""
    pathway = opened(client, auth, course)
    body = page(client.get(f"/pathways/{pathway.public_id}"))
    assert f'<option value="{course["meeting"].id}">{COURSE}</option>' in body
    response = client.post(f"/pathways/{pathway.public_id}/courses", data={"meeting_id": course["meeting"].id})
    assert response.status_code == 302
    place = db.session.scalar(select(Enrolment))
    assert place.name == "Dee" and place.pathway_id == pathway.id and place.status == "enrolled"
    body = page(client.get(f"/pathways/{pathway.public_id}"))
    assert f"{COURSE}: enrolled" in body
    suggestions = body.split('id="suggest-heading"')[1].split("</section>")[0]
    assert suggestions.index(COURSE) < suggestions.index("Dundee SMART Monday")
    day = next(s for s in courses.sessions(course["meeting"]) if s.start.date() > RELEASE).original_start.date()
    assert client.post(f"/pathways/{pathway.public_id}/items", data={
        "meeting_id": course["meeting"].id, "occurrence_date": day.isoformat()}).status_code == 302
    pack = page(client.post(f"/pathways/{pathway.public_id}/pack"))
    assert "Recovery group programme" in pack and "5 Hilltown" in pack


def test_a_place_already_held_is_linked_not_doubled_and_leaving_ends_the_offer(client, auth, course):
    """Dee already on the register: enrolling from the pathway ties that place; once she has left, no offer."""
    place = courses.enrol(course["meeting"], "Dee", course["coordinator"], TODAY)
    db.session.commit()
    pathway = opened(client, auth, course)
    client.post(f"/pathways/{pathway.public_id}/courses", data={"meeting_id": course["meeting"].id})
    assert db.session.scalars(select(Enrolment)).all() == [place]
    db.session.refresh(place)
    assert place.pathway_id == pathway.id
    courses.leave(place, course["coordinator"], TODAY)
    db.session.commit()
    suggestions = page(client.get(f"/pathways/{pathway.public_id}")).split('id="suggest-heading"')[1]
    assert COURSE not in suggestions.split("</section>")[0]


def test_someone_who_does_not_run_the_course_cannot_enrol_from_the_pathway(client, auth, course, make_person):
    """The mentor sees no course to enrol on, and a posted one is refused with words; nothing is stored."""
    pathway = opened(client, auth, course)
    auth.logout()
    auth.login(course["mentor"])
    body = page(client.get(f"/pathways/{pathway.public_id}"))
    assert COURSE not in body
    refused = page(client.post(f"/pathways/{pathway.public_id}/courses", data={"meeting_id": course["meeting"].id}))
    assert "You can't enrol people on that course from here." in refused
    assert db.session.scalar(select(Enrolment)) is None


def test_erasing_the_pathway_leaves_the_course_register_but_unlinks_it(client, auth, course):
    """The course keeps Dee on its register; nothing points at the erased pathway."""
    pathway = opened(client, auth, course)
    client.post(f"/pathways/{pathway.public_id}/courses", data={"meeting_id": course["meeting"].id})
    assert client.post(f"/pathways/{pathway.public_id}/erase").status_code == 303
    place = db.session.scalar(select(Enrolment))
    db.session.refresh(place)
    assert place.name == "Dee" and place.pathway_id is None and db.session.scalar(select(Pathway)) is None
