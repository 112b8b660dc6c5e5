"""Establishment staff see their own prison: who is released in the next six weeks (first name, date, mentor,
whether the pack is ready), and a printable day sheet of each session, who is coming in and their clearance,
and the releases and visits that day. Another prison's staff see none of it."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from sqlalchemy import select

from recovery_network.extensions import db
from recovery_network.meetings.models import Meeting
from recovery_network.mentors.models import Clearance
from recovery_network.pathways.models import Pathway
from recovery_network.rota.models import RotaSlot, Signup
from recovery_network.venues.models import CUSTODY
from tests.pathways.conftest import RELEASE, TODAY, next_weekday, open_form


def page(response) -> str:
    """A response's text with entities decoded."""
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def prison_day(client, auth, setting, make_person, make_venue):
    """A pathway for Dee releasing from HMP Perth, its staff, and another prison's staff."""
    auth.login(setting["coordinator"])
    assert client.post("/pathways/new", data=open_form(setting)).status_code == 302
    later = open_form(setting, first_name="Al", release_date=(TODAY + timedelta(weeks=8)).isoformat())
    assert client.post("/pathways/new", data=later).status_code == 302
    auth.logout()
    other_prison = make_venue(CUSTODY, name="HMP Castle Huntly", town="Longforgan")
    return {**setting, "pathway": db.session.scalar(select(Pathway).where(Pathway.first_name == "Dee")),
            "staff": make_person("establishment_staff", first_name="Fiona", establishments=(setting["prison"],)),
            "other_staff": make_person("establishment_staff", first_name="Gus", establishments=(other_prison,)),
            "other_prison": other_prison}


def test_staff_see_releases_in_the_next_six_weeks_with_mentor_and_pack(client, auth, prison_day):
    """Dee (in three weeks) is listed with her date, mentor as first name and initial, and the pack's state;
    Al (eight weeks) is not yet. Marking the pack ready shows at once; a new release date asks for a reprint."""
    auth.login(prison_day["staff"])
    body = page(client.get("/establishment/"))
    assert "Releases in the next six weeks (1)" in body
    assert "Dee" in body and RELEASE.strftime("%a %-d %b %Y") in body and "Jamie K." in body
    assert "Al" not in body.split("Releases in the next six weeks")[1].split("Custody sessions")[0]
    assert "Plan made; pack not ready yet" in body
    auth.logout()
    auth.login(prison_day["mentor"])
    pathway = prison_day["pathway"]
    assert client.post(f"/pathways/{pathway.public_id}/pack-ready", data={"ready": "1"}).status_code == 302
    auth.logout()
    auth.login(prison_day["staff"])
    assert "Ready to leave at the gate" in page(client.get("/establishment/"))
    auth.logout()
    auth.login(prison_day["coordinator"])
    new_date = RELEASE + timedelta(days=7)
    client.post(f"/pathways/{pathway.public_id}/release-date", data={"release_date": new_date.isoformat()})
    auth.logout()
    auth.login(prison_day["staff"])
    body = page(client.get("/establishment/"))
    assert "Plan changed since the pack was ready: reprint it" in body and "Ready to leave at the gate" not in body


def test_another_prisons_staff_see_nothing_of_it(client, auth, prison_day):
    """No Dee on their page; HMP Perth's day sheet is a 404 for them; co-ordinators and admins see it."""
    auth.login(prison_day["other_staff"])
    body = page(client.get("/establishment/"))
    assert "Dee" not in body and "Releases in the next six weeks (0)" in body
    sheet = client.get(f"/establishment/day-sheet?venue={prison_day['prison'].id}&on={RELEASE.isoformat()}")
    assert sheet.status_code == 404
    own = page(client.get("/establishment/day-sheet"))
    assert "HMP Castle Huntly" in own and "HMP Perth" not in own
    auth.logout()
    auth.login(prison_day["coordinator"])
    assert "Dee" in page(client.get("/establishment/"))


def test_an_admin_sees_every_prisons_sheet(client, auth, prison_day, make_person):
    """An admin (no post) chooses any establishment."""
    auth.login(make_person("admin", "coordinator", first_name="Ada"))
    body = page(client.get(f"/establishment/day-sheet?venue={prison_day['prison'].id}&on={RELEASE.isoformat()}"))
    assert "HMP Perth: " + RELEASE.strftime("%A %-d %B %Y") in body and "Release: meet at the gate" in body


def signup(meeting: Meeting, day, person, role: str = "peer_mentor") -> None:
    """A confirmed place on the rota for one occurrence."""
    slot = db.session.scalar(select(RotaSlot).where(RotaSlot.meeting_id == meeting.id,
                                                    RotaSlot.occurrence_date == day, RotaSlot.role == role))
    if slot is None:
        slot = RotaSlot(meeting_id=meeting.id, occurrence_date=day, role=role, needed=3, filled=0)
        db.session.add(slot)
        db.session.flush()
    slot.filled += 1
    db.session.add(Signup(slot_id=slot.id, meeting_id=meeting.id, occurrence_date=day, person_id=person.id,
                          status="confirmed"))
    db.session.commit()


def test_the_day_sheet_lists_each_session_who_comes_in_and_their_clearance(client, auth, prison_day, make_person):
    """Thursday's group at 14:00 in the Chapel: Jamie (cleared), Chris (cleared, expiring in ten days), Pat (not
    cleared that day), each by first name and initial and role; the release day shows Dee at the gate."""
    meeting = db.session.scalar(select(Meeting).where(Meeting.title == "HMP Perth SMART group"))
    meeting.room = "Chapel"
    thursday = next_weekday(TODAY + timedelta(days=1), 3)
    db.session.add(Clearance(person=prison_day["other"], venue=prison_day["prison"], status="approved",
                             valid_from=TODAY - timedelta(days=5), expires_on=thursday + timedelta(days=10)))
    pat = make_person("facilitator", first_name="Pat", last_initial="Q")
    signup(meeting, thursday, prison_day["mentor"])
    signup(meeting, thursday, prison_day["other"])
    signup(meeting, thursday, pat, role="facilitator")
    auth.login(prison_day["staff"])
    body = page(client.get(f"/establishment/day-sheet?venue={prison_day['prison'].id}&on={thursday.isoformat()}"))
    assert "14:00–15:30 · HMP Perth SMART group · Room: Chapel" in body
    rows = body.split("Sessions and who is coming in")[1].split("Releases and visits")[0]
    assert "Jamie K." in rows and "Chris K." in rows and "Pat Q." in rows
    assert "Valid, expires " + (thursday + timedelta(days=10)).strftime("%-d %B %Y") in rows
    assert "Not cleared on this date" in rows and rows.count("Peer mentor") == 2 and "Facilitator" in rows
    assert "Jamie K.</th><td>Peer mentor</td>\n                <td class=\"clearance-valid\">Valid</td>" in rows
    release = page(client.get(f"/establishment/day-sheet?venue={prison_day['prison'].id}&on={RELEASE.isoformat()}"))
    events = release.split("Releases and visits for people on a pathway")[1]
    assert "09:00" in events and "Release: meet at the gate" in events and "Dee" in events
    assert "Al" not in events


def test_the_day_sheet_prints_on_a4_without_the_menus(client, auth, prison_day):
    """The print rules hide the header, menus and the chooser, and set A4 and large type."""
    response = client.get("/static/css/site.css")
    css = response.get_data(as_text=True)
    response.close()
    rules = css.split("The gate's day sheet")[1].split("@media print")[1]
    assert "body:has(.day-sheet) .site-header" in rules and ".sheet-choose { display: none !important; }" in rules
    assert "size: A4" in css and ".day-sheet { font-size: 13pt" in rules


@pytest.mark.parametrize("on, message", [("2026-13-45", "Give the date"), ("1999-01-01", "Give a date between"),
                                         ((TODAY + timedelta(days=400)).isoformat(), "within a year of today")])
def test_a_bad_date_is_explained_beside_the_field(client, auth, prison_day, on, message):
    """Never a 500: a refused form's 422, the message sits by the date, the typed value is kept, and the page
    still has its heading."""
    auth.login(prison_day["staff"])
    response = client.get(f"/establishment/day-sheet?venue={prison_day['prison'].id}&on={on}")
    body = page(response)
    assert response.status_code == 422 and message in body and f'value="{on}"' in body
    assert "<h1>Day sheet</h1>" in body and 'aria-invalid="true" id="on"' in body


def test_staff_change_nothing_on_a_pathway_from_their_prison(app, client, auth, prison_day):
    """Staff see the release on their own page, but every pathway route (its page, contacts, release date,
    pack, erasure, ...) answers them exactly as for a pathway that does not exist, and nothing changes."""
    from tests.test_organisations import routes_taking_ids, url

    pathway = prison_day["pathway"]
    routes = [r for r in routes_taking_ids(app) if r[1].startswith("pathways.")]
    assert len(routes) > 20, routes
    auth.login(prison_day["staff"])
    assert "Dee" in page(client.get("/establishment/"))
    assert f"/pathways/{pathway.public_id}" not in page(client.get("/establishment/"))
    for method, endpoint, arguments in routes:
        real = client.open(url(app, endpoint, arguments, "x", pathway.public_id), method=method,
                           data={"ready": "1", "release_date": RELEASE.isoformat(), "on": TODAY.isoformat()})
        missing = client.open(url(app, endpoint, arguments, "x", "no-such-pathway"), method=method, data={})
        assert real.status_code == missing.status_code == 404, (endpoint, real.status_code)
        assert real.data == missing.data, endpoint
    assert "Dee" not in page(client.get("/pathways/"))
    db.session.expire_all()
    kept = db.session.get(Pathway, pathway.id)
    assert kept is not None and kept.release_date == RELEASE and not kept.pack_ready_at
