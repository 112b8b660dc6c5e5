"""A referral is addressed to an organisation from the start: only its co-ordinators see, accept and decline it.

Another organisation's co-ordinator gets, on every referral route, the answer a made-up id gets (404, the same
bytes); its queue, its dashboard and its 14-day flag count only its own. The accepted pathway is owned by the
organisation the referral was sent to, and declined referrals are still erased after retention.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from recovery_network.extensions import db
from recovery_network.organisations.models import Membership, Organisation
from recovery_network.pathways.models import Pathway
from recovery_network.pathways.referrals import purge_declined
from recovery_network.pathways.throughcare_models import Referral
from tests.conftest import founding_organisation
from tests.pathways.conftest import RELEASE, TODAY
from tests.test_migrations import migrated_app  # noqa: F401 - the fixture

FORM = {"release_date": RELEASE.isoformat(), "destination": "Dundee", "referrer_org": "HMP Perth Link Centre",
        "consent_taken_by": "Gordon R", "consent_on": TODAY.isoformat(), "consent_how": "in_person",
        "consent_given": "y"}
ACCEPT = {"backup_mentor_id": 0, "community_mentor_id": 0}


def page(response) -> str:
    """The response body as text."""
    return response.get_data(as_text=True)


@pytest.fixture
def network(setting, make_person):
    """Two organisations that take referrals (each with a co-ordinator), a prison team that doesn't, and staff."""
    fife = Organisation(name="Fife Throughcare", kind="throughcare")
    prison_team = Organisation(name="HMP Perth Recovery Team", kind="prison_team")
    db.session.add_all([fife, prison_team])
    db.session.commit()
    return {**setting, "ours": founding_organisation(), "fife": fife, "prison_team": prison_team,
            "fife_coordinator": make_person("coordinator", first_name="Fiona", organisations=[fife]),
            "staff": make_person("establishment_staff", first_name="Gordon", establishments=[setting["prison"]],
                                 organisations=[prison_team])}


def refer(client, auth, network, first_name: str, to: Organisation) -> Referral:
    """Prison staff refer a person to an organisation through the form."""
    auth.login(network["staff"])
    response = client.post("/referrals/new", data={**FORM, "first_name": first_name, "organisation_id": to.id,
                                                   "establishment_id": network["prison"].id})
    assert response.status_code == 302, page(response)
    return db.session.scalar(select(Referral).where(Referral.first_name == first_name))


def test_the_form_offers_the_organisations_that_take_referrals_and_defaults_to_ones_own(client, auth, network):
    """Mentoring and throughcare services are offered, a prison team is not; a co-ordinator's own is chosen."""
    auth.login(network["fife_coordinator"])
    form = page(client.get("/referrals/new"))
    assert "Refer to" in form
    assert f'<option selected value="{network["fife"].id}">Fife Throughcare</option>' in form
    assert f'value="{network["ours"].id}">Recovery Network</option>' in form
    assert "HMP Perth Recovery Team" not in form
    auth.login(network["staff"])  # their own takes no referrals: the first that does is offered first
    assert f'<option selected value="{network["fife"].id}">' in page(client.get("/referrals/new"))


@pytest.mark.parametrize("to", ["prison_team", "made_up", "blank"])
def test_a_referral_to_an_organisation_not_offered_is_refused_beside_the_field(client, auth, network, to):
    """A prison team, a made-up id or none: 422, the message beside "Refer to", the typing kept, nothing saved."""
    auth.login(network["staff"])
    chosen = {"prison_team": network["prison_team"].id, "made_up": 999999, "blank": ""}[to]
    response = client.post("/referrals/new", data={**FORM, "first_name": "Ravi", "organisation_id": chosen,
                                                   "establishment_id": network["prison"].id})
    assert response.status_code == 422
    body = page(response)
    assert 'id="organisation_id-error"' in body and "HMP Perth Link Centre" in body
    assert db.session.scalar(select(Referral)) is None


def test_every_referral_route_answers_another_organisations_coordinator_as_for_a_made_up_id(client, auth, network):
    """Queue, dashboard, detail, accept and decline: the referral to Fife does not exist for our co-ordinator."""
    ravi = refer(client, auth, network, "Ravi", network["fife"])
    auth.login(network["coordinator"])
    assert "Ravi" not in page(client.get("/referrals/"))
    dashboard = page(client.get("/coordinate/"))
    assert "Referrals waiting (0)" in dashboard and "Ravi" not in dashboard
    for method, route, data in (("get", "", None),
                                ("post", "/accept", {**ACCEPT, "mentor_id": network["mentor"].id}),
                                ("post", "/decline", {"decline_reason": "no_capacity"})):
        theirs = getattr(client, method)(f"/referrals/{ravi.public_id}{route}", data=data)
        made_up = getattr(client, method)(f"/referrals/no-such-referral{route}", data=data)
        assert theirs.status_code == made_up.status_code == 404 and theirs.data == made_up.data, route
    db.session.refresh(ravi)
    assert ravi.status == "new" and db.session.scalar(select(Pathway)) is None


def test_the_addressed_organisation_sees_accepts_and_owns_the_pathway(client, auth, network):
    """Fife's co-ordinator sees it in the queue, the dashboard and its page (which names Fife), and on accepting
    Fife owns the pathway; our co-ordinator still cannot open it."""
    ravi = refer(client, auth, network, "Ravi", network["fife"])
    # Jamie mentors for Fife too: a pathway's mentors come from the organisation that owns it.
    db.session.add(Membership(organisation_id=network["fife"].id, person_id=network["mentor"].id))
    db.session.commit()
    auth.login(network["fife_coordinator"])
    assert "Ravi" in page(client.get("/referrals/"))
    assert "Referrals waiting (1)" in page(client.get("/coordinate/"))
    detail = page(client.get(f"/referrals/{ravi.public_id}"))
    assert "to Fife Throughcare" in detail and "Accept" in detail
    accepted = client.post(f"/referrals/{ravi.public_id}/accept", data={**ACCEPT, "mentor_id": network["mentor"].id})
    assert accepted.status_code == 302
    pathway = db.session.scalar(select(Pathway).where(Pathway.first_name == "Ravi"))
    assert pathway.organisation_id == network["fife"].id
    auth.login(network["coordinator"])
    assert client.get(f"/pathways/{pathway.public_id}").status_code == 404


def test_the_fourteen_day_flag_counts_only_ones_own(client, auth, network):
    """A referral waiting 15 days is flagged for its organisation's co-ordinator, not another's."""
    lee = refer(client, auth, network, "Lee", network["ours"])
    lee.received_at -= timedelta(days=15)
    db.session.commit()
    auth.login(network["coordinator"])
    assert "Waiting more than 14 days" in page(client.get("/coordinate/"))
    assert "Waiting more than 14 days" in page(client.get("/referrals/"))
    auth.login(network["fife_coordinator"])
    assert "Waiting more than 14 days" not in page(client.get("/coordinate/"))
    assert "Waiting more than 14 days" not in page(client.get("/referrals/"))


def test_a_declined_referral_is_still_erased_after_retention(client, auth, network):
    """Declined by the organisation it was sent to; gone once past its purge date."""
    ash = refer(client, auth, network, "Ash", network["fife"])
    auth.login(network["fife_coordinator"])
    assert client.post(f"/referrals/{ash.public_id}/decline", data={"decline_reason": "no_capacity"}).status_code == 302
    db.session.refresh(ash)
    assert ash.status == "declined"
    assert purge_declined(ash.purge_after) == 0
    assert purge_declined(ash.purge_after + timedelta(days=1)) == 1
    db.session.commit()
    assert db.session.scalar(select(Referral)) is None


def test_0036_addresses_existing_referrals_and_goes_down_and_up(migrated_app):  # noqa: F811
    """On the demo network: an accepted referral goes with its pathway's owner, the rest to the founding
    organisation; down and up again keeps every referral."""
    runner = migrated_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert runner.invoke(args=["db", "downgrade", "0035_staff_view"]).exit_code == 0
    with migrated_app.app_context():
        # An accepted referral whose pathway was handed to another organisation, and a founding one renamed away
        # from nothing: the second organisation must win for the first, the founding for the rest.
        db.session.execute(text("INSERT INTO organisations (public_id, name, kind, created_at) "
                                "VALUES ('abc', 'Fife Throughcare', 'throughcare', CURRENT_TIMESTAMP)"))
        fife = db.session.execute(text("SELECT id FROM organisations WHERE name = 'Fife Throughcare'")).scalar()
        founding = db.session.execute(text("SELECT id FROM organisations WHERE name = 'Recovery Network'")).scalar()
        accepted = db.session.execute(text(
            "SELECT id, pathway_id FROM pathway_referrals WHERE pathway_id IS NOT NULL ORDER BY id")).first()
        db.session.execute(text("UPDATE pathways SET organisation_id = :o WHERE id = :p"),
                           {"o": fife, "p": accepted.pathway_id})
        total = db.session.execute(text("SELECT count(*) FROM pathway_referrals")).scalar()
        db.session.commit()
        db.session.remove()
    assert total >= 3
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0

    def owners() -> dict[int, int]:
        """Each referral's organisation."""
        with migrated_app.app_context():
            rows = dict(db.session.execute(text("SELECT id, organisation_id FROM pathway_referrals")).all())
            db.session.remove()
            return rows

    after = owners()
    assert len(after) == total and after.pop(accepted.id) == fife and set(after.values()) == {founding}
    for step in ("-1", "+1"):
        command = "downgrade" if step == "-1" else "upgrade"
        assert runner.invoke(args=["db", command, "--", step]).exit_code == 0
    assert len(owners()) == total
    assert runner.invoke(args=["db", "check"]).exit_code == 0
