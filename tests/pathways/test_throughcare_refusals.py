"""Every rule a throughcare form can break is refused beside the field it is about, with what was typed kept.

Each case posts one form that passes the field checks but breaks a service rule (a plan area due in 2035, a
contact on a future day, leave ending before it starts…) and expects a 422, the message in that field's error
list (not the banner at the top), and the typed values back in the form.
"""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest

from recovery_network.pathways import standards
from tests.conftest import founding_organisation
from tests.pathways.conftest import RELEASE, TODAY, open_form
from tests.pathways.test_throughcare import opened

PAST_RELEASE = TODAY - timedelta(days=3)
LEAVE = TODAY + timedelta(days=2)


def errors_beside(text: str) -> dict[str, str]:
    """Each field's error list on the page, by the field's id."""
    return {m.group(1): html.unescape(re.sub(r"<[^>]+>", " ", m.group(2)))
            for m in re.finditer(r'<ul class="errors" id="([^"]+)-error">(.*?)</ul>', text, re.S)}


def assert_beside(response, field: str, message: str, kept: tuple[str, ...] = ()) -> None:
    """Refused (422) with the message beside `field` (ids may carry a suffix), none at the top, typing kept."""
    text = response.get_data(as_text=True)
    assert response.status_code == 422, text[-1500:]
    beside = errors_beside(text)
    assert any((key == field or key.startswith(field + "-")) and message in value
               for key, value in beside.items()), (field, message, beside)
    top = re.findall(r'role="alert">(.*?)</p>', text, re.S)
    assert not any(message in html.unescape(t) for t in top), top
    for value in kept:
        assert f'value="{value}"' in text or f"{value}</textarea>" in text, value


def post(client, pathway, action: str, data: dict):
    """Post one of the pathway page's forms."""
    return client.post(f"/pathways/{pathway.public_id}/{action}", data=data)


PLAN_AREA = {"area": "housing", "agreed": "Keys from the council", "who": "agency", "agency": "Dundee Housing",
             "status": "in_hand"}

CASES = [
    # (id, how the pathway opens, action, data, field, message, kept)
    ("plan-area-due-2035", {}, "plan-areas", {**PLAN_AREA, "due_on": "2035-01-01"}, "due_on",
     "By when falls within the pathway's weeks", ("Keys from the council", "Dundee Housing", "2035-01-01")),
    ("contact-in-future", {"release_date": PAST_RELEASE}, "contacts",
     {"on": (TODAY + timedelta(days=2)).isoformat(), "mode": "phone"}, "on", "not a future date",
     ((TODAY + timedelta(days=2)).isoformat(),)),
    ("contact-before-pathway", {"release_date": PAST_RELEASE}, "contacts",
     {"on": (PAST_RELEASE - timedelta(weeks=20)).isoformat(), "mode": "face_to_face"}, "on",
     "within the pathway", ((PAST_RELEASE - timedelta(weeks=20)).isoformat(),)),
    ("gate-not-on-release-day", {"release_date": PAST_RELEASE}, "contacts",
     {"on": TODAY.isoformat(), "mode": "gate"}, "on", "at the gate is on the release day", (TODAY.isoformat(),)),
    ("leave-ends-before-it-starts", {}, "leave",
     {"starts_on": (LEAVE + timedelta(days=1)).isoformat(), "ends_on": LEAVE.isoformat()}, "ends_on",
     "The last day is before the first.", ((LEAVE + timedelta(days=1)).isoformat(), LEAVE.isoformat())),
    ("leave-in-the-past", {}, "leave",
     {"starts_on": (TODAY - timedelta(days=2)).isoformat(), "ends_on": TODAY.isoformat()}, "starts_on",
     "Home leave starts today or later.", ((TODAY - timedelta(days=2)).isoformat(),)),
    ("leave-after-release", {}, "leave",
     {"starts_on": LEAVE.isoformat(), "ends_on": RELEASE.isoformat()}, "ends_on",
     "by the day before release", (RELEASE.isoformat(),)),
    ("leave-too-long", {"release_date": RELEASE + timedelta(weeks=3)}, "leave",
     {"starts_on": LEAVE.isoformat(), "ends_on": (LEAVE + timedelta(days=15)).isoformat()}, "ends_on",
     "at most 14 days", ((LEAVE + timedelta(days=15)).isoformat(),)),
    ("visit-after-release", {"community_mentor_id": "other"}, "visits",
     {"visit_kind": "agency_visit", "on": (RELEASE + timedelta(days=1)).isoformat(), "at": "14:00"}, "on",
     "between today and the day before release", ((RELEASE + timedelta(days=1)).isoformat(), "14:00")),
    ("leave-visit-not-on-leave", {"community_mentor_id": "other"}, "visits",
     {"visit_kind": "leave_visit", "on": LEAVE.isoformat(), "at": "11:00"}, "on",
     "That day isn't a home leave day.", (LEAVE.isoformat(),)),
    ("visit-without-community-mentor", {}, "visits",
     {"visit_kind": "agency_visit", "on": LEAVE.isoformat(), "at": "11:00"}, "visit_kind",
     "Choose a community mentor first", (LEAVE.isoformat(),)),
    ("extension-before-release", {}, "extend", {"extension_reason": "handover"}, "extension_reason",
     "agreed after release", ()),
    ("close-with-a-forged-outcome", {}, "close", {"close_reason": "arrested"}, "close_reason",
     "Choose what happened.", ()),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_a_refused_throughcare_form_says_why_beside_the_field(client, auth, setting, case):
    """The message sits beside the field, the status is 422 and what was typed is kept."""
    _, how, action, data, field, message, kept = case
    opening = {k: (v.isoformat() if isinstance(v, date) else setting[v].id if v == "other" else v)
               for k, v in how.items()}
    pathway = opened(client, auth, setting, **opening)
    assert_beside(post(client, pathway, action, data), field, message, kept)


def test_an_extension_past_the_limit_says_so_beside_the_reason(client, auth, setting):
    """At the limit the extend form still comes back, with the reason it was refused."""
    pathway = opened(client, auth, setting, release_date=PAST_RELEASE.isoformat())
    for _ in range(standards.MAX_EXTENSIONS):
        assert post(client, pathway, "extend", {"extension_reason": "handover"}).status_code == 302
    assert_beside(post(client, pathway, "extend", {"extension_reason": "handover"}), "extension_reason",
                  "already at its limit")


def test_home_leave_overlapping_leave_already_recorded(client, auth, setting):
    """Overlapping leave: beside the first day."""
    pathway = opened(client, auth, setting)
    days = {"starts_on": LEAVE.isoformat(), "ends_on": (LEAVE + timedelta(days=1)).isoformat()}
    assert post(client, pathway, "leave", days).status_code == 302
    assert_beside(post(client, pathway, "leave", days), "starts_on", "overlap home leave")


def test_opening_with_a_release_date_too_far_ahead_is_refused_beside_the_date(client, auth, setting):
    """The release-date rule is about the release date, not the mentor."""
    auth.login(setting["coordinator"])
    far = (TODAY + timedelta(days=400)).isoformat()
    response = client.post("/pathways/new", data=open_form(setting, release_date=far, first_name="Dee"))
    assert_beside(response, "release_date", "more than a year away", (far, "Dee"))


REFERRAL = {"first_name": "Ravi", "release_date": RELEASE.isoformat(), "destination": "Dundee",
            "referrer_org": "HMP Perth Link Centre", "consent_taken_by": "Gordon R",
            "consent_on": TODAY.isoformat(), "consent_how": "in_person", "consent_given": "y"}


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"consent_on": (TODAY + timedelta(days=2)).isoformat()}, "consent_on", "never a future date"),
    ({"consent_on": (TODAY - timedelta(days=120)).isoformat()}, "consent_on", "older than 90 days"),
    ({"release_date": (TODAY + timedelta(days=400)).isoformat()}, "release_date", "more than a year away"),
    ({"release_date": (TODAY - timedelta(days=30)).isoformat()}, "release_date", "more than a week ago"),
    ({"first_name": "Zed Smith-Jones"}, "first_name", "never a surname"),
])
def test_a_refused_referral_says_why_beside_the_field(client, auth, setting, make_person, change, field, message):
    """Consent and release-date rules on the referral form: beside their field, typing kept."""
    staff = make_person("establishment_staff", first_name="Gordon", establishments=[setting["prison"]])
    auth.login(staff)
    data = {**REFERRAL, "establishment_id": setting["prison"].id, "organisation_id": founding_organisation().id, **change}
    assert_beside(client.post("/referrals/new", data=data), field, message,
                  ("HMP Perth Link Centre", "Gordon R", change[field]))


def test_accepting_with_an_uncleared_mentor_says_why_beside_the_mentor(client, auth, setting, make_person):
    """Accepting a referral: the clearance rule is shown beside the mentor chosen."""
    staff = make_person("establishment_staff", first_name="Gordon", establishments=[setting["prison"]])
    auth.login(staff)
    assert client.post("/referrals/new", data={**REFERRAL, "establishment_id": setting["prison"].id,
                                               "organisation_id": founding_organisation().id}).status_code == 302
    from sqlalchemy import select

    from recovery_network.extensions import db
    from recovery_network.pathways.throughcare_models import Referral

    referral = db.session.scalar(select(Referral))
    auth.login(setting["coordinator"])
    response = client.post(f"/referrals/{referral.public_id}/accept", data={
        "mentor_id": setting["other"].id, "backup_mentor_id": 0, "community_mentor_id": 0})
    assert_beside(response, "mentor_id", "can't be the mentor")
