"""Named operations on pathways: open, propose and edit the plan, record contacts, close, erase. Never commit."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from recovery_network.accounts.models import COORDINATOR, ESTABLISHMENT_STAFF, FACILITATOR, PEER_MENTOR, Person
from recovery_network.audit.services import record
from recovery_network.errors import DomainError
from recovery_network.extensions import db
from recovery_network.meetings.visibility import may_see_establishment
from recovery_network.mentors.services import eligibility
from recovery_network.pathways import plan, planning
from recovery_network.pathways.planning import touched as touch
from recovery_network.pathways.models import ContactRecord, Pathway, PathwayItem, PathwayTally
from recovery_network.types import utcnow
from recovery_network.venues.geo import Point
from recovery_network.venues.models import Venue

CONSENT_VERSION = "2026-11"
OPENERS = (COORDINATOR, ESTABLISHMENT_STAFF, PEER_MENTOR, FACILITATOR)
# A release date may be a week past (recorded late) and at most a year ahead (plans further out go stale).
RELEASE_PAST = timedelta(days=7)
RELEASE_AHEAD = timedelta(days=365)


class PathwayError(DomainError):
    """A change to a pathway that its rules do not allow."""


class BackupNotEligible(PathwayError):
    """The backup mentor would meet the person inside too, so the mentor's rule binds them as well."""


@dataclass
class PathwayDetails:
    """What a co-ordinator or mentor enters to open a pathway: nothing more than the job needs."""

    first_name: str
    establishment: Venue
    release_date: date
    destination: str
    destination_point: Point
    mentor: Person
    backup_mentor: Person | None
    consent_scope: str
    plain_titles: bool = False


def new_reference() -> str:
    """A short reference to say on the phone, with no meaning inside it."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "RN-" + "".join(secrets.choice(alphabet) for _ in range(6))


def check_mentor(mentor: Person, establishment: Venue, release: date, error: type[PathwayError] = PathwayError,
                 role: str = "the mentor") -> None:
    """A mentor must be able to meet the person inside: cleared for the releasing prison a week before release."""
    decision = eligibility(mentor, "peer_mentor", release - timedelta(days=7), establishment.id)
    if not decision:
        raise error(f"{mentor.display_name} can't be {role}: " + " ".join(decision.reasons))


def check_mentors(mentor: Person, backup: Person | None, establishment: Venue, release: date) -> None:
    """Mentor and backup are held to the same rule: both may stand in for the other inside and at the gate."""
    check_mentor(mentor, establishment, release)
    if backup is not None:
        if backup.id == mentor.id:
            raise BackupNotEligible("The backup mentor must be someone else.")
        check_mentor(backup, establishment, release, BackupNotEligible, "the backup mentor")


def may_open(person: Person, establishment: Venue | None = None) -> bool:
    """Co-ordinators anywhere, staff at their own prison, mentors where cleared; a pending account nowhere."""
    if not (person.is_approved and person.has_role(*OPENERS)):
        return False
    return establishment is None or (establishment.is_custody and may_see_establishment(person, establishment.id))


def check_release_date(release: date, today: date) -> None:
    """One window for a release date, opening or changing it: from a week ago to a year ahead."""
    if release < today - RELEASE_PAST:
        raise PathwayError("The release date is more than a week ago; a pathway is planned ahead.")
    if release > today + RELEASE_AHEAD:
        raise PathwayError("The release date is more than a year away.")


def open_pathway(details: PathwayDetails, by: Person, today: date) -> Pathway:
    """Open a pathway with recorded consent, and propose its plan."""
    if details.establishment is None or not may_open(by, details.establishment):
        raise PathwayError("Choose the establishment the person is being released from.")
    check_release_date(details.release_date, today)
    check_mentors(details.mentor, details.backup_mentor, details.establishment, details.release_date)
    pathway = Pathway(
        public_id=secrets.token_urlsafe(12), reference=new_reference(), first_name=details.first_name.strip(),
        establishment=details.establishment, release_date=details.release_date, destination=details.destination,
        destination_latitude=details.destination_point.latitude,
        destination_longitude=details.destination_point.longitude,
        mentor_id=details.mentor.id, backup_mentor_id=details.backup_mentor.id if details.backup_mentor else None,
        consent_scope=details.consent_scope, consent_version=CONSENT_VERSION, consent_at=utcnow(),
        consent_recorded_by_id=by.id, plain_titles=details.plain_titles, status="open",
    )
    db.session.add(pathway)
    db.session.flush()
    planning.propose_plan(pathway, today)
    tally("opened", today)
    record("pathway.open", by, pathway)
    return pathway


def change_release_date(pathway: Pathway, new_date: date, by: Person, today: date) -> list[PathwayItem]:
    """Early release and postponement are common: re-base the plan, keeping what was chosen by hand."""
    if new_date == pathway.release_date:
        return []
    check_release_date(new_date, today)
    check_mentors(pathway.mentor, pathway.backup_mentor, pathway.establishment, new_date)
    review = planning.rebase(pathway, new_date, today)
    touch(pathway, by, "pathway.rebase")
    return review


def record_contact(pathway: Pathway, on: date, outcome: str, by: Person, today: date) -> ContactRecord:
    """The mentor notes a contact: met, not met, or cancelled. No narrative is kept."""
    if outcome not in ("met", "not_met", "cancelled"):
        raise PathwayError("Choose met, not met or cancelled.")
    start, end = plan.window(pathway.release_date)
    if not start <= on <= min(end, today):
        raise PathwayError("The date must be within the pathway and not in the future.")
    contact = ContactRecord(on=on, outcome=outcome, by_id=by.id)
    pathway.contacts.append(contact)
    if outcome == "met" and on == pathway.release_date:
        tally("gate_met", on)
    touch(pathway, by, "pathway.contact")
    return contact


def flags(pathway: Pathway, today: date) -> list[str]:
    """Welfare prompts for the co-ordinator's dashboard."""
    return plan.contact_flags(pathway.release_date, today, [c.on for c in pathway.contacts if c.outcome == "met"])


def tally(measure: str, on: date, count: int = 1) -> None:
    """Add to an anonymous monthly count."""
    month = on.strftime("%Y-%m")
    row = db.session.scalar(select(PathwayTally).where(PathwayTally.month == month, PathwayTally.measure == measure))
    if row is None:
        row = PathwayTally(month=month, measure=measure, count=0)
        db.session.add(row)
    row.count += count


def close(pathway: Pathway, today: date, retention_days: int, by: Person | None = None) -> None:
    """Close a pathway: its feed stops, and it will be erased after the retention period."""
    from recovery_network.pathways.feeds import revoke_all

    if pathway.status != "open":
        return
    pathway.status = "closed"
    pathway.closed_at = utcnow()
    pathway.purge_after = today + timedelta(days=retention_days)
    revoke_all(pathway)
    tally("weeks_with_contact", pathway.release_date,
          plan.weeks_with_contact(pathway.release_date, [c.on for c in pathway.contacts if c.outcome == "met"]))
    touch(pathway, by, "pathway.close")


def erase(pathway: Pathway, by: Person | None, today: date) -> None:
    """Remove every trace of the person (items, contacts, feed links); only anonymous counts remain."""
    if pathway.status == "open":
        tally("weeks_with_contact", pathway.release_date,
              plan.weeks_with_contact(pathway.release_date, [c.on for c in pathway.contacts if c.outcome == "met"]))
    tally("erased", today)
    record("pathway.erase", by, object_type="pathways")  # no id: nothing left points at the person
    db.session.delete(pathway)
    db.session.flush()


def close_and_purge(today: date, retention_days: int) -> tuple[int, int]:
    """Cron: close pathways whose six weeks are over; erase closed ones past their retention date."""
    ended = db.session.scalars(select(Pathway).where(
        Pathway.status == "open", Pathway.release_date < today - plan.WINDOW)).all()
    for pathway in ended:
        close(pathway, today, retention_days)
    due = db.session.scalars(select(Pathway).where(Pathway.status != "open", Pathway.purge_after < today)).all()
    for pathway in due:
        erase(pathway, None, today)
    return len(ended), len(due)
