"""Posting through the organiser's screens: every schedule, edits, pause/end, single dates, validation, access."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, time, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from recovery_network.extensions import db
from recovery_network.meetings.models import Meeting, MeetingChange
from recovery_network.meetings.recurrence import localise, next_occurrences
from recovery_network.meetings.services import local_today
from recovery_network.rota.models import RotaSlot
from recovery_network.venues.models import CUSTODY, Venue

TZ = "Europe/London"


@pytest.fixture
def people(make_person):
    """A facilitator, a second facilitator, a co-ordinator, a peer mentor and a pending facilitator."""
    return {
        "facilitator": make_person("facilitator", first_name="Fiona"),
        "other": make_person("facilitator", first_name="Olly"),
        "coordinator": make_person("coordinator", first_name="Morag"),
        "peer_mentor": make_person("peer_mentor", first_name="Jamie"),
        "pending": make_person("facilitator", status="pending"),
    }


@pytest.fixture
def places(make_venue):
    """A community hall and a prison."""
    return {"hall": make_venue(name="Perth Hall", postcode="PH1 5PE"), "prison": make_venue(CUSTODY, name="HMP Perth")}


def text(response) -> str:
    """The page as a person reads it: tags dropped, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def series(venue: Venue, **overrides) -> dict:
    """A valid posting: weekly on Tuesdays at 18:30 from today, unless overridden."""
    data = {
        "title": "Perth Tuesday SMART", "kind": "smart", "venue_id": venue.id, "online_url": "",
        "frequency": "weekly", "weekday": 1, "week_of_month": 1, "start_time": "18:30", "duration_minutes": 90,
        "starts_on": date.today().isoformat(), "ends_on": "", "session_count": "", "description": "Tea from 18:15.",
        "facilitators_needed": 1, "mentors_needed": 0,
    }
    return {**data, **overrides}


def post(client, data: dict) -> Meeting:
    """Post a series through the form and return it."""
    response = client.post("/organise/new", data=data)
    assert response.status_code == 302, text(response)
    return db.session.scalar(select(Meeting).order_by(Meeting.id.desc()))


def ics(client, meeting: Meeting) -> list:
    """The series' public .ics, parsed by icalendar: its VEVENTs, master first."""
    response = client.get(f"/meetings/{meeting.slug}.ics")
    assert response.status_code == 200
    events = Calendar.from_ical(response.get_data()).walk("VEVENT")
    return sorted(events, key=lambda e: "RECURRENCE-ID" in e)


def meeting_count() -> int:
    """How many series exist."""
    return db.session.scalar(select(func.count(Meeting.id)))


def upcoming_dates(meeting: Meeting, n: int = 3) -> list[date]:
    """The original dates of the series' next occurrences."""
    db.session.refresh(meeting)
    occurrences = next_occurrences(meeting.schedule, meeting.change_map(), localise(datetime.now(), TZ), n)
    return [o.original_start.date() for o in occurrences]


@pytest.mark.parametrize("overrides, rule_words, rrule", [
    ({}, "Every Tuesday", {"FREQ": ["WEEKLY"], "BYDAY": ["TU"]}),
    ({"frequency": "fortnightly"}, "Every other Tuesday", {"FREQ": ["WEEKLY"], "INTERVAL": [2], "BYDAY": ["TU"]}),
    ({"frequency": "monthly", "week_of_month": 2}, "The 2nd Tuesday of each month", {"FREQ": ["MONTHLY"], "BYDAY": ["2TU"]}),
    ({"session_count": 10, "kind": "programme"}, "Every Tuesday, 10 sessions", {"FREQ": ["WEEKLY"], "BYDAY": ["TU"], "COUNT": [10]}),
    ({"ends_on": (date.today() + timedelta(days=90)).isoformat()}, "Every Tuesday", {"FREQ": ["WEEKLY"], "BYDAY": ["TU"]}),
])
def test_each_schedule_posts_to_the_public_page_and_calendar(client, auth, people, places, overrides, rule_words, rrule):
    """Weekly, fortnightly, monthly nth weekday, a fixed course and a dated end all reach page and .ics."""
    auth.login(people["facilitator"])
    meeting = post(client, series(places["hall"], **overrides))
    assert meeting.organiser_id == people["facilitator"].id
    page = text(client.get(f"/meetings/{meeting.slug}"))
    assert "Perth Tuesday SMART" in page and rule_words in page and "Tea from 18:15." in page
    (event,) = ics(client, meeting)
    assert {k: v for k, v in event["RRULE"].items() if k != "UNTIL"} == rrule
    assert ("UNTIL" in event["RRULE"]) == bool(overrides.get("ends_on"))
    assert event["DTSTART"].dt.time() == time(18, 30) and event["DTSTART"].dt.weekday() == 1
    assert event["DTSTART"].params["TZID"] == TZ
    assert "Perth Tuesday SMART" in text(client.get("/organise/"))


def test_online_only_and_custody_by_a_coordinator(client, auth, people, places):
    """An online meeting needs no venue; a co-ordinator may hold one in a prison, which stays private."""
    auth.login(people["coordinator"])
    online = post(client, series(places["hall"], title="Online SMART", venue_id=0, online_url="https://meet.example.org/smart"))
    assert online.venue_id is None and online.is_online
    custody = post(client, series(places["prison"], title="HMP Perth SMART"))
    assert custody.is_custody and custody.organiser_id == people["coordinator"].id
    assert client.get(f"/meetings/{custody.slug}.ics").status_code == 404
    assert "HMP Perth, Perth (custody)" in text(client.get("/organise/new"))


def test_edit_bumps_sequence_and_keeps_the_url(client, auth, people, places):
    """Calendar apps update because SEQUENCE goes up; the slug (and so every link) stays."""
    auth.login(people["facilitator"])
    meeting = post(client, series(places["hall"]))
    assert ics(client, meeting)[0]["SEQUENCE"] == 0
    response = client.post(f"/organise/meetings/{meeting.slug}/edit",
                           data=series(places["hall"], title="Perth Tuesday SMART (new time)", start_time="19:00"))
    assert response.status_code == 302
    (event,) = ics(client, meeting)
    assert event["SEQUENCE"] == 1 and event["DTSTART"].dt.time() == time(19, 0)
    assert "Perth Tuesday SMART (new time)" in text(client.get(f"/meetings/{meeting.slug}"))


def test_pause_hides_from_search_and_feeds_but_the_page_says_paused(client, auth, people, places):
    """A paused series leaves search and the search feed; its own page stays, marked paused; resume restores it."""
    auth.login(people["facilitator"])
    meeting = post(client, series(places["hall"]))
    assert "Perth Tuesday SMART" in text(client.get("/meetings?radius=100"))
    assert client.post(f"/organise/meetings/{meeting.slug}/status", data={"action": "pause"}).status_code == 302
    assert "Perth Tuesday SMART" not in text(client.get("/meetings?radius=100"))
    assert b"Perth Tuesday SMART" not in client.get("/feeds/meetings.ics").get_data()
    assert "Paused" in text(client.get(f"/meetings/{meeting.slug}"))
    client.post(f"/organise/meetings/{meeting.slug}/status", data={"action": "resume"})
    assert "Perth Tuesday SMART" in text(client.get("/meetings?radius=100"))


def test_end_stops_the_rule_today_and_is_final(client, auth, people, places):
    """Ending sets the last date to today, keeps the series in its .ics with UNTIL, and cannot be undone."""
    auth.login(people["facilitator"])
    meeting = post(client, series(places["hall"], starts_on=(date.today() - timedelta(days=60)).isoformat(),
                                  session_count=40))
    client.post(f"/organise/meetings/{meeting.slug}/status", data={"action": "end"})
    db.session.refresh(meeting)
    assert meeting.status == "ended" and meeting.ends_on == local_today(meeting) and meeting.session_count is None
    assert meeting.finishes_on <= meeting.ends_on
    (event,) = ics(client, meeting)
    assert "UNTIL" in event["RRULE"] and "COUNT" not in event["RRULE"] and event["SEQUENCE"] == 1
    assert "Finished" in text(client.get(f"/meetings/{meeting.slug}"))
    again = client.post(f"/organise/meetings/{meeting.slug}/status", data={"action": "resume"})
    assert again.status_code == 200 and "This series has ended" in text(again)


def test_ending_a_series_before_it_begins_cancels_its_only_date(client, auth, people, places):
    """A feed cannot hold a rule with no dates, so the first date stays and is cancelled."""
    auth.login(people["facilitator"])
    meeting = post(client, series(places["hall"], starts_on=(date.today() + timedelta(days=30)).isoformat()))
    client.post(f"/organise/meetings/{meeting.slug}/status", data={"action": "end"})
    (event,) = ics(client, meeting)
    assert len(event.exdates) == 1 and event.exdates[0].date() == meeting.ends_on


def test_cancel_one_date_shows_the_reason_and_an_exdate(client, auth, people, places):
    """The public page says 'Cancelled — reason'; the .ics excludes that date; restore brings it back."""
    auth.login(people["facilitator"])
    meeting = post(client, series(places["hall"]))
    on = upcoming_dates(meeting)[1]
    response = client.post(f"/organise/meetings/{meeting.slug}/cancel",
                           data={"date": on.isoformat(), "reason": "Hall closed for repairs"})
    assert response.status_code == 302
    assert "Cancelled — Hall closed for repairs" in text(client.get(f"/meetings/{meeting.slug}"))
    (event,) = ics(client, meeting)
    assert [d.date() for d in event.exdates] == [on] and event["SEQUENCE"] == 1
    client.post(f"/organise/meetings/{meeting.slug}/restore", data={"date": on.isoformat()})
    assert ics(client, meeting)[0].exdates == []


def test_move_one_date_writes_a_recurrence_id_override(client, auth, people, places):
    """A date moved to the next evening is an override of that slot, at its new time, with the reason shown."""
    auth.login(people["facilitator"])
    meeting = post(client, series(places["hall"]))
    on = upcoming_dates(meeting)[1]
    response = client.post(f"/organise/meetings/{meeting.slug}/move", data={
        "date": on.isoformat(), "new_date": (on + timedelta(days=1)).isoformat(), "new_time": "19:00",
        "venue_id": 0, "reason": "Hall booked for a wedding"})
    assert response.status_code == 302
    _master, override = ics(client, meeting)
    assert override["RECURRENCE-ID"].dt == localise(datetime.combine(on, time(18, 30)), TZ)
    assert override["DTSTART"].dt == localise(datetime.combine(on + timedelta(days=1), time(19, 0)), TZ)
    assert "Moved" in text(client.get(f"/meetings/{meeting.slug}"))
    assert "Hall booked for a wedding" in text(client.get(f"/meetings/{meeting.slug}"))


@pytest.mark.parametrize("overrides, message", [
    ({"ends_on": (date.today() - timedelta(days=1)).isoformat()}, "The last date must be on or after the first date."),
    ({"session_count": 0}, "A course has between 1 and 520 sessions."),
    ({"session_count": 600}, "A course has between 1 and 520 sessions."),
    ({"session_count": 10, "ends_on": (date.today() + timedelta(days=90)).isoformat()}, "not both"),
    ({"online_url": "http://meet.example.org/smart"}, "The online link must start with https://"),
    ({"venue_id": 0, "online_url": ""}, "Choose a venue or give an online link."),
    ({"title": ""}, "Give the meeting a title."),
    ({"title": "x" * 121}, "Keep the title to 120 characters or fewer."),
    ({"duration_minutes": 5}, "Between 15 and 720 minutes."),
    ({"mentors_needed": 21}, "Between 0 and 20 peer mentors."),
    ({"weekday": 6, "start_time": "01:30", "starts_on": "2027-03-01"}, "01:30 does not exist on Sunday 28 March 2027"),
])
def test_bad_series_input_is_explained_beside_the_field_and_nothing_is_saved(client, auth, people, places, overrides, message):
    """Each mistake gets its own message, the form comes back (422, the refused-form convention), and no series is
    created."""
    auth.login(people["facilitator"])
    response = client.post("/organise/new", data=series(places["hall"], **overrides))
    assert response.status_code == 422
    assert message in text(response)
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert meeting_count() == 0


def test_odd_unicode_in_a_title_is_kept_and_escaped(client, auth, people, places):
    """Accents, emoji and markup survive as text; the slug stays plain ASCII."""
    auth.login(people["facilitator"])
    title = "Café Ünïcødé 🌱 <b>bold</b> & ‘quotes’"
    meeting = post(client, series(places["hall"], title=title))
    assert meeting.title == title and re.fullmatch(r"[a-z0-9-]+", meeting.slug)
    raw = client.get(f"/meetings/{meeting.slug}").get_data(as_text=True)
    assert "<b>bold</b>" not in raw and "&lt;b&gt;bold&lt;/b&gt;" in raw and "Café Ünïcødé 🌱" in raw


def test_a_facilitator_cannot_forge_a_custody_venue(client, auth, people, places):
    """The prison is not offered; posting its id anyway is refused beside the venue field in the very words a
    made-up id gets, so custody venue ids cannot be told apart."""
    auth.login(people["facilitator"])
    assert "HMP Perth" not in text(client.get("/organise/new"))
    response = client.post("/organise/new", data=series(places["prison"]))
    made_up = client.post("/organise/new", data={**series(places["prison"]), "venue_id": places["prison"].id + 99})
    assert response.status_code == made_up.status_code == 422 and "Choose a venue from the list." in text(response)
    assert text(response) == text(made_up)
    assert meeting_count() == 0
    meeting = post(client, series(places["hall"]))
    edited = client.post(f"/organise/meetings/{meeting.slug}/edit", data=series(places["prison"]))
    assert "Choose a venue from the list." in text(edited)
    db.session.refresh(meeting)
    assert meeting.venue_id == places["hall"].id and meeting.sequence == 0


def test_moving_to_a_time_the_clocks_skip_is_refused(client, auth, people, places):
    """01:30 on 28 March 2027 never happens in the UK: the message says so and nothing changes."""
    auth.login(people["facilitator"])
    meeting = post(client, series(places["hall"]))
    on = upcoming_dates(meeting)[0]
    response = client.post(f"/organise/meetings/{meeting.slug}/move", data={
        "date": on.isoformat(), "new_date": "2027-03-28", "new_time": "01:30", "venue_id": 0, "reason": "Clock test"})
    assert response.status_code == 200
    assert "01:30 does not exist on Sunday 28 March 2027: the clocks go forward that night" in text(response)
    assert db.session.scalar(select(func.count(MeetingChange.id))) == 0


@pytest.mark.parametrize("data, message", [
    ({"reason": ""}, "Say why in a few words"),
    ({"reason": "x" * 201}, "Keep the reason under 200 characters."),
    ({"reason": "Not a meeting day", "shift": 1}, "does not meet on"),
])
def test_bad_cancellations_are_explained_and_nothing_is_saved(client, auth, people, places, data, message):
    """A missing or long reason, or a date the series does not meet on, is refused with a message."""
    auth.login(people["facilitator"])
    meeting = post(client, series(places["hall"]))
    on = upcoming_dates(meeting)[0] + timedelta(days=data.pop("shift", 0))
    response = client.post(f"/organise/meetings/{meeting.slug}/cancel", data={"date": on.isoformat(), **data})
    assert response.status_code == 200 and message in text(response)
    assert db.session.scalar(select(func.count(MeetingChange.id))) == 0


def test_fewer_mentors_than_are_signed_up_is_refused_beside_the_field(client, auth, people, places):
    """The rota refuses to shrink below confirmed helpers; the edit saves nothing."""
    auth.login(people["facilitator"])
    meeting = post(client, series(places["hall"], mentors_needed=2))
    db.session.add(RotaSlot(meeting_id=meeting.id, occurrence_date=upcoming_dates(meeting)[0], role="peer_mentor",
                            needed=2, filled=2))
    db.session.commit()
    response = client.post(f"/organise/meetings/{meeting.slug}/edit",
                           data=series(places["hall"], mentors_needed=1, title="Renamed"))
    assert response.status_code == 200 and "already has 2 confirmed peer mentors" in text(response)
    assert 'id="mentors_needed-error"' in response.get_data(as_text=True)
    db.session.refresh(meeting)
    assert (meeting.mentors_needed, meeting.title, meeting.sequence) == (2, "Perth Tuesday SMART", 0)


def test_adding_a_community_venue_geocodes_its_postcode(client, auth, people, places):
    """A postcode places the venue; one that cannot be placed (nor its town) gets the map message."""
    auth.login(people["facilitator"])
    area_id = places["hall"].area_id
    venue = {"name": "Dundee Recovery Café", "address": "1 Nethergate", "town": "Dundee", "postcode": "dd1 4er",
             "area_id": area_id, "accessibility": "Lift to the first floor", "directions": "", "step_free": "y"}
    unplaced = client.post("/organise/venues/new", data={**venue, "postcode": "ZZ9 9ZZ", "town": "Nowhereshire"})
    assert unplaced.status_code == 200
    assert "We couldn't place that address on the map: check the postcode" in text(unplaced)
    assert "doesn't look like a UK postcode" in text(client.post("/organise/venues/new", data={**venue, "postcode": "hello"}))
    response = client.post("/organise/venues/new", data=venue)
    assert response.status_code == 302
    added = db.session.scalar(select(Venue).where(Venue.name == "Dundee Recovery Café"))
    assert added.setting == "community" and added.postcode == "DD1 4ER" and added.step_free
    assert 56.4 < added.latitude < 56.5 and -3.1 < added.longitude < -2.9
    assert f"venue={added.id}" in response.headers["Location"]


def test_my_sessions_lists_my_own_and_coordinators_see_all(client, auth, people, places):
    """A facilitator's list is theirs; a co-ordinator sees everyone's and can narrow to their own."""
    auth.login(people["facilitator"])
    post(client, series(places["hall"], title="Fiona's group"))
    auth.logout()
    auth.login(people["other"])
    post(client, series(places["hall"], title="Olly's group"))
    mine = text(client.get("/organise/?show=all"))
    assert "Olly's group" in mine and "Fiona's group" not in mine
    auth.logout()
    auth.login(people["coordinator"])
    everyone = text(client.get("/organise/"))
    assert "Olly's group" in everyone and "Fiona's group" in everyone and "Organiser: Fiona K." in everyone
    assert "Olly's group" not in text(client.get("/organise/?show=mine"))


def test_another_facilitators_series_does_not_exist_for_me(client, auth, people, places):
    """Every screen and action on someone else's series is a 404, and nothing changes."""
    auth.login(people["other"])
    meeting = post(client, series(places["hall"]))
    on = upcoming_dates(meeting)[0].isoformat()
    auth.logout()
    auth.login(people["facilitator"])
    base = f"/organise/meetings/{meeting.slug}"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/edit").status_code == 404
    assert client.post(f"{base}/edit", data=series(places["hall"], title="Hijacked")).status_code == 404
    assert client.post(f"{base}/status", data={"action": "end"}).status_code == 404
    assert client.post(f"{base}/cancel", data={"date": on, "reason": "No"}).status_code == 404
    assert client.post(f"{base}/move", data={"date": on, "new_date": on, "new_time": "20:00", "reason": "No"}).status_code == 404
    db.session.refresh(meeting)
    assert (meeting.title, meeting.status, meeting.sequence, meeting.changes) == ("Perth Tuesday SMART", "active", 0, [])


@pytest.mark.parametrize("who, expected", [("anonymous", 302), ("peer_mentor", 404), ("pending", 404)])
def test_only_approved_facilitators_and_coordinators_get_in(client, auth, people, places, who, expected):
    """Anonymous people are sent to log in; anyone else without the role finds nothing here."""
    if who != "anonymous":
        auth.login(people[who])
    for method, url in (("GET", "/organise/"), ("GET", "/organise/new"), ("POST", "/organise/new"),
                        ("GET", "/organise/venues/new")):
        response = client.open(url, method=method, data=series(places["hall"]) if method == "POST" else None)
        assert response.status_code == expected, url
        if expected == 302:
            assert "/account/login" in response.headers["Location"]
    assert meeting_count() == 0


def test_nav_links_to_my_sessions_for_facilitators_only(client, auth, people):
    """The link appears for those who can use it."""
    auth.login(people["facilitator"])
    assert "My sessions" in text(client.get("/"))
    auth.logout()
    auth.login(people["peer_mentor"])
    assert "My sessions" not in text(client.get("/"))


def test_the_series_page_offers_each_of_the_next_eight_dates(client, auth, people, places):
    """Eight dates, each with its own cancel and move form carrying that date; ids stay unique."""
    auth.login(people["facilitator"])
    meeting = post(client, series(places["hall"]))
    page = client.get(f"/organise/meetings/{meeting.slug}").get_data(as_text=True)
    dates = upcoming_dates(meeting, 8)
    assert page.count(f'action="/organise/meetings/{meeting.slug}/cancel"') == 8
    assert page.count(f'action="/organise/meetings/{meeting.slug}/move"') == 8
    assert all(f'name="date" type="hidden" value="{d.isoformat()}"' in page for d in dates)
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids))


def test_a_date_moves_to_another_community_venue_but_not_into_a_prison(client, auth, people, places, make_venue):
    """The override carries the new venue's address; a prison is refused even for a co-ordinator."""
    church = make_venue(name="St John's Kirk")
    db.session.commit()
    auth.login(people["coordinator"])
    meeting = post(client, series(places["hall"]))
    on = upcoming_dates(meeting)[0]
    move = {"date": on.isoformat(), "new_date": on.isoformat(), "new_time": "18:30", "reason": "Hall flooded"}
    refused = client.post(f"/organise/meetings/{meeting.slug}/move", data={**move, "venue_id": places["prison"].id})
    assert refused.status_code == 200 and "can't move between a prison and the community" in text(refused)
    assert client.post(f"/organise/meetings/{meeting.slug}/move", data={**move, "venue_id": church.id}).status_code == 302
    _master, override = ics(client, meeting)
    assert str(override["LOCATION"]).startswith("St John's Kirk")
    assert "St John's Kirk" in text(client.get(f"/meetings/{meeting.slug}"))


def test_a_coordinator_may_edit_a_facilitators_series_and_the_organiser_stays(client, auth, people, places):
    """Co-ordinators manage every series; the facilitator remains its organiser."""
    auth.login(people["facilitator"])
    meeting = post(client, series(places["hall"]))
    auth.logout()
    auth.login(people["coordinator"])
    form = text(client.get(f"/organise/meetings/{meeting.slug}/edit"))
    assert "Edit Perth Tuesday SMART" in form
    assert client.post(f"/organise/meetings/{meeting.slug}/edit", data=series(places["hall"], mentors_needed=3)).status_code == 302
    db.session.refresh(meeting)
    assert meeting.mentors_needed == 3 and meeting.organiser_id == people["facilitator"].id
