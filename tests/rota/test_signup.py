"""Signing up, the waiting list, eligibility on the session's date, and releases when credentials lapse."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from recovery_network.extensions import db
from recovery_network.mentors.models import Clearance
from recovery_network.rota.models import RotaSlot, Signup
from tests.rota.conftest import TODAY, next_date


def post_signup(client, meeting, on, role="peer_mentor", **extra):
    """POST the sign-up form."""
    return client.post("/rota/signup", data={"meeting_id": meeting.id, "occurrence_date": on.isoformat(),
                                             "role": role, **extra})


def statuses(meeting, on) -> dict[str, str]:
    """Who holds what at an occurrence, by first name."""
    rows = db.session.scalars(select(Signup).where(Signup.meeting_id == meeting.id, Signup.occurrence_date == on)).all()
    for row in rows:
        db.session.refresh(row)
    return {row.person.first_name: row.status for row in rows}


def test_sign_up_fill_queue_and_promote_on_withdraw(client, auth, make_volunteer, community):
    """Two places: the third person waits, and gets in when someone withdraws."""
    on = next_date(community)
    people = [make_volunteer(name) for name in ("Ann", "Ben", "Cat")]
    for person in people:
        auth.login(person)
        post_signup(client, community, on)
        auth.logout()
    assert statuses(community, on) == {"Ann": "confirmed", "Ben": "confirmed", "Cat": "waitlisted"}
    auth.login(people[0])
    ann = db.session.scalar(select(Signup).where(Signup.person_id == people[0].id))
    client.post(f"/rota/signups/{ann.id}/withdraw")
    assert statuses(community, on) == {"Ann": "withdrawn", "Ben": "confirmed", "Cat": "confirmed"}
    slot = db.session.scalar(select(RotaSlot))
    db.session.refresh(slot)
    assert slot.filled == 2


def test_htmx_signup_returns_the_widget_in_its_new_state(client, auth, make_volunteer, community):
    """The widget swaps itself: open → signed up → open again."""
    on = next_date(community)
    auth.login(make_volunteer())
    response = client.post(
        "/rota/signup", data={"meeting_id": community.id, "occurrence_date": on.isoformat(), "role": "peer_mentor"},
        headers={"HX-Request": "true"})
    text_ = response.get_data(as_text=True)
    assert "<html" not in text_ and text_.lstrip().startswith(f'<div class="signup" id="signup-{community.id}-{on}')
    assert "You're on the rota" in html.unescape(text_) and "Withdraw" in text_


def test_the_person_is_never_taken_from_the_form(client, auth, make_volunteer, community):
    """A forged person_id/user_id books the logged-in person, nobody else (allReady's mistake)."""
    on = next_date(community)
    victim, me = make_volunteer("Vic"), make_volunteer("Mo")
    auth.login(me)
    post_signup(client, community, on, person_id=victim.id, user_id=victim.id, person=victim.public_id)
    assert statuses(community, on) == {"Mo": "confirmed"}


def test_double_click_gives_one_place(client, auth, make_volunteer, community):
    """The second identical POST is told they already have a place."""
    on = next_date(community)
    auth.login(make_volunteer())
    post_signup(client, community, on)
    again = post_signup(client, community, on)
    assert again.status_code == 302
    page = html.unescape(client.get("/rota/").get_data(as_text=True))
    assert "You already have a place at this session." in page
    assert db.session.scalar(select(RotaSlot.filled)) == 1


def test_uncleared_volunteer_cannot_take_a_custody_place(client, auth, make_volunteer, custody):
    """No clearance for this establishment → the session does not exist for them, and nothing is taken."""
    auth.login(make_volunteer())
    response = post_signup(client, custody, next_date(custody))
    missing = client.post("/rota/signup", data={"meeting_id": custody.id + 1000,
                                                "occurrence_date": next_date(custody).isoformat(), "role": "peer_mentor"})
    assert response.status_code == 404 and response.get_data() == missing.get_data()
    page = html.unescape(client.get("/rota/").get_data(as_text=True))
    assert custody.title not in page
    assert db.session.scalar(select(Signup)) is None


def test_clearance_expiring_before_the_session_is_refused_though_valid_today(client, auth, make_volunteer, custody, prison):
    """Judged on the session's date: a clearance ending the day before doesn't cover it."""
    on = next_date(custody, 1)
    person = make_volunteer(cleared_for=[prison], clearance_until=on - timedelta(days=1))
    auth.login(person)
    post_signup(client, custody, on)
    assert db.session.scalar(select(Signup)) is None
    ok = make_volunteer("Ok", cleared_for=[prison], clearance_until=on)
    auth.logout()
    auth.login(ok)
    post_signup(client, custody, on)
    assert statuses(custody, on) == {"Ok": "confirmed"}


def test_openings_list_only_what_i_am_eligible_for(client, auth, make_volunteer, community, custody, prison):
    """Sessions that need help are filtered by eligibility on their dates."""
    uncleared = make_volunteer("Una")
    auth.login(uncleared)
    page = client.get("/rota/").get_data(as_text=True)
    assert "Perth Tuesday SMART" in page and "HMP Perth SMART group" not in page
    auth.logout()
    auth.login(make_volunteer("Clea", cleared_for=[prison]))
    assert "HMP Perth SMART group" in client.get("/rota/").get_data(as_text=True)


def test_revoking_clearance_releases_future_places_and_promotes_the_queue(client, auth, make_volunteer, custody,
                                                                            prison, make_person):
    """Revoke → the place is released at once, the next eligible person gets it, the gap shows."""
    on = next_date(custody)
    first = make_volunteer("First", cleared_for=[prison])
    second = make_volunteer("Second", cleared_for=[prison])
    for person in (first, second):
        auth.login(person)
        post_signup(client, custody, on)
        auth.logout()
    assert statuses(custody, on) == {"First": "confirmed", "Second": "waitlisted"}
    coordinator = make_person("coordinator", first_name="Morag")
    auth.login(coordinator)
    clearance = db.session.scalar(select(Clearance).where(Clearance.person_id == first.id))
    client.post(f"/coordinate/clearances/{clearance.id}", data={"status": "revoked"})
    assert statuses(custody, on) == {"First": "released", "Second": "confirmed"}


def test_suspending_a_person_releases_their_places(client, auth, make_volunteer, community, make_person):
    """A suspended volunteer's future places go back to the rota; the co-ordinator sees the gap."""
    on = next_date(community)
    person = make_volunteer("Sus")
    auth.login(person)
    post_signup(client, community, on)
    auth.logout()
    auth.login(make_person("coordinator", first_name="Morag"))
    client.post(f"/coordinate/people/{person.public_id}/status", data={"action": "suspend"})
    assert statuses(community, on) == {"Sus": "released"}
    gaps = client.get("/rota/gaps").get_data(as_text=True)
    assert "Perth Tuesday SMART" in gaps


def test_coordinator_assigns_under_the_same_rule(client, auth, make_volunteer, custody, prison, make_person):
    """Assigning an uncleared person is refused with the reason; a cleared one is confirmed."""
    on = next_date(custody)
    uncleared, cleared = make_volunteer("Una"), make_volunteer("Clea", cleared_for=[prison])
    auth.login(make_person("coordinator"))
    data = {"meeting_id": custody.id, "occurrence_date": on.isoformat(), "role": "peer_mentor"}
    refused = client.post("/rota/assign", data={**data, "person": uncleared.public_id}, follow_redirects=True)
    assert "Una K.: You need approved clearance" in html.unescape(refused.get_data(as_text=True))
    client.post("/rota/assign", data={**data, "person": cleared.public_id})
    assert statuses(custody, on) == {"Clea": "confirmed"}


def test_gaps_list_custody_first(client, auth, community, custody, make_person):
    """Gaps in the next 14 days, custody sessions at the top."""
    auth.login(make_person("coordinator"))
    page = client.get("/rota/gaps").get_data(as_text=True)
    assert page.index("HMP Perth SMART group") < page.index("Perth Tuesday SMART")


def test_withdrawing_someone_elses_place_is_a_404(client, auth, make_volunteer, community):
    """You can only withdraw yourself."""
    on = next_date(community)
    owner, other = make_volunteer("Own"), make_volunteer("Oth")
    auth.login(owner)
    post_signup(client, community, on)
    signup = db.session.scalar(select(Signup))
    auth.logout()
    auth.login(other)
    assert client.post(f"/rota/signups/{signup.id}/withdraw").status_code == 404
    assert statuses(community, on) == {"Own": "confirmed"}


def test_past_and_cancelled_dates_and_not_a_meeting_day(client, auth, make_volunteer, community):
    """No places on a date that has gone, was cancelled, or isn't a meeting day."""
    from recovery_network.meetings.services import cancel_occurrence

    auth.login(make_volunteer())
    on = next_date(community, 1)
    cancel_occurrence(community, on, "Hall closed")
    db.session.commit()
    for date_ in (on, on + timedelta(days=1), TODAY - timedelta(days=7)):
        post_signup(client, community, date_)
    assert db.session.scalar(select(Signup)) is None


def test_the_database_refuses_overbooking_whatever_the_code(community, app_ctx):
    """CHECK (filled <= needed) holds even for a hand-written UPDATE."""
    db.session.add(RotaSlot(meeting_id=community.id, occurrence_date=TODAY, role="peer_mentor", needed=2, filled=2))
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE rota_slots SET filled = 3"))
        db.session.flush()
    db.session.rollback()


def test_lowering_places_below_confirmed_helpers_is_refused(make_volunteer, community, app_ctx):
    """resize_future_slots refuses to strand confirmed people; raising it promotes the queue."""
    from recovery_network.rota.services import CapacityBelowSignups, resize_future_slots, sign_up
    from recovery_network.types import utcnow

    on = next_date(community)
    people = [make_volunteer(n) for n in ("A", "B", "C")]
    for p in people:
        sign_up(p, community, on, "peer_mentor", by=p, now=utcnow())
    db.session.commit()
    community.mentors_needed = 1
    with pytest.raises(CapacityBelowSignups, match="already has 2 confirmed"):
        resize_future_slots(community, TODAY)
    db.session.rollback()
    community.mentors_needed = 3
    resize_future_slots(community, TODAY)
    db.session.commit()
    assert set(statuses(community, on).values()) == {"confirmed"}


def test_cancelling_a_date_or_ending_the_series_releases_its_places(make_volunteer, community, app_ctx):
    """Nobody is left on the rota for a date that won't happen."""
    from recovery_network.meetings.services import cancel_occurrence, set_status
    from recovery_network.rota.services import sign_up
    from recovery_network.types import utcnow

    first, second = next_date(community), next_date(community, 1)
    person = make_volunteer()
    for on in (first, second):
        sign_up(person, community, on, "peer_mentor", by=person, now=utcnow())
    db.session.commit()
    cancel_occurrence(community, first, "Hall closed")
    db.session.commit()
    assert statuses(community, first) == {"Jamie": "released"}
    set_status(community, "ended", person, today=TODAY)
    db.session.commit()
    assert statuses(community, second) == {"Jamie": "released"}
    assert db.session.scalar(select(func.sum(RotaSlot.filled))) == 0


def test_moving_the_series_to_another_day_releases_places_on_dates_that_no_longer_happen(
        make_volunteer, community, app_ctx):
    """A Tuesday series becomes a Wednesday one: Tuesday places are freed."""
    from dataclasses import replace

    from recovery_network.meetings.services import MeetingDetails, update_meeting
    from recovery_network.rota.services import sign_up
    from recovery_network.types import utcnow

    on = next_date(community)
    person = make_volunteer()
    sign_up(person, community, on, "peer_mentor", by=person, now=utcnow())
    db.session.commit()
    details = MeetingDetails(title=community.title, kind=community.kind, weekday=2, start_time=community.start_time,
                             starts_on=community.starts_on, venue=community.venue, mentors_needed=2,
                             facilitators_needed=0)
    update_meeting(community, replace(details), person, today=TODAY)
    db.session.commit()
    assert statuses(community, on) == {"Jamie": "released"}
