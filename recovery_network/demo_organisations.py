"""Demo organisations: the network's own team owns everything seeded, and Tayside Throughcare reads one plan.

Recovery Network (a mentoring charity) holds the demo co-ordinator and volunteers, so every demo login sees
what it saw before organisations existed. Tayside Throughcare has its own co-ordinator, Tom, and shares the
community mentor Kirsty (a person may belong to both); Dee's pathway is shared with it, with her consent, plan
only (no contact notes).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from recovery_network.accounts.models import Person
from recovery_network.extensions import db
from recovery_network.organisations.models import Membership, Organisation
from recovery_network.pathways import sharing
from recovery_network.pathways.models import Pathway

FOUNDING = ("Recovery Network", "mentoring")
THROUGHCARE = ("Tayside Throughcare", "throughcare")
# Demo email local parts in each organisation.
MEMBERS = {
    FOUNDING[0]: ("coordinator", "facilitator", "officer.perth", "mentor", "mentor.expired", "mentor.community",
                  "newcomer"),
    THROUGHCARE[0]: ("coordinator.tayside", "mentor.community"),
}


def organisation(name: str, kind: str) -> Organisation:
    """The demo organisation of this name, made if missing."""
    found = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if found is None:
        found = Organisation(name=name, kind=kind)
        db.session.add(found)
        db.session.flush()
    return found


def founding() -> Organisation:
    """The organisation that owns every demo meeting and pathway."""
    return organisation(*FOUNDING)


def seed_members() -> None:
    """Put the demo people in their organisations (again adds nothing)."""
    organisation(*THROUGHCARE)
    people = {p.email.split("@")[0]: p for p in db.session.scalars(select(Person))}
    for name, locals_ in MEMBERS.items():
        org = db.session.scalar(select(Organisation).where(Organisation.name == name))
        have = {m.person_id for m in org.members}
        for local in locals_:
            person = people.get(local)
            if person is not None and person.id not in have:
                org.members.append(Membership(person=person))
    db.session.flush()


def seed_shared_pathway(now: datetime) -> None:
    """Dee's pathway shared with Tayside Throughcare, her consent recorded by Morag (plan only)."""
    coordinator = db.session.scalar(select(Person).where(Person.email == "coordinator@demo.recovery-network.org"))
    dee = db.session.scalar(select(Pathway).where(Pathway.first_name == "Dee"))
    tayside = organisation(*THROUGHCARE)
    if coordinator is None or dee is None or any(s.organisation_id == tayside.id for s in dee.shares):
        return
    sharing.share(dee, tayside, include_contacts=False, consent=True, by=coordinator, now=now)
