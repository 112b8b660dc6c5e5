"""An escalation is on every co-ordinator's dashboard but emailed ONCE, to the pathway's co-ordinator."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from recovery_network.extensions import db
from recovery_network.pathways import followups
from recovery_network.pathways.models import Pathway
from recovery_network.pathways.throughcare_models import Referral
from recovery_network.rota.models import OutboxMessage
from tests.conftest import founding_organisation
from tests.pathways.conftest import RELEASE, TODAY, open_form
from tests.pathways.test_throughcare import contact, opened, page


def escalation_mail() -> list[OutboxMessage]:
    """Every escalation email in the outbox."""
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("escalation%"))))


def test_one_email_to_the_coordinator_who_opened_it_and_none_on_a_repeat(client, auth, setting, make_person):
    """Three co-ordinators and an admin; the one who opened the pathway gets the single email."""
    others = [make_person("coordinator", first_name="Iain"), make_person("admin", first_name="Ailsa")]
    pathway = opened(client, auth, setting, release_date=(TODAY - timedelta(days=3)).isoformat())
    contact(client, pathway, TODAY - timedelta(days=2), "no_response")
    assert escalation_mail() == []  # the first try opens a follow-up, nothing more
    contact(client, pathway, TODAY - timedelta(days=1), "no_response")
    [mail] = escalation_mail()
    assert mail.person_id == setting["coordinator"].id and pathway.first_name not in mail.body
    contact(client, pathway, TODAY, "no_response")  # a repeat: still the one email
    assert len(escalation_mail()) == 1
    for person in others:  # the flag is on every co-ordinator's dashboard all the same
        auth.login(person)
        assert "Escalations (1)" in page(client.get("/coordinate/"))


def test_the_daily_silence_escalation_is_one_email_too(app, client, auth, setting, make_person):
    """Seven days' silence: one email, and running the job again sends none."""
    make_person("coordinator", first_name="Iain")
    opened(client, auth, setting, release_date=(TODAY - timedelta(days=7)).isoformat())
    runner = app.test_cli_runner()
    runner.invoke(args=["throughcare-daily"])
    runner.invoke(args=["throughcare-daily"])
    assert [m.person_id for m in escalation_mail()] == [setting["coordinator"].id]


def test_a_referral_goes_to_the_coordinator_who_accepted_it(client, auth, setting, make_person):
    """Referred by staff, accepted by Iain: Iain is the pathway's co-ordinator."""
    iain = make_person("coordinator", first_name="Iain")
    staff = make_person("establishment_staff", first_name="Gordon", establishments=[setting["prison"]])
    auth.login(staff)
    client.post("/referrals/new", data={
        "first_name": "Ravi", "establishment_id": setting["prison"].id, "organisation_id": founding_organisation().id,
        "release_date": (TODAY - timedelta(days=3)).isoformat(), "destination": "Dundee",
        "referrer_org": "HMP Perth Link Centre", "consent_taken_by": "Gordon R", "consent_on": TODAY.isoformat(),
        "consent_how": "in_person", "consent_given": "y"})
    referral = db.session.scalar(select(Referral))
    auth.login(iain)
    assert client.post(f"/referrals/{referral.public_id}/accept", data={
        "mentor_id": setting["mentor"].id, "backup_mentor_id": 0, "community_mentor_id": 0}).status_code == 302
    pathway = db.session.scalar(select(Pathway))
    assert followups.responsible_coordinator(pathway) == iain
    contact(client, pathway, TODAY - timedelta(days=2), "no_response")
    contact(client, pathway, TODAY - timedelta(days=1), "no_response")
    assert [m.person_id for m in escalation_mail()] == [iain.id]


def test_opened_by_a_mentor_it_goes_to_the_longest_standing_coordinator(client, auth, setting, make_person):
    """No co-ordinator opened it: the longest-standing active co-ordinator, not the admin and not everyone."""
    make_person("admin", first_name="Ailsa")
    make_person("coordinator", first_name="Iain")
    auth.login(setting["mentor"])
    response = client.post("/pathways/new", data=open_form(setting, release_date=RELEASE.isoformat()))
    assert response.status_code == 302
    pathway = db.session.scalar(select(Pathway))
    assert followups.responsible_coordinator(pathway) == setting["coordinator"]
    setting["coordinator"].status = "suspended"
    db.session.commit()
    assert followups.responsible_coordinator(pathway).first_name == "Iain"
