"""Contact standards, working days and non-response: pure rules, property-tested (suppression: test_suppression.py)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from recovery_network.holidays import public_holiday
from recovery_network.pathways import standards
from recovery_network.pathways.standards import AT_RISK, MET, MISSED, ON_TRACK, Contact

RELEASE = date(2026, 3, 10)
MODES = st.sampled_from(sorted(standards.FACE_TO_FACE | {"phone", "video", "no_response"}))
contacts = st.lists(st.builds(Contact, st.dates(RELEASE - timedelta(days=50), RELEASE + timedelta(days=50)), MODES))
days = st.dates(RELEASE - timedelta(days=60), RELEASE + timedelta(days=60))


def test_pre_release_states():
    """Two face-to-face before release is met; fewer is at risk from 14 days out, missed on release day."""
    one = [Contact(RELEASE - timedelta(days=20), "face_to_face"), Contact(RELEASE - timedelta(days=3), "phone")]
    assert standards.pre_release(RELEASE, RELEASE - timedelta(days=15), one).state == ON_TRACK
    assert standards.pre_release(RELEASE, RELEASE - timedelta(days=14), one).state == AT_RISK
    assert standards.pre_release(RELEASE, RELEASE, one).state == MISSED
    two = one + [Contact(RELEASE - timedelta(days=2), "agency_visit")]
    assert standards.pre_release(RELEASE, RELEASE + timedelta(days=30), two).state == MET


@settings(deadline=None)
@given(contacts, days)
def test_phone_video_and_no_response_never_count_as_seen(found, today):
    """Only face to face, the gate and an agency visit meet a face-to-face standard."""
    remote = [Contact(c.on, "phone") for c in found]
    assert all(s.state != MET for s in standards.standards(RELEASE, today, remote))


@settings(deadline=None)
@given(contacts, days)
def test_states_are_monotone_in_evidence(found, today):
    """Adding a face-to-face contact never makes a standard worse."""
    order = {MISSED: 0, AT_RISK: 1, ON_TRACK: 2, MET: 3}
    before = standards.standards(RELEASE, today, found)
    extra = found + [Contact(min(today, RELEASE + timedelta(days=1)), "face_to_face")]
    after = standards.standards(RELEASE, today, extra)
    for old, new in zip(before, after, strict=True):
        assert order[new.state] >= order[old.state] or old.code == "pre_release" and new.state == old.state


@settings(deadline=None)
@given(contacts, days)
def test_weekly_missed_exactly_when_a_finished_week_had_no_face_to_face(found, today):
    """The weekly standard is missed iff some finished week of the six had no face-to-face contact."""
    seen = standards.face_to_face(found)
    gap = any((RELEASE + timedelta(weeks=w, days=6)) < today and not any(
        RELEASE + timedelta(weeks=w) <= d <= RELEASE + timedelta(weeks=w, days=6) for d in seen) for w in range(6))
    assert (standards.weekly(RELEASE, today, found).state == MISSED) == (gap and today >= RELEASE)


@settings(deadline=None)  # the holidays package loads a year on first use
@given(st.dates(date(2025, 1, 1), date(2030, 12, 31)))
def test_next_working_day_is_the_first_working_day_after(day):
    """Never a weekend or a Scottish public holiday, and nothing working skipped in between."""
    nxt = standards.next_working_day(day)
    assert nxt > day and nxt.weekday() < 5 and not public_holiday(nxt)
    between = [day + timedelta(days=n) for n in range(1, (nxt - day).days)]
    assert all(d.weekday() >= 5 or public_holiday(d) for d in between)


def test_next_working_day_over_christmas():
    """Christmas Eve 2026 is a Thursday; Christmas and Boxing Day (moved to Monday 28th) are holidays."""
    assert standards.next_working_day(date(2026, 12, 24)) == date(2026, 12, 29)


def test_non_response_opens_then_escalates_and_a_contact_closes():
    """First no response opens a follow-up; a second while it is open escalates; any contact closes."""
    assert standards.non_response_action("no_response", False) == "open"
    assert standards.non_response_action("no_response", True) == "escalate"
    for mode in ("face_to_face", "phone", "video", "gate", "agency_visit"):
        assert standards.non_response_action(mode, True) == "close"


@settings(deadline=None)
@given(contacts, st.integers(0, 60))
def test_silence_is_seven_days_without_any_contact(found, after):
    """Silent iff seven or more days have passed since release or the last real contact, within support."""
    today = RELEASE + timedelta(days=after)
    end = standards.support_end(RELEASE)
    reached = [c.on for c in found if c.mode != "no_response" and RELEASE <= c.on <= today]
    expected = RELEASE < today <= end and (today - max(reached, default=RELEASE)).days >= 7
    assert standards.silent(RELEASE, today, found, end) == expected


def test_support_extends_in_four_week_steps_to_a_limit():
    """Six weeks, then four at a time, up to 26 weeks."""
    assert standards.support_end(RELEASE, 0) == RELEASE + timedelta(weeks=6)
    assert standards.support_end(RELEASE, 2) == RELEASE + timedelta(weeks=14)
    assert standards.may_extend(4) and not standards.may_extend(5)
