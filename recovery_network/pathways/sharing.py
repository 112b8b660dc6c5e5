"""Sharing a pathway with, or handing it to, another organisation, with the person's consent.

Shared: the receiving organisation's co-ordinators and mentors read the minimal fields and the plan, and the
earlier contact notes only if the consent says so; they change nothing. Handed over: the receiving organisation
owns the pathway from then on; contact notes from before the handover reach it only if the consent says so; the
organisation it came from keeps reading the plan (no contact notes) only if the person agreed to that, and
loses everything otherwise. Withdrawing ends that access on the next request. Every read by a receiving
organisation is written to the audit log (pathways/views.pathway_or_404).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select

from recovery_network.accounts.models import Person
from recovery_network.audit.services import record
from recovery_network.errors import DomainError
from recovery_network.extensions import db
from recovery_network.organisations.access import may_act_for, member_of
from recovery_network.organisations.models import Organisation
from recovery_network.pathways import followups, standards
from recovery_network.pathways.models import ContactRecord, Pathway
from recovery_network.pathways.share_models import HANDOVER, SHARE, PathwayShare


class SharingError(DomainError):
    """A share or handover the rules refuse."""


class NoConsent(SharingError):
    """Nothing is shared without the person's consent, recorded by whoever took it."""


@dataclass(frozen=True)
class ReadAccess:
    """What one reader may see through live consents: the plan always; contact notes only if shared."""

    shares: tuple[PathwayShare, ...]
    include_contacts: bool

    @property
    def organisation_ids(self) -> list[int]:
        """The reader's organisations the pathway is shared with, for the audit row."""
        return sorted({s.organisation_id if s.kind == SHARE else s.from_organisation_id for s in self.shares})


def _reading(organisation_ids) -> object:
    """The SQL condition for a live consent that lets these organisations read a pathway."""
    ids = sorted(organisation_ids)
    return and_(PathwayShare.withdrawn_at.is_(None), or_(
        and_(PathwayShare.kind == SHARE, PathwayShare.organisation_id.in_(ids)),
        and_(PathwayShare.kind == HANDOVER, PathwayShare.from_keeps_read.is_(True),
             PathwayShare.from_organisation_id.in_(ids))))


def shared_with(person: object | None) -> object:
    """The SQL condition for pathways shared with any organisation the person belongs to (any role)."""
    return Pathway.id.in_(select(PathwayShare.pathway_id).where(_reading(member_of(person))))


def read_access(pathway: Pathway, person: object | None) -> ReadAccess | None:
    """The live consents through which this person reads this pathway, or None."""
    shares = tuple(db.session.scalars(select(PathwayShare).where(
        PathwayShare.pathway_id == pathway.id, _reading(member_of(person)))))
    if not shares:
        return None
    return ReadAccess(shares, any(s.kind == SHARE and s.include_contacts for s in shares))


def _check(pathway: Pathway, organisation: Organisation | None, consent: bool, by: Person) -> Organisation:
    """Only a co-ordinator of the owning organisation shares, with consent, with another organisation."""
    if not may_act_for(by, pathway.organisation_id):
        raise SharingError("Only a co-ordinator of the organisation that owns this pathway can share it.")
    if organisation is None or organisation.id == pathway.organisation_id:
        raise SharingError("Choose another organisation.")
    if not consent:
        raise NoConsent("Tick to confirm the person agreed to this, today.")
    return organisation


def share(pathway: Pathway, organisation: Organisation | None, *, include_contacts: bool, consent: bool,
          by: Person, now: datetime) -> PathwayShare:
    """Record consent and share the minimal fields and plan (and earlier contact notes if ticked)."""
    organisation = _check(pathway, organisation, consent, by)
    if any(s.live and s.kind == SHARE and s.organisation_id == organisation.id for s in pathway.shares):
        raise SharingError(f"It is already shared with {organisation.name}. Withdraw that first to change it.")
    row = PathwayShare(pathway_id=pathway.id, kind=SHARE, organisation_id=organisation.id,
                       from_organisation_id=pathway.organisation_id, include_contacts=include_contacts,
                       consent_recorded_by_id=by.id, consent_at=now)
    pathway.shares.append(row)
    db.session.flush()
    record("pathway.share", by, pathway, detail=f"org {organisation.id} contacts {int(include_contacts)}")
    return row


def hand_over(pathway: Pathway, organisation: Organisation | None, *, include_contacts: bool, keep_read: bool,
              consent: bool, by: Person, now: datetime) -> PathwayShare:
    """Record consent and move ownership; the old organisation keeps reading only if the person agreed."""
    organisation = _check(pathway, organisation, consent, by)
    row = PathwayShare(pathway_id=pathway.id, kind=HANDOVER, organisation_id=organisation.id,
                       from_organisation_id=pathway.organisation_id, include_contacts=include_contacts,
                       from_keeps_read=keep_read, consent_recorded_by_id=by.id, consent_at=now)
    pathway.shares.append(row)
    # A share with the new owner is spent: it owns the pathway now.
    for old in pathway.shares:
        if old.live and old.kind == SHARE and old.organisation_id == organisation.id:
            old.withdrawn_at, old.withdrawn_by_id = now, by.id
    pathway.organisation_id = organisation.id
    if not include_contacts:
        # A silence is read from the notes that stay behind: its follow-up is the old organisation's, and ends here.
        followups.close_all(pathway, now.date(), "handed_over")
    # Mentors of the old organisation go with its access: the new one names its own (or the person's mentor joins it).
    members = {m.person_id for m in organisation.members}
    for field in ("mentor_id", "backup_mentor_id", "community_mentor_id"):
        if getattr(pathway, field) is not None and getattr(pathway, field) not in members:
            setattr(pathway, field, None)
    db.session.flush()
    record("pathway.hand_over", by, pathway,
           detail=f"org {organisation.id} contacts {int(include_contacts)} keeps {int(keep_read)}")
    return row


def withdraw(pathway: Pathway, share_row: PathwayShare, by: Person, now: datetime) -> None:
    """End a share (or an old owner's reading after a handover) at once: the next request is a 404."""
    if not may_act_for(by, pathway.organisation_id):
        raise SharingError("Only a co-ordinator of the organisation that owns this pathway can withdraw it.")
    if not share_row.live:
        raise SharingError("That sharing has already ended.")
    share_row.withdrawn_at, share_row.withdrawn_by_id = now, by.id
    db.session.flush()
    record("pathway.share_withdraw", by, pathway, detail=f"share {share_row.id}")


def notes_begin(pathway: Pathway, person: object | None) -> datetime | None:
    """When the contact notes this owner may read begin: at a handover that did not share earlier ones; else
    None (all of them). The standards are judged from there too; the handover closed the follow-ups."""
    handovers = [s for s in pathway.shares if s.kind == HANDOVER and s.organisation_id == pathway.organisation_id]
    if not handovers or pathway.organisation_id not in member_of(person) or handovers[-1].include_contacts:
        return None
    return handovers[-1].consent_at


def visible_contacts(pathway: Pathway, person: object | None) -> list[ContactRecord]:
    """The contact notes an owner sees: all, except those from before a handover that did not share them."""
    begin = notes_begin(pathway, person)
    return [c for c in pathway.contacts if begin is None or c.created_at >= begin]


def contacts_seen(pathway: Pathway, person: object | None) -> list[standards.Contact]:
    """The contacts the standards are judged on for this person: those whose notes they may read."""
    return [standards.Contact(c.on, c.mode) for c in visible_contacts(pathway, person)]
