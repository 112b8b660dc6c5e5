"""One answer to 'when and where': the plan, its feed, the pack and the mentor follow every change to a date."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, time, timedelta, timezone

from icalendar import Calendar
from sqlalchemy import select

from recovery_network.extensions import db
from recovery_network.holidays import public_holiday
from recovery_network.meetings.models import Meeting
from recovery_network.pathways.models import Pathway, PathwayItem
from recovery_network.rota.models import OutboxMessage
from tests.conftest import outbox  # noqa: F401  (the folder outbox; the queue is read directly here)
from tests.feeds.icaljs import run_icaljs
from tests.pathways.conftest import RELEASE, TODAY, open_form


def text(response) -> str:
    """The body as a person reads it."""
    return html.unescape(response.get_data(as_text=True))


def opened(client, auth, setting, **overrides) -> Pathway:
    """The co-ordinator opens a pathway through the form."""
    auth.login(setting["coordinator"])
    response = client.post("/pathways/new", data=open_form(setting, **overrides))
    assert response.status_code == 302, text(response)[-2000:]
    return db.session.scalar(select(Pathway))


def feed_link(client, pathway) -> str:
    """A calendar link for the person's phone, as the page shows it once."""
    page = client.post(f"/pathways/{pathway.public_id}/feed").get_data(as_text=True)
    return re.search(r'value="http://localhost(/pathways/feed/[^"]+\.ics)"', page).group(1)


def event_for(body: bytes, item: PathwayItem):
    """The VEVENT for one meeting item, found by its occurrence's UID."""
    events = [e for e in Calendar.from_ical(body).events
              if str(e.get("UID", "")).startswith("") and e.get("DTSTART") is not None]
    from recovery_network.ical.builder import stable_uid

    uid = stable_uid("occurrence", f"{item.meeting_id}/{item.occurrence_date.isoformat()}")
    return next(e for e in events if str(e["UID"]) == uid)


def test_a_cancelled_and_a_moved_date_reach_the_feed_the_page_and_the_mentor_once(client, auth, setting):
    """The facilitator cancels one planned date and moves another: the phone strikes one out and moves the other,
    the pathway page says 'tell Dee' for each, and each supporter gets one email per change."""
    pathway = opened(client, auth, setting)
    link = feed_link(client, pathway)
    first, second = [i for i in pathway.items if i.kind == "community_meeting"][:2]
    body = client.get(link).get_data()
    seq_before = int(event_for(body, first)["SEQUENCE"])
    meeting_a, meeting_b = db.session.get(Meeting, first.meeting_id), db.session.get(Meeting, second.meeting_id)
    client.post(f"/organise/meetings/{meeting_a.slug}/cancel",
                data={"date": first.occurrence_date.isoformat(), "reason": "Hall flooded"})
    new_day = second.occurrence_date + timedelta(days=1)
    client.post(f"/organise/meetings/{meeting_b.slug}/move",
                data={"date": second.occurrence_date.isoformat(), "new_date": new_day.isoformat(),
                      "new_time": "19:15", "venue_id": 0, "reason": "Hall booked"})
    body = client.get(link).get_data()
    cancelled, moved = event_for(body, first), event_for(body, second)
    assert str(cancelled["STATUS"]) == "CANCELLED" and int(cancelled["SEQUENCE"]) > seq_before
    assert moved.decoded("DTSTART").replace(tzinfo=None) == datetime.combine(new_day, time(19, 15))
    # Thunderbird's parser sees the same: the cancelled one marked, the moved one at its new instant.
    window = (datetime.combine(TODAY, time.min, timezone.utc), datetime.combine(RELEASE + timedelta(days=60),
                                                                                time.min, timezone.utc))
    seen = {o["uid"]: o for o in run_icaljs(body, *window)}
    assert seen[str(cancelled["UID"])]["summary"].startswith("CANCELLED")
    assert datetime.fromisoformat(seen[str(moved["UID"])]["start_utc_iso"].replace("Z", "+00:00")) == \
        moved.decoded("DTSTART").astimezone(timezone.utc)
    page = text(client.get(f"/pathways/{pathway.public_id}"))
    assert f"{first.occurrence_date:%a %-d %b} {meeting_a.title} cancelled — tell Dee" in page
    assert f"{meeting_b.title} moved to {new_day:%a %-d %b} 19:15 — tell Dee" in page
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("plan-change:%"))).all()
    recipients = {m.person_id for m in messages}
    assert {setting["mentor"].id, setting["coordinator"].id} <= recipients
    assert len(messages) == 2 * len(recipients)  # one per change per supporter
    assert all("Dee" not in m.body and meeting_a.title not in m.body for m in messages)  # email says only *that*
    # Telling them clears the flag; the feed keeps its higher SEQUENCE.
    client.post(f"/pathways/{pathway.public_id}/items/{first.id}/told")
    page = text(client.get(f"/pathways/{pathway.public_id}"))
    assert "cancelled — tell Dee" not in page and "moved to" in page


def test_rebasing_keeps_hand_chosen_dates_and_asks_about_the_ones_that_no_longer_fit(client, auth, setting):
    """Items tied to release move with it; a chosen date still in the window stays; one outside is kept for a
    decision, never deleted."""
    pathway = opened(client, auth, setting)
    taken = {(i.meeting_id, i.occurrence_date) for i in pathway.items}
    from recovery_network.pathways.planning import suggestions

    choice = suggestions(pathway)[0]
    client.post(f"/pathways/{pathway.public_id}/items",
                data={"meeting_id": choice.key[0], "occurrence_date": choice.key[1].isoformat()})
    assert choice.key not in taken
    chosen = db.session.scalar(select(PathwayItem).where(PathwayItem.chosen.is_(True)))
    gate_before = next(i for i in pathway.items if i.kind == "gate_meet").starts_at
    # A week later: the chosen date is still in the six weeks, and the gate moves.
    client.post(f"/pathways/{pathway.public_id}/release-date", data={"release_date": (RELEASE + timedelta(days=7)).isoformat()})
    db.session.expire_all()
    assert db.session.get(PathwayItem, chosen.id).status == "planned"
    gate = next(i for i in db.session.get(Pathway, pathway.id).items if i.kind == "gate_meet")
    assert gate.starts_at == gate_before + timedelta(days=7)
    # Three months later: the chosen date no longer fits, and is listed to keep or remove.
    later = RELEASE + timedelta(days=90)
    response = client.post(f"/pathways/{pathway.public_id}/release-date", data={"release_date": later.isoformat()},
                           follow_redirects=True)
    db.session.expire_all()
    assert db.session.get(PathwayItem, chosen.id).status == "review"
    page = text(response)
    assert "chosen by hand no longer fit" in page and "No longer in the six weeks" in page
    client.post(f"/pathways/{pathway.public_id}/items/{chosen.id}/keep")
    db.session.expire_all()
    assert db.session.get(PathwayItem, chosen.id).status == "planned"


def test_appointments_are_days_to_confirm_then_real_times_places_and_agencies(client, auth, setting):
    """Proposed appointments are whole days 'to be confirmed' on different days, never a made-up 10:00; the mentor
    gives one a time, an agency and a place, and the phone and the pack show them."""
    pathway = opened(client, auth, setting)
    link = feed_link(client, pathway)
    appointments = [i for i in pathway.items if i.kind == "appointment"]
    assert appointments and all(i.all_day for i in appointments)
    assert len({i.starts_at for i in appointments}) == len(appointments)
    body = client.get(link).get_data()
    all_day = [e for e in Calendar.from_ical(body).events if "Appointment" in str(e["SUMMARY"])]
    assert all_day and all(type(e.decoded("DTSTART")) is date for e in all_day)
    housing = next(i for i in appointments if i.purpose == "housing")
    day = housing.starts_at.astimezone().date()
    response = client.post(f"/pathways/{pathway.public_id}/appointments/{housing.id}", data={
        "kind": "housing", "agency": "Dundee Housing Options", "place": "Dundee House, 50 North Lindsay St",
        "on": day.isoformat(), "at": "11:30", "minutes": "45"})
    assert response.status_code == 302
    body = client.get(link).get_data()
    timed = next(e for e in Calendar.from_ical(body).events if str(e.get("LOCATION", "")).startswith("Dundee House"))
    assert timed.decoded("DTSTART").replace(tzinfo=None) == datetime.combine(day, time(11, 30))
    assert timed.decoded("DTEND") - timed.decoded("DTSTART") == timedelta(minutes=45)
    pack = text(client.post(f"/pathways/{pathway.public_id}/pack"))
    assert "Housing appointment with Dundee Housing Options" in pack and "11:30" in pack


def test_a_bad_appointment_is_refused_beside_its_field_and_nothing_is_lost(client, auth, setting):
    """An unknown kind, a too-long agency and a nonsense day get messages; the plan is as it was."""
    pathway = opened(client, auth, setting)
    before = [(i.id, i.starts_at, i.purpose) for i in pathway.items]
    response = client.post(f"/pathways/{pathway.public_id}/appointments", data={
        "kind": "surgery", "agency": "x" * 200, "on": "31/31/2026", "minutes": "9999"})
    page = text(response)
    assert response.status_code == 200
    assert "Keep it under 80 characters." in page and "Between 5 minutes and 8 hours." in page
    db.session.expire_all()
    assert [(i.id, i.starts_at, i.purpose) for i in db.session.get(Pathway, pathway.id).items] == before


def test_the_plan_books_no_public_holiday_until_the_facilitator_confirms_it(client, auth, setting, make_meeting,
                                                                             make_venue):
    """A Christmas Day café is shown 'check it is on' and not booked; confirmed, it can be booked."""
    christmas = date(TODAY.year, 12, 25) if TODAY + timedelta(days=5) <= date(TODAY.year, 12, 25) \
        else date(TODAY.year + 1, 12, 25)
    hall = make_venue(name="Christmas Hall", lat=56.4590, lon=-2.9880, town="Dundee")
    cafe = make_meeting("Christmas Day café", venue=hall, weekday=christmas.weekday(), start_time=time(12, 0),
                        kind="cafe")
    assert public_holiday(christmas)
    page = text(client.get(f"/meetings/{cafe.slug}"))
    pathway = opened(client, auth, setting, release_date=(christmas - timedelta(days=3)).isoformat())
    assert not any(i.meeting_id == cafe.id and i.occurrence_date == christmas for i in pathway.items)
    if christmas <= TODAY + timedelta(days=42):
        assert "check it is on" in page
    client.post(f"/organise/meetings/{cafe.slug}/confirm", data={"date": christmas.isoformat()})
    db.session.expire_all()
    assert db.session.get(Meeting, cafe.id).occurrence_on(christmas).confirmed
    assert not db.session.get(Meeting, cafe.id).occurrence_on(christmas).holiday


def test_a_plan_opened_late_starts_today(client, auth, setting):
    """Release in three days: nothing inside before today, and a past date cannot be added by hand."""
    soon = TODAY + timedelta(days=3)
    pathway = opened(client, auth, setting, release_date=soon.isoformat())
    now = datetime.now(timezone.utc)
    assert all(i.ends_at > now - timedelta(days=1) for i in pathway.items)
    assert all(i.starts_at.date() >= TODAY for i in pathway.items if not i.all_day)
    meeting = db.session.scalar(select(Meeting).where(Meeting.title == "Dundee SMART Monday"))
    last_monday = TODAY - timedelta(days=TODAY.weekday() or 7)
    page = text(client.post(f"/pathways/{pathway.public_id}/items",
                            data={"meeting_id": meeting.id, "occurrence_date": last_monday.isoformat()}))
    assert "That date has passed." in page


def test_every_id_on_the_pathway_page_is_unique(client, auth, setting):
    """Labels find their fields by id: a repeated id (the contact 'Date' and an appointment's day) sends a screen
    reader, and a click on the label, to the wrong field."""
    pathway = opened(client, auth, setting)
    page = client.get(f"/pathways/{pathway.public_id}").get_data(as_text=True)
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert ids and len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    labels = re.findall(r'<label for="([^"]+)"', page)
    assert set(labels) <= set(ids)


def test_nothing_inside_goes_on_the_phone(client, auth, setting):
    """The feed holds no session inside: there is no phone inside, and a link any supporter may make must not carry
    a prison's session times (the outside review's finding on a community mentor's link)."""
    pathway = opened(client, auth, setting)
    inside = [i for i in pathway.items if i.kind == "custody_session"]
    assert inside
    body = client.get(feed_link(client, pathway)).get_data()
    starts = {e.decoded("DTSTART") for e in Calendar.from_ical(body).events}
    assert not any(i.starts_at in {s for s in starts if isinstance(s, datetime)} for i in inside)
    assert "Session" not in {str(e["SUMMARY"]) for e in Calendar.from_ical(body).events}
