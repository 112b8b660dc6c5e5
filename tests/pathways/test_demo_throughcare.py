"""The demo seed (`flask seed-demo`) shows every throughcare state issue 13 lists, and keeps the rules it teaches:
consent is taken on or before the day a referral is received, never in the future."""

from __future__ import annotations

from sqlalchemy import select

from recovery_network import demo
from recovery_network.extensions import db
from recovery_network.names import first_name_only
from recovery_network.pathways import followups, referrals, standards
from recovery_network.pathways.models import Pathway, PathwayTally
from recovery_network.pathways.tallies import contacts_of
from recovery_network.pathways.throughcare_models import Referral
from recovery_network.types import utcnow


def test_every_demo_referral_has_consent_on_or_before_it_was_received(app_ctx):
    """Bea's consent was dated after her referral arrived; now every demo referral passes the referral rule."""
    demo.seed(utcnow())
    db.session.commit()
    rows = db.session.scalars(select(Referral)).all()
    assert len(rows) >= 4
    for referral in rows:
        received = referral.received_at.date()
        assert referral.consent_on <= received <= utcnow().date(), (referral.first_name, referral.consent_on)
        assert referrals.consent_problem(referral.consent_on, received) is None, referral.first_name


def test_the_demo_shows_each_state_the_issue_lists(app_ctx):
    """Referrals new, waiting too long, declined and accepted; a pathway with inside and community mentors and an
    integration plan, an agency visit and home leave; an escalation after two tries; a silence; an extension;
    release close with too few contacts; a follow-up overdue; a closure; an erasure that left only its count;
    and names that pass the first-name rule."""
    today = utcnow().date()
    demo.seed(utcnow())
    db.session.commit()
    rows = db.session.scalars(select(Referral)).all()
    assert {r.status for r in rows} == {"new", "accepted", "declined"}
    assert any(late for _, late in referrals.waiting(today)) and any(not late for _, late in referrals.waiting(today))
    pathways = {p.first_name: p for p in db.session.scalars(select(Pathway))}
    dee = pathways["Dee"]
    assert dee.mentor and dee.community_mentor and dee.referral is not None and dee.plan_areas and dee.home_leave
    assert any(i.kind == "agency_visit" for i in dee.items)
    assert {f.reason for f in followups.escalations()} == {"no_response", "silent"}
    assert any(p.extensions for p in pathways.values())
    assert any(p.status == "closed" and p.close_reason for p in pathways.values())
    assert pathways["Jo"].mentor is None and pathways["Jo"].establishment.name == "HMP Low Moss"
    kit = pathways["Kit"]
    assert standards.pre_release(kit.release_date, today, contacts_of(kit)).state == standards.AT_RISK
    assert [o.what for o in followups.overdue(today) if o.pathway is kit] == ["follow-up overdue"]
    assert "Sol" not in pathways
    erased = db.session.scalars(select(PathwayTally.count).where(PathwayTally.measure == "erased")).all()
    assert sum(erased) == 1
    for name in [*pathways, *(r.first_name for r in rows)]:
        assert first_name_only(name) == name
