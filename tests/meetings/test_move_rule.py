"""A move must move something: the same time at the same place is refused, in the service and beside the field."""

from __future__ import annotations

import html
import re
from datetime import datetime, time

import pytest
from sqlalchemy import func, select

from recovery_network import demo
from recovery_network.extensions import db
from recovery_network.meetings.models import Meeting, MeetingChange
from recovery_network.meetings.recurrence import next_occurrences
from recovery_network.meetings.services import MoveChangesNothing, move_occurrence
from recovery_network.types import utcnow

TUESDAY = datetime(2026, 3, 10).date()  # a Tuesday of the sample series (weekly, 18:30, from 6 January 2026)


def changes() -> int:
    """How many single-date changes exist."""
    return db.session.scalar(select(func.count(MeetingChange.id)))


def test_a_move_to_the_usual_time_and_place_is_refused(make_meeting):
    """Without a venue, and with the series' own venue named: both change nothing."""
    meeting = make_meeting()
    usual = datetime.combine(TUESDAY, time(18, 30))
    for venue in (None, meeting.venue):
        with pytest.raises(MoveChangesNothing, match="18:30 on Tuesday 10 March at the usual venue"):
            move_occurrence(meeting, TUESDAY, usual, "Training day", venue=venue)
    db.session.rollback()
    assert changes() == 0


def test_an_online_meeting_moved_to_its_own_time_is_refused(make_meeting):
    """An online series has no venue; the same time is still no move."""
    meeting = make_meeting("SMART Online", online_url="https://us02web.zoom.us/j/123", weekday=6,
                           start_time=time(19, 30))
    on = datetime(2026, 3, 15).date()
    with pytest.raises(MoveChangesNothing):
        move_occurrence(meeting, on, datetime.combine(on, time(19, 30)), "Nothing")


@pytest.mark.parametrize("new_start, other_venue", [
    (datetime(2026, 3, 10, 19, 30), False),  # later the same day
    (datetime(2026, 3, 11, 18, 30), False),  # the usual time on another day
    (datetime(2026, 3, 10, 18, 30), True),  # the usual time in another hall
])
def test_a_real_move_is_kept(make_meeting, make_venue, new_start, other_venue):
    """A different time, date or venue each make a real move."""
    meeting = make_meeting()
    venue = make_venue(name="Church hall") if other_venue else None
    change = move_occurrence(meeting, TUESDAY, new_start, "Hall booked", venue=venue)
    db.session.commit()
    assert change.kind == "moved" and change.new_start == new_start and changes() == 1


def test_the_form_puts_the_refusal_beside_the_new_date(client, auth, make_person, make_meeting):
    """The organiser's page comes back (200) with the reason in the move form's error list, and nothing saved."""
    facilitator = make_person("facilitator")
    meeting = make_meeting()
    meeting.organiser_id = facilitator.id
    db.session.commit()
    auth.login(facilitator)
    on = next_occurrences(meeting.schedule, {}, utcnow(), count=2)[1].original_start.date()  # shown on the page
    response = client.post(f"/organise/meetings/{meeting.slug}/move", data={
        "date": on.isoformat(), "new_date": on.isoformat(), "new_time": "18:30", "venue_id": 0,
        "reason": "Training day"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    errors = re.search(r'<ul class="errors" id="new_date[^"]*-error">(.*?)</ul>', page, re.S)
    assert errors is not None, "the message belongs beside the new date"
    assert "already meets" in html.unescape(errors.group(1))
    assert changes() == 0


def test_every_demo_move_changes_the_time_or_the_place(app_ctx):
    """The demo shows real moves (it once 'moved' Glasgow's Wednesday to its own 19:00)."""
    demo.seed(utcnow())
    db.session.commit()
    moved = db.session.scalars(select(MeetingChange).where(MeetingChange.kind == "moved")).all()
    meetings = {c.id: db.session.get(Meeting, c.meeting_id) for c in moved}
    assert {m.slug for m in meetings.values()} >= {"glasgow-smart-wednesday", "dundee-smart-monday"}
    for change in moved:
        meeting = meetings[change.id]
        usual = meeting.occurrence_on(change.original_date).original_start.replace(tzinfo=None)
        assert change.new_start != usual or change.new_venue_id not in (None, meeting.venue_id), meeting.slug
