"""No input gives a 5xx: every form, every id in a URL and every public query string, fuzzed (issues 11 and 15).

Routes come from app.url_map and field names from the form classes, so a new route or form is fuzzed
without touching this file. Each posted form starts from plausible values (so fuzzed fields reach the
code behind the validators) and swaps one to three fields for hostile ones: NUL, far dates, ids past the
database's integer, non-ASCII digits, broken links, line breaks. An exception (a 500 in the app) fails
the test with Hypothesis's smallest example. Runs on SQLite, and on PostgreSQL with TEST_DATABASE_URL.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import ImmutableMultiDict
from wtforms import DateField as WTFormsDateField
from wtforms import IntegerField as WTFormsIntegerField
from wtforms import SelectField
from wtforms.fields.core import UnboundField

from recovery_network.accounts.services import reset_token
from recovery_network.extensions import db
from recovery_network.forms import BaseForm
from recovery_network.pathways.models import Pathway, PathwayItem
from recovery_network.rota.models import Signup
from recovery_network.organisations.models import Organisation
from tests.test_bad_input import HUGE, TODAY, world  # noqa: F401 - the world fixture

EXAMPLES = 20  # per route: a few seconds per route family on either database
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# Routes that end the fuzzer's own session or erase the world it fuzzes; their inputs are covered elsewhere.
SKIPPED = {"accounts.logout", "accounts.logout_everywhere", "accounts.change_password", "pathways.erase", "static"}

HOSTILE = st.sampled_from([
    "", " ", "\x00", "a\x00b", "9999-12-31", "0001-01-01", "1999-12-31", "2026-02-30", "2026-13-01", HUGE,
    "2147483648", "-2147483649", "-1", "0", "٣", "３", "²", "١٢٣", "１２", "1e309", "nan", "inf", "1_000",
    "https://[::1", "https://", "javascript:alert(1)", "/%0d%0aX", "/\r\nX", "line\r\nbreak", "a\u2028b",
    "x" * 5000, "1" * 5000, "<script>alert(1)</script>", "%00", "../..", "' OR 1=1 --", "25:61", "09:00",
])
VALUES = st.one_of(HOSTILE, st.text(max_size=40), st.integers(min_value=-(10**30), max_value=10**30).map(str),
                   st.dates().map(lambda d: d.isoformat()))


def form_classes() -> list[type[BaseForm]]:
    """Every form in the app (the app factory has imported them all)."""
    found, todo = [], [BaseForm]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return [cls for cls in found if cls is not BaseForm]


def form_fields() -> dict[str, set[type]]:
    """Every field name any form posts, with the field classes that name has."""
    fields: dict[str, set[type]] = {}
    for cls in form_classes():
        for name in dir(cls):
            unbound = getattr(cls, name)
            if isinstance(unbound, UnboundField):
                fields.setdefault(name, set()).add(unbound.field_class)
    return fields


def field_names() -> set[str]:
    """Every field name any form posts."""
    return set(form_fields())


NUMBERS = st.one_of(st.integers(min_value=-(10**25), max_value=10**25).map(str),
                    st.sampled_from(["2147483647", "2147483648", HUGE, "٣", "３", "²", "00001", "1" * 5000]))
DATES = st.dates().map(lambda d: d.isoformat())  # year 1 to 9999, boundaries first


def values_for(name: str, fields: dict[str, set[type]]):
    """Hostile values shaped for the field: any date for a date, any number for a number, anything for text."""
    kinds = fields.get(name, set())
    shaped = [VALUES]
    if any(issubclass(k, WTFormsDateField) for k in kinds):
        shaped.append(DATES)
    if any(issubclass(k, (WTFormsIntegerField, SelectField)) for k in kinds):
        shaped.append(NUMBERS)
    return st.one_of(*shaped)


# Names views read straight from request.form, besides the forms' fields.
RAW_FORM_NAMES = {"action", "role", "venue", "reset", "person", "next", "attended"}


def other_organisation() -> Organisation:
    """An organisation besides the world's own, to share its pathway with (made on first use)."""
    found = db.session.scalar(select(Organisation).where(Organisation.name == "Tayside Throughcare"))
    if found is None:
        found = Organisation(name="Tayside Throughcare", kind="throughcare")
        db.session.add(found)
        db.session.commit()
    return found


def plausible(world: dict) -> dict[str, str]:  # noqa: F811 - a plain argument
    """A value for every field name that passes its validators, so a hostile one reaches deeper code."""
    soon = TODAY + timedelta(days=(0 - TODAY.weekday()) % 7 or 7)  # the Dundee meeting meets on Mondays
    mentor = world["mentor"]
    return {
        "email": mentor.email, "password": "correct-horse-battery-staple", "confirm": "correct-horse-battery-staple",
        "current": "correct-horse-battery-staple", "first_name": "Dee", "last_initial": "K", "remember": "y",
        "title": "Tuesday group", "kind": "smart", "venue_id": str(world["meeting"].venue_id), "online_url": "",
        "frequency": "weekly", "weekday": "1", "week_of_month": "1", "start_time": "18:30",
        "duration_minutes": "90", "starts_on": soon.isoformat(), "ends_on": "", "session_count": "",
        "description": "Come along", "facilitators_needed": "1", "mentors_needed": "0",
        "date": soon.isoformat(), "reason": "Hall closed", "new_date": (soon + timedelta(days=1)).isoformat(),
        "new_time": "19:00", "name": "Hall", "address": "1 High Street", "town": "Dundee", "postcode": "DD1 4JW",
        "area_id": str(world["prison"].area_id), "step_free": "y", "accessibility": "", "directions": "",
        "meeting_id": str(world["meeting"].id), "occurrence_date": soon.isoformat(), "role": "facilitator",
        "person": mentor.public_id, "course_id": str(world["course"].id), "completed_on": TODAY.isoformat(),
        "expires_on": "", "status": "approved", "valid_from": TODAY.isoformat(), "reference": "REF1",
        "confirmed_on": TODAY.isoformat(), "renewal_due": "", "code": "SG", "refresh_months": "12",
        "qualifies_for": "", "establishment_id": str(world["prison"].id),
        "release_date": (TODAY + timedelta(days=21)).isoformat(), "destination": "Dundee",
        "mentor_id": str(mentor.id), "backup_mentor_id": "0", "consent_plan": "y", "consent_calendar": "y",
        "plain_titles": "", "on": TODAY.isoformat(), "community_mentor_id": "0", "area": "housing", "agreed": "Tenancy sign-up",
        "who": "agency", "due_on": "", "visit_kind": "agency_visit",
        "extension_reason": "handover", "close_reason": "ended", "referrer_org": "Link Centre", "consent_taken_by": "Gordon R",
        "consent_on": TODAY.isoformat(), "agency": "Housing options", "place": "1 High Street", "at": "14:00",
        "minutes": "60", "consent_how": "in_person", "consent_given": "y", "decline_reason": "duplicate", "action": "approve", "venue": "",
        "reset": "", "near": "Dundee", "radius": "10", "day": "mon", "time": "evening", "type": "smart",
        "mode": "in_person", "page": "1", "next": "/account",
        "district": "PH2", "listing": "open", "referral_contact": "", "room": "Chapel", "coverage": "Fife", "attended": "",
        "share_with": str(other_organisation().id), "share_kind": "share", "include_contacts": "y",
        "keep_read": "", "organisation_id": "",
    }


def path_args(app, world: dict) -> dict[tuple[str, str], str]:  # noqa: F811 - a plain argument
    """Real values for each route's URL parts, so the fuzz reaches the view rather than a 404."""
    pathway = db.session.scalar(select(Pathway))
    item = db.session.scalar(select(PathwayItem).where(PathwayItem.pathway_id == pathway.id))
    signup = db.session.scalar(select(Signup))
    return {
        ("slug", "meetings"): world["meeting"].slug, ("slug", ""): world["meeting"].slug,
        ("public_id", "coordination"): world["mentor"].public_id, ("public_id", "pathways"): pathway.public_id,
        ("public_id", "pathways.pack"): pathway.public_id, ("item_id", ""): str(item.id),
        ("public_id", "pathways.referrals"): "no-such-referral", ("leave_id", ""): "1",
        ("signup_id", ""): str(signup.id), ("clearance_id", ""): str(world["clearance"].id),
        ("training_id", ""): str(world["training"].id), ("status", ""): "verified",
        ("token", "accounts"): reset_token(world["mentor"]), ("token", ""): "not-a-token",
        ("slug", "coordination"): world["prison"].slug, ("slug", "courses"): world["meeting"].slug,
        ("slug", "establishments"): world["meeting"].slug, ("code", ""): "not-a-code", ("action", ""): "approve",
        ("public_id", "organisations"): other_organisation().public_id,
        ("person_id", ""): world["mentor"].public_id, ("share_id", ""): "1",
    }


def arg_value(values: dict, endpoint: str, name: str) -> str:
    """The real value for one URL part of one endpoint."""
    blueprint = endpoint.rsplit(".", 1)[0]  # the full name: pathways.referrals is not pathways
    return values.get((name, blueprint), values.get((name, "")))


PART = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def build(rule: str, args: dict[str, str]) -> str:
    """A URL for a rule, each part percent-encoded as a browser would."""
    return PART.sub(lambda m: quote(args[m.group(2)], safe=""), rule)


def rules(app, method: str) -> list:
    """The app's rules for a method, without the skipped ones."""
    return [r for r in app.url_map.iter_rules() if method in r.methods and r.endpoint not in SKIPPED]


@pytest.fixture
def fuzz_world(app, client, auth, world):  # noqa: F811
    """The bad-input world plus a pathway with items and a rota place, and the co-ordinator logged in."""
    from tests.pathways.conftest import open_form

    auth.login(world["boss"])
    assert client.post("/pathways/new", data=open_form(world)).status_code == 302
    soon = TODAY + timedelta(days=(0 - TODAY.weekday()) % 7 or 7)
    client.post("/rota/signup", data={"meeting_id": world["meeting"].id, "occurrence_date": soon.isoformat(),
                                      "role": "facilitator"})
    assert db.session.scalar(select(Signup)) is not None
    return world


class Recording(ImmutableMultiDict):
    """Form data and query args that note which names the app reads, to aim the fuzz at them."""

    read: set[str] = set()

    def __contains__(self, key) -> bool:
        """Note the name, then answer as usual."""
        Recording.read.add(key)
        return super().__contains__(key)

    def get(self, key, default=None, type=None):  # noqa: A002 - werkzeug's signature
        """Note the name, then answer as usual."""
        Recording.read.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):  # noqa: A002 - werkzeug's signature
        """Note the name, then answer as usual."""
        Recording.read.add(key)
        return super().getlist(key, type)

    def __getitem__(self, key):
        """Note the name, then answer as usual."""
        Recording.read.add(key)
        return super().__getitem__(key)


def names_read(app, send) -> list[str]:
    """The form and query names the app reads while answering one plausible request."""
    original = app.request_class
    app.request_class = type("RecordingRequest", (original,), {"parameter_storage_class": Recording})
    Recording.read = set()
    try:
        send()
    finally:
        app.request_class = original
    return sorted(k for k in Recording.read if isinstance(k, str))


def no_5xx(response, what: str) -> None:
    """The answer is anything but a server error."""
    assert response.status_code < 500, f"{what}: {response.status_code}"


def test_every_form_survives_hostile_fields(app, client, fuzz_world):
    """Every POST route, from plausible values with one to three fields made hostile: never a 5xx."""
    base, values, fields = plausible(fuzz_world), path_args(app, fuzz_world), form_fields()
    everything = sorted(set(fields) | RAW_FORM_NAMES)
    posts = rules(app, "POST")
    assert len(posts) > 20
    for rule in posts:
        url = build(rule.rule, {a: arg_value(values, rule.endpoint, a) for a in rule.arguments})
        # Aim at the names this route reads (its form's fields), with the rest now and then.
        names = names_read(app, lambda: client.post(url, data=base)) or everything
        name = st.one_of(st.sampled_from(names), st.sampled_from(everything))
        change = name.flatmap(lambda n: st.tuples(st.just(n), values_for(n, fields)))

        @FUZZ
        @given(changes=st.lists(change, min_size=1, max_size=3).map(dict))
        def post(changes):
            no_5xx(client.post(url, data={**base, **changes}), f"POST {url} {changes!r}")

        post()


def test_every_id_in_a_url_survives_hostile_values(app, client, fuzz_world):
    """Every route with a part in its URL, that part fuzzed (huge ids, NUL, non-ASCII digits): never a 5xx."""
    values = path_args(app, fuzz_world)
    numbers = st.one_of(st.integers(min_value=0, max_value=10**30).map(str),
                        st.sampled_from(["2147483647", "2147483648", HUGE, "٣", "３", "²", "0", "00001"]))
    texts = st.one_of(HOSTILE.filter(bool), st.text(min_size=1, max_size=40))
    for rule in rules(app, "GET") + rules(app, "POST"):
        if not rule.arguments:
            continue
        method = "POST" if "POST" in rule.methods and "GET" not in rule.methods else "GET"
        real = {a: arg_value(values, rule.endpoint, a) for a in rule.arguments}
        kinds = {name: kind for kind, name in PART.findall(rule.rule)}

        @FUZZ
        @given(data=st.data())
        def visit(data):
            name = data.draw(st.sampled_from(sorted(rule.arguments)))
            value = data.draw(numbers if kinds.get(name) == "int" else texts)
            url = build(rule.rule, {**real, name: value})
            no_5xx(client.open(url, method=method), f"{method} {url}")

        visit()


QUERY_KEYS = ["near", "radius", "day", "time", "type", "mode", "page", "next", "venue", "show", "status",
              "format", "q", "limit"]


@pytest.mark.parametrize("who", ["anonymous", "coordinator"])
def test_every_query_string_survives_hostile_values(app, client, fuzz_world, who):
    """Every GET route (public ones as anyone, the rest as a co-ordinator) with a fuzzed query string."""
    if who == "anonymous":
        client.post("/account/logout")
    values = path_args(app, fuzz_world)
    plausible_query = urlencode({k: v for k, v in plausible(fuzz_world).items() if k in QUERY_KEYS})
    for rule in rules(app, "GET"):
        path = build(rule.rule, {a: arg_value(values, rule.endpoint, a) for a in rule.arguments})
        read = names_read(app, lambda: client.get(f"{path}?{plausible_query}"))
        key = st.one_of(st.sampled_from(read or QUERY_KEYS), st.sampled_from(QUERY_KEYS), st.text(max_size=8))
        pairs = st.lists(st.tuples(key, VALUES), min_size=1, max_size=4)

        @FUZZ
        @given(query=pairs)
        def visit(query):
            url = f"{path}?{urlencode(query)}"
            no_5xx(client.get(url), f"GET {url}")

        visit()


def test_every_field_has_a_plausible_value(app, fuzz_world):
    """A new form field gets a plausible value here, so the fuzz reaches the code behind its form."""
    assert field_names() - set(plausible(fuzz_world)) == set()


def test_the_fuzz_reached_the_views(app, client, fuzz_world):
    """The plausible base really passes: the co-ordinator's course form adds a course from it."""
    response = client.post("/coordinate/courses", data=plausible(fuzz_world))
    assert response.status_code == 302
