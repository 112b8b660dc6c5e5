"""Pathways end to end through the screens: open, plan, contacts and flags, calendar, re-base, erase."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import inspect, select, text

from recovery_network.audit.models import AuditEvent
from recovery_network.extensions import db
from recovery_network.feeds.models import FeedToken
from recovery_network.holidays import public_holiday
from recovery_network.pathways.models import Pathway, PathwayItem, PathwayTally
from recovery_network.pathways.services import close_and_purge
from recovery_network.rota.feeds import issue_token as issue_rota_token
from tests.feeds.ical_lint import lint
from tests.pathways.conftest import RELEASE, TODAY, open_form


def open_pathway(client, auth, setting, **overrides):
    """Log in as the co-ordinator and open a pathway; returns it."""
    auth.login(setting["coordinator"])
    response = client.post("/pathways/new", data=open_form(setting, **overrides))
    assert response.status_code == 302, html.unescape(response.get_data(as_text=True))[-3000:]
    return db.session.scalar(select(Pathway))


def test_opening_proposes_a_plan(client, auth, setting):
    """Sessions inside weekly before release, the gate meeting, meetings near Dundee weekly, appointments."""
    pathway = open_pathway(client, auth, setting)
    kinds = [i.kind for i in pathway.items]
    assert kinds.count("gate_meet") == 1
    assert kinds.count("appointment") == 4
    # One meeting a week out, except a week whose only meetings fall on public holidays (Christmas, New Year).
    weeks = [[RELEASE + timedelta(days=7 * w + d) for d in range(1, 8)] for w in range(6)]
    open_weeks = sum(1 for days in weeks if any(d.weekday() in (0, 4) and not public_holiday(d) for d in days))
    assert kinds.count("community_meeting") == open_weeks
    assert not any(public_holiday(i.starts_at.date()) for i in pathway.items if i.kind == "community_meeting")
    inside = [i for i in pathway.items if i.kind == "custody_session"]
    assert 2 <= len(inside) <= 6 and all(i.starts_at.date() < RELEASE for i in inside)
    gate = next(i for i in pathway.items if i.kind == "gate_meet")
    assert gate.starts_at.astimezone().date() == RELEASE or gate.starts_at.date() == RELEASE
    assert pathway.reference.startswith("RN-") and pathway.first_name == "Dee"
    page = html.unescape(client.get(f"/pathways/{pathway.public_id}").get_data(as_text=True))
    assert "Dundee SMART Monday" in page and "130 Perth Road" in page


def test_nothing_else_about_the_person_can_be_stored(client, auth, setting):
    """Extra fields (surname, prison number, date of birth, offence) posted to the form are simply not kept."""
    open_pathway(client, auth, setting, surname="Smith", prison_number="A1234", dob="1990-01-01", offence="x")
    row = db.session.execute(text("SELECT * FROM pathways")).mappings().one()
    values = " ".join(str(v) for v in row.values())
    assert "Smith" not in values and "A1234" not in values and "1990-01-01" not in values
    columns = {c["name"] for c in inspect(db.engine).get_columns("pathways")}
    assert not columns & {"surname", "last_name", "prison_number", "date_of_birth", "offence", "notes", "health"}


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"consent_plan": None}, "A pathway needs the person's consent."),
        ({"first_name": "Dee Smith 1990"}, "No numbers"),
        ({"first_name": "Zed Smith-Jones"}, "never a surname"),
        ({"destination": "Nowhereville"}, "We couldn't find that as a town, council area or postcode district"),
        ({"release_date": "2026-02-31"}, "Give the release date"),
        ({"release_date": "2019-01-01"}, "more than a week ago"),
    ],
)
def test_bad_input_is_explained_and_nothing_saved(client, auth, setting, overrides, message):
    """Clear messages beside the fields; no pathway is created."""
    auth.login(setting["coordinator"])
    response = client.post("/pathways/new", data=open_form(setting, **overrides))
    assert response.status_code == 422
    assert message in html.unescape(response.get_data(as_text=True))
    assert db.session.scalar(select(Pathway)) is None


def test_an_uncleared_mentor_is_refused(client, auth, setting):
    """The mentor must be able to meet the person inside before release."""
    auth.login(setting["coordinator"])
    response = client.post("/pathways/new", data=open_form(setting, mentor_id=setting["other"].id))
    assert "Chris K. can't be the mentor" in html.unescape(response.get_data(as_text=True))


def test_only_the_mentor_and_coordinators_see_it_and_every_view_is_audited(client, auth, setting, make_person):
    """Another mentor gets a 404; a view leaves an audit row."""
    pathway = open_pathway(client, auth, setting)
    client.get(f"/pathways/{pathway.public_id}")
    views = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "pathway.view")).all()
    assert views and views[-1].object_id == pathway.id
    auth.logout()
    auth.login(setting["other"])
    assert client.get(f"/pathways/{pathway.public_id}").status_code == 404
    assert "Dee" not in client.get("/pathways/").get_data(as_text=True)
    auth.logout()
    auth.login(setting["mentor"])
    assert client.get(f"/pathways/{pathway.public_id}").status_code == 200
    auth.logout()
    assert client.get(f"/pathways/{pathway.public_id}").status_code == 302


def test_risky_release_days_are_warned(client, auth, setting):
    """A Friday release is flagged on the page."""
    friday = RELEASE + timedelta(days=3)
    pathway = open_pathway(client, auth, setting, release_date=friday.isoformat())
    assert "Release on a Friday" in client.get(f"/pathways/{pathway.public_id}").get_data(as_text=True)


def test_calendar_link_is_neutral_revocable_and_ends_with_the_pathway(client, auth, setting):
    """Neutral titles and each meeting's address; reset kills old links; closing ends the feed."""
    pathway = open_pathway(client, auth, setting)
    page = client.post(f"/pathways/{pathway.public_id}/feed").get_data(as_text=True)
    link = re.search(r'value="http://localhost(/pathways/feed/[^"]+\.ics)"', page).group(1)
    auth.logout()
    body = client.get(link).get_data()
    assert lint(body, private=True) == []
    calendar = Calendar.from_ical(body)
    summaries = {str(e["SUMMARY"]) for e in calendar.events}
    assert summaries <= {"Session", "Meet J.", "Monday group", "Friday group", "Appointment (time to be confirmed)"}
    lowered = body.decode().lower().replace("prodid:-//recovery network//", "prodid:")  # PRODID is never shown
    for word in ("prison", "hmp", "release", "recovery", "smart", "dee", pathway.reference.lower()):
        assert not re.search(rf"\b{re.escape(word)}\b", lowered), word  # whole words: "Dundee" is an address
    assert any("130 Perth Road, Dundee, DD1 4JW" in str(e.get("LOCATION", "")) for e in calendar.events)
    auth.login(setting["coordinator"])
    client.post(f"/pathways/{pathway.public_id}/feed", data={"reset": "1"})
    assert client.get(link).status_code == 404
    db.session.refresh(pathway)
    close_and_purge(RELEASE + timedelta(days=43), 90)
    db.session.commit()
    assert all(t.revoked_at is not None for t in pathway.feed_tokens)


def test_missed_contact_raises_a_flag_and_a_recorded_one_clears_it(client, auth, setting, monkeypatch):
    """No contact within 2 days of release → flagged for action; 'met' records clear it."""
    pathway = open_pathway(client, auth, setting, release_date=(TODAY - timedelta(days=5)).isoformat())
    listing = html.unescape(client.get("/pathways/").get_data(as_text=True))
    assert "No contact within 2 days of release." in listing
    for days_ago in (4, 0):
        client.post(f"/pathways/{pathway.public_id}/contacts",
                    data={"on": (TODAY - timedelta(days=days_ago)).isoformat(), "mode": "face_to_face"})
    listing = html.unescape(client.get("/pathways/").get_data(as_text=True))
    assert "No contact" not in listing
    future = client.post(f"/pathways/{pathway.public_id}/contacts",
                         data={"on": (TODAY + timedelta(days=3)).isoformat(), "mode": "face_to_face"})
    assert "not a future date" in html.unescape(future.get_data(as_text=True)) and future.status_code == 422


def test_changing_the_release_date_rebases_the_plan(client, auth, setting):
    """Every item moves with the new date."""
    pathway = open_pathway(client, auth, setting)
    new_date = RELEASE + timedelta(days=14)
    client.post(f"/pathways/{pathway.public_id}/release-date", data={"release_date": new_date.isoformat()})
    db.session.refresh(pathway)
    gate = next(i for i in pathway.items if i.kind == "gate_meet")
    assert pathway.release_date == new_date and gate.starts_at.date() == new_date
    assert all(i.starts_at.date() < new_date for i in pathway.items if i.kind == "custody_session")


def test_erase_now_leaves_no_trace_but_an_anonymous_count(client, auth, setting):
    """After erasure no table holds the name, the reference or the release date; tallies remain."""
    pathway = open_pathway(client, auth, setting)
    client.post(f"/pathways/{pathway.public_id}/contacts", data={"on": TODAY.isoformat(), "mode": "face_to_face"})
    page = client.post(f"/pathways/{pathway.public_id}/feed").get_data(as_text=True)
    link = re.search(r'value="http://localhost(/pathways/feed/[^"]+\.ics)"', page).group(1)
    rota_link = issue_rota_token(setting["coordinator"])  # one table holds both kinds: only the plan's go
    db.session.commit()
    assert client.get(link).status_code == 200
    reference, public_id = pathway.reference, pathway.public_id
    assert client.post(f"/pathways/{public_id}/erase").status_code == 303
    db.session.expire_all()
    for table in ("pathways", "pathway_items", "contact_records"):
        assert db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0, table
    assert db.session.scalars(select(FeedToken.person_id)).all() == [setting["coordinator"].id]
    assert client.get(link).status_code == 404
    assert client.get(f"/rota/feed/{rota_link}.ics").status_code == 200
    dump = " ".join(str(v) for row in db.session.execute(text("SELECT * FROM audit_events")).all() for v in row)
    assert reference not in dump and "Dee" not in dump
    tallies = {t.measure: t.count for t in db.session.scalars(select(PathwayTally))}
    assert tallies["opened"] == 1 and tallies["erased"] == 1
    assert client.get(f"/pathways/{public_id}").status_code == 404


def test_closing_and_purging_on_schedule(client, auth, setting, runner):
    """Six weeks after release it closes; 90 days after closing it is erased."""
    open_pathway(client, auth, setting)
    assert close_and_purge(RELEASE + timedelta(days=42), 90) == (0, 0)
    assert close_and_purge(RELEASE + timedelta(days=43), 90) == (1, 0)
    db.session.commit()
    assert close_and_purge(RELEASE + timedelta(days=43 + 90), 90) == (0, 0)
    assert close_and_purge(RELEASE + timedelta(days=43 + 91), 90) == (0, 1)
    db.session.commit()
    assert db.session.scalar(select(PathwayItem)) is None
    result = runner.invoke(args=["purge-pathways"])
    assert result.exit_code == 0 and "0 pathways closed, 0 erased." in result.output
