"""The pathway's mentor pickers offer only people eligible on the pathway's dates (the rota's rule); the others
are listed on request with the reason, and training that ran out says when it expired."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from recovery_network.extensions import db
from recovery_network.mentors.models import Clearance, Course, TrainingRecord
from recovery_network.mentors.rules import TrainingFact, eligible
from recovery_network.pathways.models import Pathway
from recovery_network.types import utcnow
from tests.pathways.conftest import RELEASE, TODAY, open_form


def options(body: str, field: str) -> list[str]:
    """The option labels of one select on the page."""
    select_html = re.search(rf'<select[^>]*name="{field}"[^>]*>(.*?)</select>', body, re.S).group(1)
    return [html.unescape(label).strip() for label in re.findall(r"<option[^>]*>(.*?)</option>", select_html)]


@pytest.fixture
def people(setting, make_person):
    """Jamie (cleared, trained), Chris (trained, not cleared), Eve (cleared, training expired before release),
    Rob (trained, clearance ending ten days before release, before he could meet the person inside), Pat (a facilitator with no training at all)."""
    course = db.session.scalar(select(Course))
    prison, coordinator = setting["prison"], setting["coordinator"]
    eve = make_person("peer_mentor", first_name="Eve", last_initial="L")
    rob = make_person("peer_mentor", first_name="Rob", last_initial="M")
    pat = make_person("facilitator", first_name="Pat", last_initial="Q")
    lapsed = RELEASE - timedelta(days=10)
    db.session.add(TrainingRecord(person=eve, course=course, completed_on=TODAY - timedelta(days=400),
                                  expires_on=lapsed, status="verified", verified_by_id=coordinator.id,
                                  verified_at=utcnow()))
    db.session.add(TrainingRecord(person=rob, course=course, completed_on=TODAY - timedelta(days=100),
                                  status="verified", verified_by_id=coordinator.id, verified_at=utcnow()))
    for person, ends in ((eve, None), (rob, RELEASE - timedelta(days=10))):
        db.session.add(Clearance(person=person, venue=prison, status="approved", valid_from=TODAY - timedelta(days=30),
                                 expires_on=ends))
    db.session.commit()
    return {**setting, "eve": eve, "rob": rob, "pat": pat, "lapsed": lapsed}


def new_page(client, auth, people, **args) -> str:
    """The 'open a pathway' page for HMP Perth and the release date, as the co-ordinator."""
    auth.login(people["coordinator"])
    query = {"establishment_id": people["prison"].id, "release_date": RELEASE.isoformat(), **args}
    return html.unescape(client.get("/pathways/new", query_string=query).get_data(as_text=True))


def test_pickers_list_only_who_is_eligible_on_the_dates(client, auth, people):
    """Inside: only Jamie. Community: the trained (Jamie, Chris, Rob), not Eve (lapsed) or Pat (untrained)."""
    body = new_page(client, auth, people)
    assert options(body, "mentor_id") == ["None", "Jamie K."]
    assert options(body, "backup_mentor_id") == ["None", "Jamie K."]
    assert options(body, "community_mentor_id") == ["None", "Chris K.", "Jamie K.", "Rob M."]
    assert "Not eligible to mentor inside" not in body and "Show others, with why they can't" in body


def test_show_others_gives_each_reason_and_says_when_training_expired(client, auth, people):
    """The others, each with why: no clearance, clearance ending before release day, training expired on …"""
    body = new_page(client, auth, people, others=1)
    inside = body.split('id="others-inside"')[1].split("</div>")[0]
    week_before = f"{RELEASE - timedelta(days=7):%-d %B %Y}"
    assert f"Chris K.: You need approved clearance for this establishment on {week_before}" in inside
    assert f"Rob M.: You need approved clearance for this establishment on {week_before}." in inside
    assert "Eve L.: You need in-date, verified peer mentor training on" in inside
    assert f"(it expired on {people['lapsed']:%-d %B %Y})" in inside and "Verified" not in inside
    community = body.split('id="others-community"')[1].split("</div>")[0]
    assert f"expired on {people['lapsed']:%-d %B %Y}" in community and "Pat Q.: You need in-date, verified " \
        "facilitator training" in community and "Jamie" not in community
    assert "Eve L. (not eligible)" in options(body, "mentor_id")


def test_showing_who_can_mentor_saves_nothing_and_keeps_what_was_typed(client, auth, people):
    """The no-JavaScript 'Show' buttons re-show the form for the dates typed; no pathway is opened."""
    auth.login(people["coordinator"])
    form = open_form(people, first_name="Kay", destination="Fife", show="others")
    body = html.unescape(client.post("/pathways/new?others=1", data=form).get_data(as_text=True))
    assert db.session.scalar(select(Pathway)) is None
    assert 'value="Kay"' in body and 'value="Fife"' in body and "Not eligible to mentor inside" in body


def test_a_refused_choice_comes_back_with_its_reason_beside_the_field(client, auth, people):
    """Choosing Rob (shown among the others) is refused with the reason, not 'not a valid choice'."""
    auth.login(people["coordinator"])
    body = html.unescape(client.post("/pathways/new?others=1", data=open_form(
        people, mentor_id=people["rob"].id, others=1)).get_data(as_text=True))
    assert db.session.scalar(select(Pathway)) is None
    error = body.split('id="mentor_id-error"')[1].split("</ul>")[0]
    assert ("Rob M. can't be the mentor: You need approved clearance for this establishment on "
            f"{RELEASE - timedelta(days=7):%-d %B %Y}.") in error


def test_an_untrained_community_mentor_is_refused_on_save(client, auth, people):
    """The community mentor's rule holds on save too: Pat has no training."""
    auth.login(people["coordinator"])
    body = html.unescape(client.post("/pathways/new", data=open_form(
        people, community_mentor_id=people["pat"].id)).get_data(as_text=True))
    assert db.session.scalar(select(Pathway)) is None
    assert "Pat Q. can't be the community mentor: You need in-date, verified facilitator training" in body


def test_the_rota_rule_says_when_training_expired():
    """One rule: the rota's gaps picker and sign-up read the same words."""
    day = TODAY
    lapsed = TrainingFact("peer_mentor", "verified", day - timedelta(days=400), day - timedelta(days=3))
    decision = eligible("peer_mentor", day, establishment_id=None, trainings=[lapsed], clearances=[])
    assert not decision and f"(it expired on {day - timedelta(days=3):%-d %B %Y})" in decision.reasons[0]
    fresh = TrainingFact("peer_mentor", "verified", day - timedelta(days=10), day + timedelta(days=3))
    assert eligible("peer_mentor", day, establishment_id=None, trainings=[fresh], clearances=[])
