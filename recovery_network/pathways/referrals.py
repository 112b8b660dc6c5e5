"""Referral intake: establishment staff or a partner refer, with consent recorded; co-ordinators accept or decline.

Never commits. A referral holds only the pathway's minimal fields (first name, prison, release date, area)
and how consent was taken. Accepted, it becomes the pathway (and is erased with it); declined, it is erased
after the retention period.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from recovery_network.accounts.models import COORDINATOR, ESTABLISHMENT_STAFF, Person
from recovery_network.audit.services import record
from recovery_network.extensions import db
from recovery_network.meetings.visibility import may_see_establishment
from recovery_network.pathways import services
from recovery_network.pathways.models import Pathway
from recovery_network.pathways.services import PathwayDetails, PathwayError
from recovery_network.pathways.tallies import area_for, tally
from recovery_network.pathways.throughcare_models import CONSENT_HOW, DECLINE_REASONS, Referral
from recovery_network.types import utcnow
from recovery_network.venues.geo import Point
from recovery_network.venues.models import Venue

UNDECIDED_DAYS = 14  # a referral waiting longer than this is flagged on the dashboard
CONSENT_PAST = timedelta(days=90)


@dataclass
class ReferralDetails:
    """What the referrer enters: the pathway's minimal fields and how the person's consent was taken."""

    first_name: str
    establishment: Venue | None
    release_date: date
    destination: str
    destination_point: Point
    referrer_org: str
    consent_taken_by: str
    consent_on: date
    consent_how: str


def may_refer(person: Person, establishment: Venue | None = None) -> bool:
    """Co-ordinators (for themselves or a partner) anywhere; establishment staff for their own prison."""
    if not (person.is_approved and person.has_role(COORDINATOR, ESTABLISHMENT_STAFF)):
        return False
    return establishment is None or (establishment.is_custody and may_see_establishment(person, establishment.id))


def refer(details: ReferralDetails, by: Person, today: date) -> Referral:
    """Record a referral with the person's consent; it waits in the co-ordinators' queue."""
    name = services.person_name(details.first_name)
    if details.establishment is None or not may_refer(by, details.establishment):
        raise PathwayError("Choose the establishment the person is being released from.", "establishment_id")
    services.check_release_date(details.release_date, today)
    if details.consent_how not in CONSENT_HOW:
        raise PathwayError("Choose how consent was given.", "consent_how")
    problem = consent_problem(details.consent_on, today)
    if problem:
        raise PathwayError(problem, "consent_on")
    referral = Referral(
        public_id=secrets.token_urlsafe(12), first_name=name,
        establishment=details.establishment, release_date=details.release_date,
        destination=details.destination.strip(), destination_latitude=details.destination_point.latitude,
        destination_longitude=details.destination_point.longitude, referrer_org=details.referrer_org.strip(),
        consent_taken_by=details.consent_taken_by.strip(), consent_on=details.consent_on,
        consent_how=details.consent_how, referred_by_id=by.id, status="new",
    )
    db.session.add(referral)
    db.session.flush()
    tally("referrals_received", today, cell_of(referral))
    record("referral.new", by, referral)
    return referral


def consent_problem(consent_on: date, received_on: date) -> str | None:
    """Consent comes first: taken on or before the day the referral is received (never in the future), and
    recently enough to still stand (within 90 days). None when the date is fine, else why not."""
    if consent_on > received_on:
        return (f"Consent is taken before the referral is sent: on or before {received_on:%-d %b %Y}, "
                "never a future date.")
    if consent_on < received_on - CONSENT_PAST:
        return f"Consent older than {CONSENT_PAST.days} days doesn't stand: ask the person again."
    return None


def cell_of(referral: Referral) -> tuple[str, str]:
    """(establishment, area) for a referral's counts."""
    return referral.establishment.name, area_for(referral.destination_latitude, referral.destination_longitude)


def _undecided(referral: Referral) -> None:
    """Only a new referral can be decided."""
    if referral.status != "new":
        raise PathwayError("This referral has already been decided.")


def accept(referral: Referral, mentor: Person | None, backup: Person | None, community: Person | None,
           calendar: bool, plain_titles: bool, by: Person, today: date, organisation_id: int | None = None) -> Pathway:
    """Accept: a pathway opens with the referral's details and the mentors chosen now (owned by the organisation
    chosen, which open_pathway checks, else as open_pathway decides)."""
    _undecided(referral)
    scope = "plan,calendar" if calendar else "plan"
    pathway = services.open_pathway(PathwayDetails(
        first_name=referral.first_name, establishment=referral.establishment, release_date=referral.release_date,
        destination=referral.destination,
        destination_point=Point(referral.destination_latitude, referral.destination_longitude),
        mentor=mentor, backup_mentor=backup, consent_scope=scope, plain_titles=plain_titles,
        community_mentor=community, organisation_id=organisation_id), by, today)
    referral.status, referral.decided_at, referral.decided_by_id = "accepted", utcnow(), by.id
    referral.pathway = pathway
    tally("referrals_accepted", today, cell_of(referral))
    record("referral.accept", by, referral)
    return pathway


def decline(referral: Referral, reason: str, by: Person, today: date, retention_days: int) -> None:
    """Decline with a reason (a code); the referral is erased once the retention period has passed."""
    _undecided(referral)
    if reason not in DECLINE_REASONS:
        raise PathwayError("Choose the reason for declining.", "decline_reason")
    referral.status, referral.decline_reason = "declined", reason
    referral.decided_at, referral.decided_by_id = utcnow(), by.id
    referral.purge_after = today + timedelta(days=retention_days)
    record("referral.decline", by, referral, detail=reason)


def waiting(today: date) -> list[tuple[Referral, bool]]:
    """New referrals, oldest first, each with whether it has waited more than 14 days."""
    rows = db.session.scalars(select(Referral).where(Referral.status == "new").order_by(Referral.received_at)).all()
    return [(r, (today - r.received_at.date()).days > UNDECIDED_DAYS) for r in rows]


def recently_decided(limit: int = 10) -> list[Referral]:
    """The latest decisions, for the queue's history (declined ones until they are erased)."""
    return list(db.session.scalars(select(Referral).where(Referral.status != "new")
                                   .order_by(Referral.decided_at.desc()).limit(limit)))


def purge_declined(today: date) -> int:
    """Cron: erase declined referrals past their retention date."""
    due = db.session.scalars(select(Referral).where(Referral.status == "declined",
                                                    Referral.purge_after < today)).all()
    for referral in due:
        db.session.delete(referral)
    if due:
        record("referral.erase", None, object_type="pathway_referrals", detail=str(len(due)))
    db.session.flush()
    return len(due)
