"""Named operations on the register. They enforce who may make each move, flush, and never commit."""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import select, true

from recovery_network.accounts.models import ESTABLISHMENT_STAFF, Person
from recovery_network.audit.services import record
from recovery_network.errors import DomainError
from recovery_network.extensions import db
from recovery_network.mentors.models import (
    LIVE_CLEARANCE,
    Clearance,
    ClearanceChange,
    Course,
    PvgMembership,
    TrainingRecord,
)
from recovery_network.mentors.rules import ClearanceFact, Decision, TrainingFact, clearance_in_date, eligible
from recovery_network.signals import credentials_changed
from recovery_network.types import utcnow
from recovery_network.venues.models import Venue

# The moves a co-ordinator may make; anything else is refused (and a fresh request starts a new row).
CLEARANCE_MOVES = {
    "requested": {"pending", "approved", "revoked"},
    "pending": {"approved", "revoked"},
    "approved": {"suspended", "expired", "revoked"},
    "suspended": {"approved", "expired", "revoked"},
    "expired": set(),
    "revoked": set(),
}


class RegisterError(DomainError):
    """A change to the register that its rules do not allow."""


def default_expiry(course: Course, completed_on: date) -> date | None:
    """When training runs out if the course has a refresh period."""
    if course.refresh_months is None:
        return None
    return completed_on + relativedelta(months=course.refresh_months)


def _check_dates(completed_on: date, expires_on: date | None, today: date) -> None:
    """A completion can't be in the future, and an expiry must follow it."""
    if completed_on > today:
        raise RegisterError("The completion date can't be in the future.")
    if completed_on < date(1990, 1, 1):
        raise RegisterError("Check the completion date.")
    if expires_on is not None and expires_on <= completed_on:
        raise RegisterError("The expiry date must be after the completion date.")


def submit_training(person: Person, course: Course, completed_on: date, today: date) -> TrainingRecord:
    """A volunteer adds their own training; it waits for a co-ordinator to verify it."""
    _check_dates(completed_on, None, today)
    _refuse_duplicate(person, course)
    training = TrainingRecord(person=person, course=course, completed_on=completed_on,
                              expires_on=default_expiry(course, completed_on), status="pending")
    db.session.add(training)
    db.session.flush()
    record("training.submit", person, training)
    return training


def record_training(person: Person, course: Course, completed_on: date, expires_on: date | None,
                    by: Person, today: date) -> TrainingRecord:
    """A co-ordinator records training they have seen evidence of: verified at once."""
    if by.id == person.id:
        raise RegisterError("Someone else must record and verify your own training.")
    expires_on = expires_on or default_expiry(course, completed_on)
    _check_dates(completed_on, expires_on, today)
    _refuse_duplicate(person, course)
    training = TrainingRecord(person=person, course=course, completed_on=completed_on, expires_on=expires_on,
                              status="verified", verified_by_id=by.id, verified_at=utcnow())
    db.session.add(training)
    db.session.flush()
    record("training.record", by, training)
    return training


def _refuse_duplicate(person: Person, course: Course) -> None:
    """One current record per course; the partial unique index backs this up."""
    existing = db.session.scalar(
        select(TrainingRecord.id).where(
            TrainingRecord.person_id == person.id,
            TrainingRecord.course_id == course.id,
            TrainingRecord.status.in_(("pending", "verified")),
        )
    )
    if existing is not None:
        raise RegisterError("There is already a current record of this course; update that one instead.")


def decide_training(training: TrainingRecord, status: str, by: Person) -> None:
    """Verify, reject or revoke a training record (co-ordinators only; never your own)."""
    if by.id == training.person_id:
        raise RegisterError("Someone else must verify your own training.")
    allowed = {"pending": {"verified", "rejected"}, "verified": {"revoked"}}.get(training.status, set())
    if status not in allowed:
        raise RegisterError(f"A {training.status} record can't become {status}.")
    training.status = status
    if status == "verified":
        training.verified_by_id = by.id
        training.verified_at = utcnow()
    record(f"training.{status}", by, training)
    if status == "revoked":
        db.session.flush()
        _release(training.person, by)


def request_clearance(person: Person, venue: Venue, by: Person) -> Clearance:
    """Start a clearance request for one establishment."""
    if not venue.is_custody:
        raise RegisterError("Clearance is only for custody establishments.")
    live = db.session.scalar(
        select(Clearance).where(
            Clearance.person_id == person.id, Clearance.venue_id == venue.id, Clearance.status.in_(LIVE_CLEARANCE)
        )
    )
    if live is not None:
        article = "an" if live.status[:1] in "aeiou" else "a"
        raise RegisterError(f"{person.display_name} already has {article} {live.status} clearance for {venue.name}.")
    clearance = Clearance(person=person, venue=venue, status="requested")
    clearance.changes.append(ClearanceChange(from_status=None, to_status="requested", by_id=by.id))
    db.session.add(clearance)
    db.session.flush()
    record("clearance.request", by, clearance)
    return clearance


def move_clearance(clearance: Clearance, to: str, by: Person, *, valid_from: date | None = None,
                   expires_on: date | None = None, reference: str | None = None) -> None:
    """A co-ordinator moves a clearance along; each move is recorded and audited."""
    if by.id == clearance.person_id:
        raise RegisterError("Someone else must decide on your own clearance.")
    if to not in CLEARANCE_MOVES.get(clearance.status, set()):
        raise RegisterError(f"A {clearance.status} clearance can't become {to}.")
    if to == "approved":
        valid_from = valid_from or clearance.valid_from
        if valid_from is None:
            raise RegisterError("Give the date the clearance starts.")
        if expires_on is not None and expires_on < valid_from:
            raise RegisterError("The expiry date must be on or after the start date.")
        clearance.valid_from = valid_from
        clearance.expires_on = expires_on
    if reference is not None:
        clearance.establishment_ref = reference.strip()[:40]
    clearance.changes.append(ClearanceChange(from_status=clearance.status, to_status=to, by_id=by.id))
    clearance.status = to
    clearance.updated_at = utcnow()
    db.session.flush()
    record(f"clearance.{to}", by, clearance)
    # Authorisation changes take effect at once (ASVS 8.3.2): free any places the person no longer qualifies for.
    _release(clearance.person, by)


def _release(person: Person, by: Person | None) -> None:
    """Release future rota places that the person's register no longer allows."""
    credentials_changed.send(person, today=utcnow().date(), by=by)


def expire_lapsed(today: date, by: Person | None = None) -> list[Clearance]:
    """Mark approved clearances past their expiry as expired (run daily from cron)."""
    lapsed = db.session.scalars(
        select(Clearance).where(Clearance.status.in_(("approved", "suspended")), Clearance.expires_on < today)
    ).all()
    for clearance in lapsed:
        clearance.changes.append(ClearanceChange(from_status=clearance.status, to_status="expired",
                                                 by_id=getattr(by, "id", None)))
        clearance.status = "expired"
        clearance.updated_at = utcnow()
        record("clearance.expired", by, clearance, detail="lapsed")
    db.session.flush()
    for clearance in lapsed:
        _release(clearance.person, by)
    return list(lapsed)


def record_pvg(person: Person, status: str, confirmed_on: date | None, renewal_due: date | None,
               by: Person) -> PvgMembership:
    """Record PVG membership as a fact with dates."""
    if by.id == person.id:
        raise RegisterError("Someone else must record your PVG membership.")
    if status == "member" and confirmed_on is None:
        raise RegisterError("Give the date membership was confirmed.")
    membership = db.session.scalar(select(PvgMembership).where(PvgMembership.person_id == person.id))
    if membership is None:
        membership = PvgMembership(person_id=person.id)
        db.session.add(membership)
    membership.status = status
    membership.confirmed_on = confirmed_on
    membership.renewal_due = renewal_due
    membership.recorded_by_id = by.id
    membership.updated_at = utcnow()
    db.session.flush()
    record("pvg.record", by, person, detail=status)
    return membership


def facts_for(person: Person) -> tuple[list[TrainingFact], list[ClearanceFact]]:
    """The person's register as plain facts for the pure eligibility rule.

    A prison officer's staff post is their clearance for their own prison: the establishment vetted them to
    employ them, so it counts as an approved clearance with no end (the one place this is decided).
    """
    trainings = db.session.scalars(select(TrainingRecord).where(TrainingRecord.person_id == person.id)).all()
    clearances = db.session.scalars(select(Clearance).where(Clearance.person_id == person.id)).all()
    posts = [ClearanceFact(post.venue_id, "approved", date.min, None) for post in person.staff_posts
             if ESTABLISHMENT_STAFF in person.role_codes]
    return (
        [TrainingFact(t.course.qualifies_for, t.status, t.completed_on, t.expires_on) for t in trainings],
        [ClearanceFact(c.venue_id, c.status, c.valid_from, c.expires_on) for c in clearances] + posts,
    )


def cleared_establishments(person: Person, on: date) -> set[int]:
    """Establishments the person holds clearance for on a date (their staff posts included)."""
    return {fact.establishment_id for fact in facts_for(person)[1]
            if clearance_in_date(fact, fact.establishment_id, on)}


def eligibility(person: Person, role: str, on: date, establishment_id: int | None) -> Decision:
    """The eligibility rule applied to this person's current register."""
    trainings, clearances = facts_for(person)
    return eligible(role, on, establishment_id=establishment_id, trainings=trainings,
                    clearances=clearances, approved=person.is_approved)


def expiring(today: date, days: int = 30, people=None) -> tuple[list[TrainingRecord], list[Clearance], list[PvgMembership]]:
    """Credentials that run out in the next `days` days, soonest first; `people(column)`, when given, is the
    viewer's bound on whose (a co-ordinator sees their organisations' people: organisations/access.py)."""
    end = today + timedelta(days=days)
    bound = people or (lambda column: true())
    trainings = db.session.scalars(
        select(TrainingRecord).where(TrainingRecord.status == "verified", TrainingRecord.expires_on.between(today, end),
                                     bound(TrainingRecord.person_id))
        .order_by(TrainingRecord.expires_on)
    ).all()
    clearances = db.session.scalars(
        select(Clearance).where(Clearance.status == "approved", Clearance.expires_on.between(today, end),
                                bound(Clearance.person_id))
        .order_by(Clearance.expires_on)
    ).all()
    pvg = db.session.scalars(
        select(PvgMembership).where(PvgMembership.status == "member", PvgMembership.renewal_due.between(today, end),
                                    bound(PvgMembership.person_id))
        .order_by(PvgMembership.renewal_due)
    ).all()
    return list(trainings), list(clearances), list(pvg)
