"""Adding organisations and their members: admins add organisations; co-ordinators add people to their own."""

from __future__ import annotations

from sqlalchemy import func, select

from recovery_network.accounts.models import ACTIVE, Person
from recovery_network.audit.services import record
from recovery_network.errors import DomainError
from recovery_network.extensions import db
from recovery_network.organisations.access import (acting_organisations, home_organisation, may_act_for,
                                                    may_act_for_person, member_of)
from recovery_network.organisations.models import KINDS, TAKES_REFERRALS, Membership, Organisation
from recovery_network.slugs import slugify


class OrganisationError(DomainError):
    """An organisation or membership change the rules refuse."""


class NameTaken(OrganisationError):
    """Two organisations with one name could not be told apart in a picker."""


class NoSuchAccount(OrganisationError):
    """Members are people with approved accounts."""


def create_organisation(name: str, kind: str, by: Person) -> Organisation:
    """An admin adds an organisation (co-ordinators work within the ones they belong to)."""
    if acting_organisations(by) is not None:
        raise OrganisationError("Only an admin adds organisations.")
    name = " ".join(name.split())
    if kind not in KINDS:
        raise OrganisationError("Choose what kind of organisation it is.")
    if db.session.scalar(select(Organisation.id).where(func.lower(Organisation.name) == name.lower())):
        raise NameTaken("There is already an organisation with that name.")
    organisation = Organisation(name=name, kind=kind)
    db.session.add(organisation)
    db.session.flush()
    record("organisation.create", by, organisation)
    return organisation


def add_member(organisation: Organisation, email: str, by: Person) -> Person:
    """Add an approved account to an organisation; a co-ordinator may only add to their own organisations."""
    if not may_act_for(by, organisation.id):
        raise OrganisationError("You can add people only to your own organisations.")
    person = db.session.scalar(select(Person).where(func.lower(Person.email) == email.strip().lower()))
    if person is None or person.status != ACTIVE:
        raise NoSuchAccount("No approved account has that email. They register first, then you add them.")
    if any(m.person_id == person.id for m in organisation.members):
        raise OrganisationError(f"{person.display_name} is already a member.")
    if not may_act_for_person(by, person):
        # Adding someone would let this co-ordinator act on their register: only across organisations they
        # already act for, or for newcomers in none; joining another organisation's person is an admin's step.
        raise OrganisationError("That account belongs to another organisation: ask an admin to add them to yours.")
    organisation.members.append(Membership(person=person, added_by_id=by.id))
    db.session.flush()
    record("organisation.member_add", by, organisation, detail=f"person {person.id}")
    return person


def remove_member(organisation: Organisation, person: Person, by: Person) -> None:
    """Take someone out of an organisation; they stop acting for it on their next request."""
    if not may_act_for(by, organisation.id):
        raise OrganisationError("You can change only your own organisations.")
    for membership in list(organisation.members):
        if membership.person_id == person.id:
            organisation.members.remove(membership)
    db.session.flush()
    record("organisation.member_remove", by, organisation, detail=f"person {person.id}")


def organisations_for(person: Person) -> list[Organisation]:
    """The organisations a person may manage: all of them for an admin, their own for a co-ordinator."""
    acting = acting_organisations(person)
    query = select(Organisation).order_by(Organisation.name)
    if acting is not None:
        query = query.where(Organisation.id.in_(sorted(acting)))
    return list(db.session.scalars(query))


def owning_choices(person: Person) -> list[Organisation]:
    """The organisations a person may post or open for (access.may_own): theirs; every one for an admin."""
    query = select(Organisation).order_by(Organisation.name)
    if acting_organisations(person) is not None:
        query = query.where(Organisation.id.in_(sorted(member_of(person))))
    return list(db.session.scalars(query))


def all_organisations() -> list[Organisation]:
    """Every organisation by name, for choosing where to share or hand a pathway."""
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))


def referral_recipients() -> list[Organisation]:
    """Where a referral may be sent: the organisations of a kind that takes referrals, or every one if none is."""
    organisations = all_organisations()
    return [o for o in organisations if o.kind in TAKES_REFERRALS] or organisations


def default_recipient(person: object | None) -> int | None:
    """Where a person's referral goes unless they choose: their home organisation if it takes referrals, else
    the first that does (prison staff often belong to none)."""
    recipients = [o.id for o in referral_recipients()]
    home = home_organisation(person)
    return home if home in recipients else next(iter(recipients), None)


def find_organisation(reference: str) -> Organisation | None:
    """The organisation an operator names: by its public id exactly, or by its name's slug ("recovery-network")."""
    reference = reference.strip()
    if not reference:
        return None
    by_id = db.session.scalar(select(Organisation).where(Organisation.public_id == reference))
    if by_id is not None:
        return by_id
    wanted = slugify(reference)
    return next((o for o in all_organisations() if slugify(o.name) == wanted), None)


def names(ids) -> dict[int, str]:
    """Organisation names by id."""
    return dict(db.session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(list(ids)))).all())


def adoption_choices(person: Person, by: Person) -> list[Organisation]:
    """Where a co-ordinator may take on a newcomer who belongs to no organisation: their own organisations (none
    for an admin, who adds members on the organisation screens, or when the person already belongs somewhere)."""
    acting = acting_organisations(by)
    if not acting or db.session.scalar(select(Membership.id).where(Membership.person_id == person.id).limit(1)):
        return []
    return list(db.session.scalars(select(Organisation).where(Organisation.id.in_(sorted(acting)))
                                   .order_by(Organisation.name)))


def adopt(person: Person, chosen: str | None, by: Person) -> Organisation | None:
    """A co-ordinator who approves a newcomer or records their training or clearance takes them into an
    organisation (the one chosen, else the co-ordinator's home one), so nobody is left in none. A forged choice
    is refused beside the field before anything changes."""
    choices = {o.id: o for o in adoption_choices(person, by)}
    if not choices:
        return None
    if chosen in (None, ""):
        home = home_organisation(by)
        organisation = choices.get(home) or next(iter(choices.values()))
    else:
        organisation = choices.get(int(chosen)) if str(chosen).isdecimal() and len(str(chosen)) < 10 else None
        if organisation is None:
            raise OrganisationError("Choose one of your organisations.", "organisation")
    organisation.members.append(Membership(person=person, added_by_id=by.id))
    db.session.flush()
    record("organisation.member_add", by, organisation, detail=f"person {person.id}")
    return organisation
