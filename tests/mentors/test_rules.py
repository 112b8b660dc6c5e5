"""The eligibility rule is pure: who may take which role at which session, on that session's date."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from recovery_network.mentors.rules import ClearanceFact, TrainingFact, eligible, expires_within

SESSION = date(2026, 12, 8)
MENTOR = TrainingFact("peer_mentor", "verified", date(2026, 1, 1), date(2027, 1, 1))
FACILITATOR = TrainingFact("facilitator", "verified", date(2026, 1, 1), None)
PERTH = ClearanceFact(1, "approved", date(2026, 6, 1), date(2027, 6, 1))


def test_community_peer_mentor_needs_in_date_training_only():
    """Community sessions need the role's training, no clearance."""
    assert eligible("peer_mentor", SESSION, establishment_id=None, trainings=[MENTOR], clearances=[])
    decision = eligible("peer_mentor", SESSION, establishment_id=None, trainings=[], clearances=[])
    assert not decision and "peer mentor training" in decision.reasons[0]


def test_facilitator_slot_needs_facilitator_training():
    """Peer mentor training does not make someone a facilitator."""
    assert not eligible("facilitator", SESSION, establishment_id=None, trainings=[MENTOR], clearances=[])
    assert eligible("facilitator", SESSION, establishment_id=None, trainings=[FACILITATOR], clearances=[])


def test_custody_needs_clearance_for_that_establishment():
    """Clearance for Perth does not let anyone into Barlinnie."""
    assert eligible("peer_mentor", SESSION, establishment_id=1, trainings=[MENTOR], clearances=[PERTH])
    decision = eligible("peer_mentor", SESSION, establishment_id=2, trainings=[MENTOR], clearances=[PERTH])
    assert not decision and "clearance" in decision.reasons[0]


def test_clearance_expiring_the_day_before_the_session_is_refused_though_valid_today():
    """Judged on the session's date, not today's."""
    lapsing = ClearanceFact(1, "approved", date(2026, 6, 1), date(2026, 12, 7))
    assert eligible("peer_mentor", date(2026, 12, 7), establishment_id=1, trainings=[MENTOR], clearances=[lapsing])
    assert not eligible("peer_mentor", SESSION, establishment_id=1, trainings=[MENTOR], clearances=[lapsing])


def test_training_expiring_before_the_session_is_refused():
    """Training is also judged on the session's date."""
    old = TrainingFact("peer_mentor", "verified", date(2025, 1, 1), date(2026, 12, 1))
    assert not eligible("peer_mentor", SESSION, establishment_id=None, trainings=[old], clearances=[])


def test_unverified_or_revoked_things_never_count():
    """Only verified training and approved clearance count."""
    pending = TrainingFact("peer_mentor", "pending", date(2026, 1, 1))
    suspended = ClearanceFact(1, "suspended", date(2026, 1, 1))
    assert not eligible("peer_mentor", SESSION, establishment_id=None, trainings=[pending], clearances=[])
    assert not eligible("peer_mentor", SESSION, establishment_id=1, trainings=[MENTOR], clearances=[suspended])


def test_clearance_not_started_yet_is_refused():
    """A clearance that starts after the session doesn't cover it."""
    later = ClearanceFact(1, "approved", date(2027, 1, 1))
    assert not eligible("peer_mentor", SESSION, establishment_id=1, trainings=[MENTOR], clearances=[later])


def test_pending_account_and_unknown_role_give_every_reason():
    """Every reason is listed, so the person knows everything to sort out."""
    decision = eligible("cook", SESSION, establishment_id=1, trainings=[], clearances=[], approved=False)
    assert len(decision.reasons) == 3


def test_expires_within():
    """Credentials that run out in the next N days, including today."""
    today = date(2026, 11, 22)
    assert expires_within(date(2026, 11, 22), today, 30)
    assert expires_within(date(2026, 12, 22), today, 30)
    assert not expires_within(date(2026, 12, 23), today, 30)
    assert not expires_within(date(2026, 11, 21), today, 30)
    assert not expires_within(None, today, 30)


@given(st.dates(date(2025, 1, 1), date(2028, 12, 31)), st.dates(date(2025, 1, 1), date(2028, 12, 31)),
       st.dates(date(2025, 1, 1), date(2028, 12, 31)))
def test_custody_eligibility_is_exactly_the_clearance_window(valid_from, expires_on, on):
    """Property: with in-date training, custody eligibility holds iff valid_from <= on <= expires_on."""
    clearance = ClearanceFact(7, "approved", valid_from, expires_on)
    training = TrainingFact("peer_mentor", "verified", date(2024, 1, 1), None)
    decision = eligible("peer_mentor", on, establishment_id=7, trainings=[training], clearances=[clearance])
    assert bool(decision) == (valid_from <= on <= expires_on)
