"""Named operations on pathways: open, propose and edit the plan, record contacts, close, erase. Never commit."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, select

from recovery_network.accounts.models import COORDINATOR, ESTABLISHMENT_STAFF, FACILITATOR, PEER_MENTOR, Person
from recovery_network.audit.services import record
from recovery_network.errors import DomainError
from recovery_network.extensions import db
from recovery_network.organisations.access import home_organisation
from recovery_network.meetings.visibility import may_see_establishment
from recovery_network.mentors.services import eligibility
from recovery_network.pathways import followups, plan, planning, standards
from recovery_network.pathways.planning import touched as touch
from recovery_network.pathways.models import CLOSE_REASONS, CONTACT_MODES, ContactRecord, Pathway, PathwayItem
from recovery_network.pathways.tallies import cell_of, contacts_of, settle, tally
from recovery_network.rota.models import OutboxMessage
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
    mentor: Person | None  # the mentor inside: cleared for the releasing prison
    backup_mentor: Person | None
    consent_scope: str
    plain_titles: bool = False
    community_mentor: Person | None = None  # the mentor outside: no clearance needed
    organisation_id: int | None = None  # the owner; by default the organisation of whoever opens it


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


class CommunityMentorNotEligible(PathwayError):
    """The community mentor must be an active mentor; no prison clearance is asked of them."""


def check_mentors(mentor: Person | None, backup: Person | None, establishment: Venue, release: date,
                  community: Person | None = None) -> None:
    """Inside parts need a mentor cleared for the prison (backup too: they stand in inside and at the gate);
    the community mentor meets the person outside, so needs only to be an active mentor."""
    if mentor is None and community is None:
        raise PathwayError("Choose a mentor inside, a community mentor, or both.")
    if mentor is not None:
        check_mentor(mentor, establishment, release)
    if backup is not None:
        if mentor is None:
            raise BackupNotEligible("A backup stands in for the mentor inside: choose that mentor first.")
        if backup.id == mentor.id:
            raise BackupNotEligible("The backup mentor must be someone else.")
        check_mentor(backup, establishment, release, BackupNotEligible, "the backup mentor")
    if community is not None and not (community.is_approved and community.has_role(PEER_MENTOR, FACILITATOR)):
        raise CommunityMentorNotEligible(f"{community.display_name} can't be the community mentor: "
                                         "only an approved peer mentor or facilitator can.")


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


def owner_for(details: PathwayDetails, by: Person) -> int | None:
    """Who owns a new pathway: as chosen, else the opener's organisation, else (prison staff often belong to
    none) the mentor's, so the mentoring organisation's co-ordinators can act on it."""
    return details.organisation_id or next(
        (org for person in (by, details.mentor, details.community_mentor) if (org := home_organisation(person))), None)


def open_pathway(details: PathwayDetails, by: Person, today: date) -> Pathway:
    """Open a pathway with recorded consent, and propose its plan."""
    if details.establishment is None or not may_open(by, details.establishment):
        raise PathwayError("Choose the establishment the person is being released from.")
    check_release_date(details.release_date, today)
    check_mentors(details.mentor, details.backup_mentor, details.establishment, details.release_date,
                  details.community_mentor)
    pathway = Pathway(
        public_id=secrets.token_urlsafe(12), reference=new_reference(), first_name=details.first_name.strip(),
        establishment=details.establishment, release_date=details.release_date, destination=details.destination,
        destination_latitude=details.destination_point.latitude,
        destination_longitude=details.destination_point.longitude,
        mentor_id=details.mentor.id if details.mentor else None,
        backup_mentor_id=details.backup_mentor.id if details.backup_mentor else None,
        community_mentor_id=details.community_mentor.id if details.community_mentor else None,
        consent_scope=details.consent_scope, consent_version=CONSENT_VERSION, consent_at=utcnow(),
        consent_recorded_by_id=by.id, plain_titles=details.plain_titles, status="open",
        organisation_id=owner_for(details, by),
    )
    db.session.add(pathway)
    db.session.flush()
    planning.propose_plan(pathway, today)
    tally("opened", today, cell_of(pathway))
    record("pathway.open", by, pathway)
    return pathway


def change_release_date(pathway: Pathway, new_date: date, by: Person, today: date) -> list[PathwayItem]:
    """Early release and postponement are common: re-base the plan, keeping what was chosen by hand."""
    if new_date == pathway.release_date:
        return []
    check_release_date(new_date, today)
    check_mentors(pathway.mentor, pathway.backup_mentor, pathway.establishment, new_date, pathway.community_mentor)
    review = planning.rebase(pathway, new_date, today)
    touch(pathway, by, "pathway.rebase")
    return review


def record_contact(pathway: Pathway, on: date, mode: str, by: Person, today: date) -> ContactRecord:
    """The mentor notes a contact and how it happened, or a try with no response (which opens a follow-up)."""
    if mode not in CONTACT_MODES:
        raise PathwayError("Choose how the contact happened.")
    if pathway.status != "open":
        raise PathwayError("This pathway is closed.")
    start, _ = plan.window(pathway.release_date)
    end = standards.support_end(pathway.release_date, len(pathway.extensions))
    if not start <= on <= min(end, today):
        raise PathwayError("The date must be within the pathway and not in the future.")
    if mode == "gate" and on != pathway.release_date:
        raise PathwayError("A meeting at the gate is on the release day.")
    first_gate = mode == "gate" and not any(c.mode == "gate" for c in pathway.contacts)
    contact = ContactRecord(on=on, mode=mode, by_id=by.id)
    pathway.contacts.append(contact)
    if first_gate:
        tally("gate_met", on, cell_of(pathway))
    followups.after_contact(pathway, contact, today)
    touch(pathway, by, "pathway.contact")
    return contact


def flags(pathway: Pathway, today: date) -> list[str]:
    """Welfare prompts for the mentor and the co-ordinator's dashboard."""
    contacts = contacts_of(pathway)
    end = standards.support_end(pathway.release_date, len(pathway.extensions))
    found = []
    before = standards.pre_release(pathway.release_date, today, contacts)
    if before.state == standards.AT_RISK:
        found.append(f"Fewer than two face-to-face contacts before release ({before.note}).")
    found += plan.contact_flags(pathway.release_date, min(today, end), standards.face_to_face(contacts))
    found += followups.flags(pathway, today)
    return found


def close(pathway: Pathway, today: date, retention_days: int, by: Person | None = None,
          reason: str = "ended") -> None:
    """Close a pathway with how it ended: its feed stops, follow-ups close, and erasure is due after retention."""
    from recovery_network.pathways.feeds import revoke_all

    if reason not in CLOSE_REASONS:
        raise PathwayError("Choose how the pathway ended.")
    if pathway.status != "open":
        return
    pathway.status = "closed"
    pathway.closed_at = utcnow()
    pathway.close_reason = reason
    pathway.purge_after = today + timedelta(days=retention_days)  # retention counts from closure
    revoke_all(pathway)
    followups.close_all(pathway, today, reason)
    settle(pathway)
    tally(f"closed_{reason}", today, cell_of(pathway))
    touch(pathway, by, "pathway.close")


def erase(pathway: Pathway, by: Person | None, today: date) -> None:
    """Remove every trace of the person (plan, contacts, follow-ups, leave, referral, links, messages about them);
    anonymous counts remain."""
    if pathway.status == "open":
        settle(pathway)
    tally("erased", today, cell_of(pathway))
    # Messages about the pathway (escalations, plan changes) link to it: they go too, sent or not.
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.body.contains(f"/pathways/{pathway.public_id}")))
    record("pathway.erase", by, object_type="pathways")  # no id: nothing left points at the person
    db.session.delete(pathway)
    db.session.flush()


def close_and_purge(today: date, retention_days: int) -> tuple[int, int]:
    """Cron: close pathways whose support is over; erase closed ones past their retention date."""
    candidates = db.session.scalars(select(Pathway).where(
        Pathway.status == "open", Pathway.release_date < today - plan.WINDOW)).all()
    # Support ends six weeks out, or later when extensions were agreed.
    ended = [p for p in candidates if standards.support_end(p.release_date, len(p.extensions)) < today]
    for pathway in ended:
        close(pathway, today, retention_days)
    due = db.session.scalars(select(Pathway).where(Pathway.status != "open", Pathway.purge_after < today)).all()
    for pathway in due:
        erase(pathway, None, today)
    return len(ended), len(due)
