"""Leaving a course takes its coming sessions out of the plan tied to that place: the plan page, the phone's
feed and the liberation pack stop offering them; sessions already past stay as history; nothing else moves."""

from __future__ import annotations

import html
import re
from datetime import time, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from recovery_network.courses import services as courses
from recovery_network.courses.models import Enrolment
from recovery_network.extensions import db
from recovery_network.ical.builder import stable_uid
from recovery_network.pathways.models import Pathway, PathwayItem
from tests.pathways.conftest import RELEASE, TODAY, next_weekday, open_form

COURSE = "Dundee 12-week Recovery Group"


def page(response) -> str:
    """A response's text with entities decoded."""
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def planned(client, auth, setting, make_venue, make_meeting):
    """A referral-only Wednesday course in Dundee that began three weeks ago; Dee's pathway, enrolled on it from
    the pathway, with two sessions after release chosen in the plan and one already past kept from before."""
    hall = make_venue(name="Hilltown Hub", lat=56.4700, lon=-2.9700, town="Dundee", address="5 Hilltown")
    meeting = make_meeting(COURSE, venue=hall, weekday=2, start_time=time(10, 0), kind="programme",
                           starts_on=next_weekday(TODAY - timedelta(days=21), 2), session_count=12,
                           listing="closed", referral_contact="01382 000 000", organiser=setting["coordinator"])
    auth.login(setting["coordinator"])
    assert client.post("/pathways/new", data=open_form(setting)).status_code == 302
    pathway = db.session.scalar(select(Pathway))
    assert client.post(f"/pathways/{pathway.public_id}/courses", data={"meeting_id": meeting.id}).status_code == 302
    sessions = courses.sessions(meeting)
    coming = [s.original_start.date() for s in sessions if s.start.date() > RELEASE][:2]
    for day in coming:
        assert client.post(f"/pathways/{pathway.public_id}/items", data={
            "meeting_id": meeting.id, "occurrence_date": day.isoformat()}).status_code == 302
    past = next(s for s in sessions if s.start.date() < TODAY)  # went before the plan was made, say
    db.session.add(PathwayItem(pathway_id=pathway.id, kind="community_meeting", meeting_id=meeting.id,
                               occurrence_date=past.original_start.date(), starts_at=past.start, ends_at=past.end,
                               chosen=True))
    db.session.commit()
    feed = re.search(r'value="http://localhost(/pathways/feed/[^"]+\.ics)"',
                     page(client.post(f"/pathways/{pathway.public_id}/feed"))).group(1)
    place = db.session.scalar(select(Enrolment))
    return {**setting, "meeting": meeting, "pathway": pathway, "coming": coming, "past": past.original_start.date(),
            "feed": feed, "place": place}


def uids(body: bytes) -> set[str]:
    """The UIDs of the events a phone's calendar would hold, parsed as the feed tests do."""
    return {str(event["UID"]) for event in Calendar.from_ical(body).events}


def occurrence_uid(meeting, day) -> str:
    """The UID a planned occurrence has in the feed."""
    return stable_uid("occurrence", f"{meeting.id}/{day.isoformat()}")


def course_days(pathway_id: int, meeting_id: int) -> set:
    """The course's dates still in the plan."""
    return set(db.session.scalars(select(PathwayItem.occurrence_date).where(
        PathwayItem.pathway_id == pathway_id, PathwayItem.meeting_id == meeting_id)))


def pack_days(client, pathway) -> str:
    """The liberation pack's day-by-day table, from release on."""
    pack = page(client.post(f"/pathways/{pathway.public_id}/pack"))
    return pack.split('class="pack-days"')[1].split("</table>")[0]


def plan_rows(body: str) -> int:
    """How many rows of the plan on the pathway page are the course's sessions."""
    plan = body.split('id="plan-heading"')[1].split("</table>")[0]
    return plan.count(f"Meeting: {COURSE}")


def leave_through_the_register(client, planned) -> None:
    """The course's organiser marks Dee as having left, on the course's register."""
    response = client.post(f"/organise/meetings/{planned['meeting'].slug}/course/{planned['place'].code}/leave")
    assert response.status_code == 302


def leave_through_the_service(client, planned) -> None:
    """The same through the named operation (as any other caller would)."""
    courses.leave(db.session.get(Enrolment, planned["place"].id), planned["coordinator"], TODAY)
    db.session.commit()


@pytest.mark.parametrize("leave", [leave_through_the_register, leave_through_the_service])
def test_leaving_the_course_takes_its_coming_sessions_out_of_plan_feed_and_pack(client, planned, leave):
    """Before: the plan, feed and pack hold the coming sessions. After: none of them, the past one kept, the
    other meetings in the plan untouched, and the feed's ETag moved on so phones fetch it again."""
    pathway, meeting, coming = planned["pathway"], planned["meeting"], planned["coming"]
    others = {(i.meeting_id, i.occurrence_date) for i in pathway.items if i.meeting_id != meeting.id}
    before = client.get(planned["feed"])
    assert {occurrence_uid(meeting, day) for day in coming} <= uids(before.data)
    assert "5 Hilltown" in pack_days(client, pathway)
    assert plan_rows(page(client.get(f"/pathways/{pathway.public_id}"))) == 3
    assert course_days(pathway.id, meeting.id) == {planned["past"], *coming}
    leave(client, planned)
    db.session.expire_all()
    assert course_days(pathway.id, meeting.id) == {planned["past"]}
    assert {(i.meeting_id, i.occurrence_date) for i in db.session.get(Pathway, pathway.id).items
            if i.meeting_id != meeting.id} == others
    after = client.get(planned["feed"], headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    held = uids(after.data)
    assert not {occurrence_uid(meeting, day) for day in coming} & held
    assert occurrence_uid(meeting, planned["past"]) in held
    body = page(client.get(f"/pathways/{pathway.public_id}"))
    assert plan_rows(body) == 1 and f"{COURSE}: left" in body
    suggestions = body.split('id="suggest-heading"')[1].split("</section>")[0]
    assert COURSE not in suggestions
    days = pack_days(client, pathway)
    assert "130 Perth Road" in days  # the other meetings in the plan are still in the pack
    assert "5 Hilltown" not in days and "Recovery group programme" not in days


def test_leaving_a_place_no_pathway_holds_changes_no_plan(client, planned):
    """Someone else on the same course leaves: Dee's plan keeps every session."""
    meeting, pathway = planned["meeting"], planned["pathway"]
    other = courses.enrol(meeting, "Ash", planned["coordinator"], TODAY)
    db.session.commit()
    courses.leave(other, planned["coordinator"], TODAY)
    db.session.commit()
    assert course_days(pathway.id, meeting.id) == {planned["past"], *planned["coming"]}
