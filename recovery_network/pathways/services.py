"""Named operations on pathways: open, propose and edit the plan, record contacts, close, erase. Never commit."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, select, update

from recovery_network.accounts.models import COORDINATOR, FACILITATOR, PEER_MENTOR, Person
from recovery_network.audit.services import record
from recovery_network.courses.models import Enrolment
from recovery_network.errors import DomainError
from recovery_network.extensions import db
from recovery_network.organisations.access import home_organisation, may_own
from recovery_network.meetings.visibility import may_see_establishment
from recovery_network.mentors.rules import Decision
from recovery_network.mentors.services import eligibility
from recovery_network.names import NameRefused, first_name_only
from recovery_network.pathways import followups, pack, plan, planning, standards
from recovery_network.pathways.planning import touched as touch
from recovery_network.pathways.models import CLOSE_REASONS, CONTACT_MODES, ContactRecord, Pathway, PathwayItem
from recovery_network.pathways.tallies import cell_of, contacts_of, settle, tally
from recovery_network.rota.models import OutboxMessage
from recovery_network.types import utcnow
from recovery_network.venues.geo import Point
from recovery_network.venues.models import Venue

CONSENT_VERSION = "2026-11"
# A prison's staff refer people (pathways/referrals.py) rather than open pathways: a pathway belongs to the
# organisation that supports the person, and staff belong to the prison, not to it.
OPENERS = (COORDINATOR, PEER_MENTOR, FACILITATOR)
# A release date may be a week past (recorded late) and at most a year ahead (plans further out go stale).
RELEASE_PAST = timedelta(days=7)
RELEASE_AHEAD = timedelta(days=365)


class PathwayError(DomainError):
    """A change to a pathway that its rules do not allow."""


class BackupNotEligible(PathwayError):
    """The backup mentor would meet the person inside too, so the mentor's rule binds them as well."""

    field = "backup_mentor_id"


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


INSIDE_BEFORE = timedelta(days=7)  # the inside mentor must still be able to go in this long before release


def inside_decision(mentor: Person, establishment_id: int, release: date) -> Decision:
    """The inside mentor's rule (and the backup's): the rota's eligibility for a peer mentor at that prison a week
    before release, when they meet the person inside (the gate meeting is outside, so needs no clearance)."""
    return eligibility(mentor, "peer_mentor", release - INSIDE_BEFORE, establishment_id)


def community_decision(mentor: Person, release: date) -> Decision:
    """The community mentor's rule: an approved peer mentor or facilitator with that training in date on release
    day (the rota's eligibility with no establishment: no prison clearance is asked)."""
    if not mentor.has_role(PEER_MENTOR, FACILITATOR):
        return Decision(False, ("Not a peer mentor or facilitator.",))
    decisions = [eligibility(mentor, role, release, None) for role in (PEER_MENTOR, FACILITATOR)
                 if mentor.has_role(role)]
    return next((d for d in decisions if d), decisions[0])


def check_mentor(mentor: Person, establishment: Venue, release: date, error: type[PathwayError] = PathwayError,
                 role: str = "the mentor") -> None:
    """A mentor must be able to meet the person inside and at the gate (inside_decision)."""
    decision = inside_decision(mentor, establishment.id, release)
    if not decision:
        raise error(f"{mentor.display_name} can't be {role}: " + " ".join(decision.reasons),
                    None if error is not PathwayError else "mentor_id")


class CommunityMentorNotEligible(PathwayError):
    """The community mentor must be an active mentor; no prison clearance is asked of them."""

    field = "community_mentor_id"


def check_mentors(mentor: Person | None, backup: Person | None, establishment: Venue, release: date,
                  community: Person | None = None) -> None:
    """Inside parts need a mentor cleared for the prison (backup too: they stand in inside and at the gate);
    the community mentor meets the person outside, so needs only to be an active mentor."""
    if mentor is None and community is None:
        raise PathwayError("Choose a mentor inside, a community mentor, or both.", "community_mentor_id")
    if mentor is not None:
        check_mentor(mentor, establishment, release)
    if backup is not None:
        if mentor is None:
            raise BackupNotEligible("A backup stands in for the mentor inside: choose that mentor first.")
        if backup.id == mentor.id:
            raise BackupNotEligible("The backup mentor must be someone else.")
        check_mentor(backup, establishment, release, BackupNotEligible, "the backup mentor")
    if community is not None and not (decision := community_decision(community, release)):
        raise CommunityMentorNotEligible(f"{community.display_name} can't be the community mentor: "
                                         + " ".join(decision.reasons))


def may_open(person: Person, establishment: Venue | None = None) -> bool:
    """Co-ordinators anywhere, mentors where cleared; a prison's staff refer instead; a pending account nowhere."""
    if not (person.is_approved and person.has_role(*OPENERS)):
        return False
    return establishment is None or (establishment.is_custody and may_see_establishment(person, establishment.id))


def check_release_date(release: date, today: date) -> None:
    """One window for a release date, opening or changing it: from a week ago to a year ahead."""
    if release < today - RELEASE_PAST:
        raise PathwayError("The release date is more than a week ago; a pathway is planned ahead.", "release_date")
    if release > today + RELEASE_AHEAD:
        raise PathwayError("The release date is more than a year away.", "release_date")


def person_name(text: str) -> str:
    """A pathway person's name as stored: a first name (one initial at most) or initials, never a surname."""
    try:
        return first_name_only(text)
    except NameRefused as refused:
        raise PathwayError(str(refused), "first_name") from None


def owner_for(details: PathwayDetails, by: Person) -> int | None:
    """Who owns a new pathway: as chosen, else the opener's organisation, else (prison staff often belong to
    none) the mentor's, so the mentoring organisation's co-ordinators can act on it."""
    return details.organisation_id or next(
        (org for person in (by, details.mentor, details.community_mentor) if (org := home_organisation(person))), None)


def open_pathway(details: PathwayDetails, by: Person, today: date) -> Pathway:
    """Open a pathway with recorded consent, and propose its plan."""
    name = person_name(details.first_name)
    if details.establishment is None or not may_open(by, details.establishment):
        raise PathwayError("Choose the establishment the person is being released from.", "establishment_id")
    check_release_date(details.release_date, today)
    if details.organisation_id is not None and not may_own(by, details.organisation_id):
        raise PathwayError("Choose one of your organisations.", "organisation_id")  # a forged choice
    check_mentors(details.mentor, details.backup_mentor, details.establishment, details.release_date,
                  details.community_mentor)
    pathway = Pathway(
        public_id=secrets.token_urlsafe(12), reference=new_reference(), first_name=name,
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
        raise PathwayError("Choose how the contact happened.", "mode")
    if pathway.status != "open":
        raise PathwayError("This pathway is closed.", "mode")
    start, _ = plan.window(pathway.release_date)
    end = standards.support_end(pathway.release_date, len(pathway.extensions))
    if on > today:
        raise PathwayError("A contact is recorded on the day it happened: not a future date.", "on")
    if not start <= on <= end:
        raise PathwayError(f"The date must be within the pathway: from {start:%-d %b %Y} to {end:%-d %b %Y}.", "on")
    if mode == "gate" and on != pathway.release_date:
        raise PathwayError(f"A meeting at the gate is on the release day ({pathway.release_date:%-d %b %Y}).", "on")
    first_gate = mode == "gate" and not any(c.mode == "gate" for c in pathway.contacts)
    contact = ContactRecord(on=on, mode=mode, by_id=by.id)
    pathway.contacts.append(contact)
    if first_gate:
        tally("gate_met", on, cell_of(pathway))
    followups.after_contact(pathway, contact, today)
    touch(pathway, by, "pathway.contact")
    return contact


def pack_state(pathway: Pathway) -> str:
    """Whether this pathway's pack is ready to leave at the gate (pack.pack_state on its plan and mark)."""
    changes = [i.updated_at for i in pathway.items if i.status != "cancelled"]
    return pack.pack_state(len(changes), pathway.pack_ready_at, max(changes) if changes else None)


def mark_pack_ready(pathway: Pathway, ready: bool, by: Person) -> None:
    """The mentor says the printed pack is ready to leave at the gate (or takes the mark back)."""
    if pathway.status != "open":
        raise PathwayError("This pathway is closed.")
    if ready and not pathway.items:
        raise PathwayError("There is no plan to print yet.")
    pathway.pack_ready_at = utcnow() if ready else None
    touch(pathway, by, "pathway.pack_ready" if ready else "pathway.pack_not_ready")


def flags(pathway: Pathway, today: date, contacts: list | None = None) -> list[str]:
    """Welfare prompts for the mentor and the co-ordinator's dashboard (on the contacts given: those the reader
    may see, sharing.contacts_seen; all of them by default)."""
    contacts = contacts_of(pathway) if contacts is None else contacts
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
        raise PathwayError("Choose how the pathway ended.", "close_reason")
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
    # A course place tied to the pathway stays on the course's register, but no longer points at the person's plan.
    db.session.execute(update(Enrolment).where(Enrolment.pathway_id == pathway.id).values(pathway_id=None))
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
