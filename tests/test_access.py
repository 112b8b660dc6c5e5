"""The access-control matrix: every route, every role, the expected answer; and custody visibility per role."""

from __future__ import annotations

from datetime import timedelta

import pytest

from recovery_network.extensions import db
from recovery_network.mentors.models import Clearance, TrainingRecord
from recovery_network.types import utcnow
from recovery_network.venues.models import CUSTODY

ROLES = ["anonymous", "pending", "peer_mentor", "facilitator", "establishment_staff", "coordinator", "admin"]
EVERYONE = {r: 200 for r in ROLES}
LOGGED_IN = {"anonymous": 302, **{r: 200 for r in ROLES[1:]}}
APPROVED = {**LOGGED_IN, "pending": 404}
COORDINATORS = {"anonymous": 302, "pending": 404, "peer_mentor": 404, "facilitator": 404,
                "establishment_staff": 404, "coordinator": 200, "admin": 200}
ADMINS = {**COORDINATORS, "coordinator": 404}
STAFF = {**COORDINATORS, "establishment_staff": 200}


@pytest.fixture
def world(make_person, make_venue, make_meeting):
    """One person per role, a community meeting, two prisons with a custody meeting each."""
    perth, barlinnie = make_venue(CUSTODY, name="HMP Perth"), make_venue(CUSTODY, name="HMP Barlinnie")
    people = {
        "pending": make_person("peer_mentor", status="pending"),
        "peer_mentor": make_person("peer_mentor"),
        "facilitator": make_person("facilitator"),
        "establishment_staff": make_person("establishment_staff", establishments=[perth]),
        "coordinator": make_person("coordinator"),
        "admin": make_person("admin"),
    }
    return {
        "people": people,
        "public": make_meeting("Community SMART"),
        "perth_session": make_meeting("Perth custody SMART", venue=perth),
        "barlinnie_session": make_meeting("Barlinnie café", venue=barlinnie, kind="cafe"),
        "perth": perth,
    }


ROUTES = [
    ("GET", "/", EVERYONE),
    ("GET", "/meetings", EVERYONE),
    ("GET", "/meetings/{public}", EVERYONE),
    ("GET", "/meetings/{public}.ics", EVERYONE),
    ("GET", "/feeds/meetings.ics", EVERYONE),
    ("GET", "/api/meetings.json", EVERYONE),
    ("GET", "/healthz", EVERYONE),
    ("GET", "/account/login", EVERYONE),
    ("GET", "/account/register", EVERYONE),
    ("GET", "/account/reset", EVERYONE),
    ("GET", "/account", LOGGED_IN),
    ("GET", "/account/erase", LOGGED_IN),
    ("GET", "/my/register", APPROVED),
    ("GET", "/coordinate/", COORDINATORS),
    ("GET", "/coordinate/people", COORDINATORS),
    ("GET", "/coordinate/people/{mentor}", COORDINATORS),
    ("GET", "/coordinate/courses", COORDINATORS),
    ("GET", "/coordinate/audit", ADMINS),
    ("GET", "/establishment/", STAFF),
    ("GET", "/establishment/day-sheet", STAFF),
    ("POST", "/coordinate/people/{pending}/status", {**COORDINATORS, "coordinator": 302, "admin": 302}),
]


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(client, auth, world, role):
    """Each role gets exactly the expected status on every route (404 hides what exists)."""
    if role != "anonymous":
        auth.login(world["people"][role])
    names = {"public": world["public"].slug, "mentor": world["people"]["peer_mentor"].public_id,
             "pending": world["people"]["pending"].public_id}
    failures = []
    for method, template, expected in ROUTES:
        url = template.format(**names)
        data = {"action": "approve"} if method == "POST" else None
        status = client.open(url, method=method, data=data).status_code
        if status != expected[role]:
            failures.append(f"{method} {url}: {status}, expected {expected[role]}")
    assert not failures, failures


def custody_titles(client) -> set[str]:
    """Custody meetings visible in a search and on their pages."""
    body = client.get("/meetings?radius=100").get_data(as_text=True)
    return {t for t in ("Perth custody SMART", "Barlinnie café") if t in body}


@pytest.mark.parametrize(
    "role, expected",
    [
        ("anonymous", set()),
        ("pending", set()),
        ("peer_mentor", set()),
        ("establishment_staff", {"Perth custody SMART"}),
        ("coordinator", {"Perth custody SMART", "Barlinnie café"}),
        ("admin", {"Perth custody SMART", "Barlinnie café"}),
    ],
)
def test_custody_visibility_by_role(client, auth, world, role, expected):
    """Staff see only their own establishment; co-ordinators and admins see all; others none."""
    if role != "anonymous":
        auth.login(world["people"][role])
    assert custody_titles(client) == expected
    perth_page = client.get(f"/meetings/{world['perth_session'].slug}")
    assert perth_page.status_code == (200 if "Perth custody SMART" in expected else 404)


def test_cleared_volunteer_sees_that_establishment_only_while_cleared(client, auth, world):
    """'People with access there' means an approved, in-date clearance for that establishment."""
    mentor = world["people"]["peer_mentor"]
    today = utcnow().date()
    clearance = Clearance(person=mentor, venue=world["perth"], status="approved", valid_from=today - timedelta(days=5))
    db.session.add(clearance)
    db.session.commit()
    auth.login(mentor)
    assert custody_titles(client) == {"Perth custody SMART"}
    clearance.expires_on = today - timedelta(days=1)
    db.session.commit()
    assert custody_titles(client) == set()


def test_feeds_and_json_never_show_custody_even_to_coordinators(client, auth, world):
    """Feeds and JSON are public documents: a logged-in co-ordinator's cookie changes nothing."""
    auth.login(world["people"]["coordinator"])
    assert b"custody" not in client.get("/api/meetings.json").get_data().lower()
    assert b"Perth custody" not in client.get("/feeds/meetings.ics").get_data()
    assert client.get(f"/meetings/{world['perth_session'].slug}.ics").status_code == 404


def test_logged_in_pages_are_not_cached(client, auth, world):
    """Pages behind a login carry Cache-Control: no-store."""
    auth.login(world["people"]["peer_mentor"])
    assert "no-store" in client.get("/account").headers["Cache-Control"]


def test_csrf_is_enforced_when_enabled(app, world):
    """With CSRF on (as in production), a POST without a token is refused."""
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    response = client.post("/account/login", data={"email": "a@example.org", "password": "b"})
    assert response.status_code == 400


def test_training_record_self_verification_flag_is_not_in_any_form(client, auth, world):
    """The volunteer's form has no status field to tamper with: a posted status is ignored."""
    from recovery_network.mentors.models import Course

    course = Course(code="PM", name="Peer mentor training", qualifies_for="peer_mentor")
    db.session.add(course)
    db.session.commit()
    auth.login(world["people"]["peer_mentor"])
    client.post("/my/register", data={"course_id": course.id, "completed_on": "2026-01-05", "status": "verified"})
    assert db.session.query(TrainingRecord).one().status == "pending"


# Pending means: see and edit your own profile (and log out, change the password, erase the account).
PENDING_MAY = {"accounts", "directory", "feeds", "api", "api.v1", "health", "static"}


def test_a_pending_account_reaches_nothing_but_its_own_profile(app, client, auth, world):
    """Every route outside the public pages and the account's own screens is a 404 to a pending person.

    Walks the whole URL map, so a route added later is covered too; posts real-looking forms, and
    checks nothing was made (a pending account used to submit training and make feed links).
    """
    from recovery_network.mentors.models import Course
    from recovery_network.feeds.models import FeedToken
    from recovery_network.rota.models import Signup

    course = Course(code="PM", name="Peer mentor training", qualifies_for="peer_mentor")
    db.session.add(course)
    db.session.commit()
    pending = world["people"]["pending"]
    auth.login(pending)
    values = {"slug": world["public"].slug, "public_id": pending.public_id, "token": "x" * 43, "status": "verified",
              "training_id": 1, "clearance_id": 1, "signup_id": 1, "item_id": 1, "leave_id": 1, "share_id": 1, "person_id": "x", "filename": "app.js",
              "action": "approve", "code": "x" * 12}
    form = {"course_id": course.id, "completed_on": "2026-01-05", "meeting_id": world["public"].id,
            "occurrence_date": "2026-12-08", "role": "peer_mentor"}
    failures = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] in PENDING_MAY or rule.endpoint in ("rota.feed", "pathways.feed"):
            continue  # public, the account's own, or a secret-link feed (which reads no session)
        url = rule.build({k: v for k, v in values.items() if k in rule.arguments})[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            status = client.open(url, method=method, data=form if method == "POST" else None).status_code
            if status != 404:
                failures.append(f"{method} {url}: {status}")
    assert not failures, failures
    assert db.session.query(TrainingRecord).count() == 0
    assert db.session.query(FeedToken).count() == db.session.query(Signup).count() == 0
    assert client.get("/account").status_code == 200
