"""Each bad input the outside review saw answer 500 (issue 11 item 8, issue 15's fuzz): now a message or a 404."""

from __future__ import annotations

from datetime import timedelta

import pytest

from recovery_network.extensions import db
from recovery_network.mentors.models import Clearance, Course, TrainingRecord
from recovery_network.pathways.models import Pathway
from recovery_network.rota.models import Signup
from recovery_network.types import utcnow
from recovery_network.venues.models import CUSTODY
from tests.pathways.conftest import RELEASE, open_form

HUGE = "99999999999999999999"
TODAY = utcnow().date()


@pytest.fixture
def world(make_person, make_venue, make_meeting):
    """An admin co-ordinator with a meeting, a prison, a course, a clearance, a pathway and a rota place."""
    prison = make_venue(CUSTODY, name="HMP Perth", lat=56.3884, lon=-3.4335, town="Perth")
    make_meeting("HMP Perth SMART group", venue=prison, weekday=3)
    dundee = make_venue(name="West End Hall", lat=56.4580, lon=-2.9890, town="Dundee", postcode="DD1 4JW")
    meeting = make_meeting("Dundee SMART Monday", venue=dundee, weekday=0)
    boss = make_person("coordinator", "admin", "facilitator", first_name="Morag")
    mentor = make_person("peer_mentor", first_name="Jamie")
    course = Course(code="PM", name="Peer mentor training", qualifies_for="peer_mentor")
    db.session.add(course)
    training = TrainingRecord(person=mentor, course=course, completed_on=TODAY - timedelta(days=100),
                              status="verified", verified_by_id=boss.id, verified_at=utcnow())
    clearance = Clearance(person=mentor, venue=prison, status="approved", valid_from=TODAY - timedelta(days=50))
    facilitating = Course(code="FT", name="Facilitator training", qualifies_for="facilitator")
    own = TrainingRecord(person=boss, course=facilitating, completed_on=TODAY - timedelta(days=100),
                         status="verified", verified_by_id=mentor.id, verified_at=utcnow())
    db.session.add_all([training, clearance, facilitating, own])
    db.session.commit()
    return {"prison": prison, "meeting": meeting, "boss": boss, "mentor": mentor, "course": course,
            "training": training, "clearance": clearance, "coordinator": boss}


@pytest.fixture
def boss_client(client, auth, world):
    """The test client, logged in as the admin co-ordinator."""
    auth.login(world["boss"])
    return client


def open_pathway(client, world) -> Pathway:
    """Open a pathway through the form, as the co-ordinator."""
    response = client.post("/pathways/new", data=open_form(world))
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalars(db.select(Pathway)).one()


def field_message(response, text: str) -> None:
    """The form came back (200, or 422 for a refusal) with this message on it, so the person sees what to fix."""
    body = response.get_data(as_text=True)
    assert response.status_code in (200, 422), (response.status_code, body[:300])
    assert text in body, body


FAR_DATES = ["9999-12-31", "0001-01-01", "1999-12-31"]


@pytest.mark.parametrize("on", FAR_DATES)
def test_rota_signup_with_a_far_date_is_a_refusal_not_a_500(boss_client, world, on):
    """occurrence_date 9999-12-31 or 0001-01-01 is refused before any date sum can overflow."""
    response = boss_client.post("/rota/signup", data={"meeting_id": world["meeting"].id, "occurrence_date": on,
                                                      "role": "facilitator"})
    assert response.status_code == 400


@pytest.mark.parametrize("meeting_id", [HUGE, "2147483648", "-1", "٣", "３"])
def test_rota_signup_with_an_id_beyond_the_database_is_a_refusal(boss_client, world, meeting_id):
    """A meeting id no database integer can hold (or a non-ASCII one) is refused, not passed to the database."""
    response = boss_client.post("/rota/signup", data={"meeting_id": meeting_id, "occurrence_date": "2026-12-07",
                                                      "role": "facilitator"})
    assert response.status_code in (400, 404)


@pytest.mark.parametrize("url", [
    f"/rota/signups/{HUGE}/withdraw", f"/coordinate/clearances/{HUGE}", f"/coordinate/training/{HUGE}/verified",
    "/rota/signups/2147483648/withdraw",
])
def test_a_huge_id_in_the_url_is_a_404(boss_client, world, url):
    """Every <int:...> in a URL stops at the database's integer range: beyond it nothing exists."""
    assert boss_client.post(url).status_code == 404


def test_the_largest_database_id_still_reaches_the_view(boss_client, world):
    """The bound is the database's, not smaller: 2147483647 is a real (missing) id, answered by the view."""
    assert boss_client.post("/rota/signups/2147483647/withdraw").status_code == 404


@pytest.mark.parametrize("page", [HUGE, "2147483648", "-5", "٣"])
def test_audit_page_beyond_range_is_not_a_500(boss_client, world, page):
    """?page= on the audit log is bounded before it becomes an OFFSET."""
    assert boss_client.get(f"/coordinate/audit?page={page}").status_code in (200, 404)


@pytest.mark.parametrize("page", [HUGE, "2147483648"])
def test_organise_page_beyond_range_is_not_a_500(boss_client, world, page):
    """The same bound on the organisers' list."""
    assert boss_client.get(f"/organise/?page={page}").status_code in (200, 404)


def meeting_form(world, **overrides) -> dict:
    """The new-series form as posted, with overrides."""
    data = {"title": "Dundee Tuesday", "kind": "smart", "venue_id": world["meeting"].venue_id, "online_url": "",
            "frequency": "weekly", "weekday": 1, "week_of_month": 1, "start_time": "18:30", "duration_minutes": 90,
            "starts_on": (TODAY + timedelta(days=7)).isoformat(), "ends_on": "", "session_count": "",
            "description": "", "facilitators_needed": 1, "mentors_needed": 0}
    data.update(overrides)
    return data


@pytest.mark.parametrize(("field", "value", "message"), [
    ("online_url", "https://[::1", "look like a web address"),
    ("duration_minutes", HUGE, "Between 15 and 720 minutes."),
    ("duration_minutes", "1" * 5000, "Between 15 and 720 minutes."),
    ("starts_on", "9999-12-31", "between 1 January 2000 and"),
    ("starts_on", "0001-01-01", "between 1 January 2000 and"),
    ("ends_on", "9999-12-31", "between 1 January 2000 and"),
    ("session_count", HUGE, "A course has between 1 and 520 sessions."),
    ("facilitators_needed", HUGE, "Between 0 and 5 facilitators."),
    ("venue_id", HUGE, "Choose from the list."),
])
def test_new_series_bad_values_get_a_message_beside_the_field(boss_client, world, field, value, message):
    """/organise/new answers a far date, a huge number or a broken link with a message, never a 500."""
    field_message(boss_client.post("/organise/new", data=meeting_form(world, **{field: value})), message)


@pytest.mark.parametrize("action", ["cancel", "move", "restore"])
@pytest.mark.parametrize("year", ["0001", "9999"])
def test_cancel_or_move_a_date_in_year_1_or_9999(boss_client, world, action, year):
    """A per-date form with year 1 or 9999 is refused on the series page."""
    slug = world["meeting"].slug
    data = {"date": f"{year}-01-04", "reason": "Hall closed", "new_date": f"{year}-01-05", "new_time": "18:30",
            "venue_id": 0}
    response = boss_client.post(f"/organise/meetings/{slug}/{action}", data=data)
    field_message(response, "between 1 January 2000 and")


def test_move_to_a_far_new_date_is_refused_beside_it(boss_client, world):
    """A real date moved to 9999 gets the window message, not an overflow."""
    slug = world["meeting"].slug
    on = TODAY + timedelta(days=(0 - TODAY.weekday()) % 7 or 7)
    data = {"date": on.isoformat(), "reason": "Hall closed", "new_date": "9999-12-31", "new_time": "18:30",
            "venue_id": 0}
    field_message(boss_client.post(f"/organise/meetings/{slug}/move", data=data), "between 1 January 2000 and")


@pytest.mark.parametrize("on", ["9999-12-31", "0001-01-01"])
def test_training_completed_on_far_dates(boss_client, world, on):
    """Training completed_on 9999-12-31 gets the window message beside the field."""
    mentor = world["mentor"]
    response = boss_client.post(f"/coordinate/people/{mentor.public_id}/training",
                                data={"course_id": world["course"].id, "completed_on": on})
    field_message(response, "between 1 January 2000 and")


def test_own_training_with_a_far_date(client, auth, world):
    """The same on a volunteer's own register page."""
    auth.login(world["mentor"])
    response = client.post("/my/register", data={"course_id": world["course"].id, "completed_on": "9999-12-31"})
    field_message(response, "between 1 January 2000 and")


def test_clearance_move_with_far_dates(boss_client, world):
    """Clearance dates in year 9999 are refused beside the field."""
    response = boss_client.post(f"/coordinate/clearances/{world['clearance'].id}",
                                data={"status": "approved", "valid_from": "9999-12-31", "expires_on": "9999-12-31"})
    field_message(response, "between 1 January 2000 and")


def test_roles_with_non_ascii_digits_for_a_venue(boss_client, world):
    """A venue id like '²' (a digit to isdigit(), not to int()) is ignored, not a 500."""
    response = boss_client.post(f"/coordinate/people/{world['mentor'].public_id}/roles",
                                data={"role": "peer_mentor", "venue": ["²", HUGE, str(world["prison"].id)]})
    assert response.status_code == 302


@pytest.mark.parametrize("on", ["9999-12-31", "0001-01-01"])
def test_pathway_release_date_far_away(boss_client, world, on):
    """Opening a pathway with a release date in year 9999 gets a message beside the field."""
    field_message(boss_client.post("/pathways/new", data=open_form(world, release_date=on)),
                  "between 1 January 2000 and")


@pytest.mark.parametrize("on", ["9999-12-31", "0001-01-01"])
def test_changing_a_release_date_far_away(boss_client, world, on):
    """Changing the release date to year 9999 gets a message, not an overflow."""
    pathway = open_pathway(boss_client, world)
    field_message(boss_client.post(f"/pathways/{pathway.public_id}/release-date", data={"release_date": on}),
                  "between 1 January 2000 and")


@pytest.mark.parametrize("data", [
    {"meeting_id": HUGE, "occurrence_date": RELEASE.isoformat()},
    {"meeting_id": "1", "occurrence_date": "9999-12-31"},
])
def test_pathway_item_with_huge_ids_or_far_dates(boss_client, world, data):
    """Adding an item with a huge meeting id or a far date is refused."""
    pathway = open_pathway(boss_client, world)
    assert boss_client.post(f"/pathways/{pathway.public_id}/items", data=data).status_code < 500


def test_pathway_item_remove_with_a_huge_id(boss_client, world):
    """Removing an item with an id beyond the database is a 404."""
    pathway = open_pathway(boss_client, world)
    assert boss_client.post(f"/pathways/{pathway.public_id}/items/{HUGE}/remove").status_code == 404


@pytest.mark.parametrize("target", ["/%0d%0aX", "/%0aSet-Cookie:x=1", "/ok%09tab"])
def test_next_with_control_characters_is_ignored_after_login(client, world, target):
    """next=/%0d%0aX after login goes to the profile instead of a header-splitting redirect (a 500 before)."""
    response = client.post(f"/account/login?next={target}",
                           data={"email": world["mentor"].email, "password": "correct-horse-battery-staple"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account")


NUL = "a\x00b"


@pytest.mark.parametrize("path", ["/meetings", "/feeds/meetings.ics", "/api/v1/meetings"])
@pytest.mark.parametrize("query", [f"near={NUL}", "radius=" + "1001100110" * 5, "page=" + "9" * 30,
                                   "radius=٢٥", "page=２", "radius=²", "type=" + NUL, "day=" + NUL])
def test_public_search_query_strings(client, world, path, query):
    """NUL, huge numbers and non-ASCII digits in the public search's query string never give a 5xx."""
    assert client.get(f"{path}?{query}").status_code < 500


@pytest.mark.parametrize("path", ["/meetings", "/api/v1/meetings"])
def test_a_nul_in_a_search_is_a_message(client, world, path):
    """NUL is refused with a message (the page shows it beside the field; the API names the field)."""
    response = client.get(f"{path}?near={NUL}")
    body = response.get_data(as_text=True)
    assert "invisible control character" in body
    if path.startswith("/api"):
        assert response.status_code == 400 and "near" in response.json["errors"]


def test_a_huge_radius_is_a_message(client, world):
    """radius=1001100110… is bounded with the message beside the field."""
    response = client.get("/meetings?radius=" + "1001100110" * 5)
    field_message(response, "Choose a distance from 1 to 100 miles.")


@pytest.mark.parametrize("field", ["email", "password"])
def test_login_with_a_nul_is_a_message(client, world, field):
    """A NUL in the login form is refused beside the field, before anything reaches the database."""
    data = {"email": world["mentor"].email, "password": "correct-horse-battery-staple"}
    data[field] = data[field] + "\x00"
    field_message(client.post("/account/login", data=data), "invisible control character")


def test_a_nul_in_a_meeting_title_is_a_message(boss_client, world):
    """The same refusal on a logged-in form (here, a new series)."""
    field_message(boss_client.post("/organise/new", data=meeting_form(world, title="Tuesday\x00group")),
                  "invisible control character")


def test_withdraw_with_a_real_signup_still_works(boss_client, world):
    """The bounded converter still passes ordinary ids to the view."""
    on = TODAY + timedelta(days=(0 - TODAY.weekday()) % 7 or 7)
    response = boss_client.post("/rota/signup", data={"meeting_id": world["meeting"].id,
                                                      "occurrence_date": on.isoformat(), "role": "facilitator"})
    assert response.status_code == 302
    signup = db.session.scalars(db.select(Signup)).one()
    assert boss_client.post(f"/rota/signups/{signup.id}/withdraw").status_code == 302
