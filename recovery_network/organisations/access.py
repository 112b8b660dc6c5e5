"""The one rule for acting within organisations: a co-ordinator acts for their organisations, an admin for all.

Every co-ordinator route that takes a meeting, rota place or pathway asks `may_act_for` (one row) or filters
with `within` (a query); every route that takes a person (their register, training, clearances, PVG) asks
`may_act_for_person` or filters with `people_within`: people in the co-ordinator's organisations, and newcomers
who belong to none yet (someone must be able to approve them). What a person posts or opens may belong only to
an organisation they belong to (`may_own`; any, for an admin). Nothing else decides it. Membership alone (`member_of`) is what lets a mentor of a
receiving organisation see a pathway shared with it (pathways/sharing.py).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, false, or_, select, true

from recovery_network.accounts.models import ADMIN, COORDINATOR
from recovery_network.extensions import db
from recovery_network.organisations.models import Membership


def _approved(person: object | None) -> bool:
    """Logged in and approved: nobody else belongs anywhere."""
    return person is not None and getattr(person, "is_authenticated", False) and person.is_approved


def member_of(person: object | None) -> frozenset[int]:
    """The organisations an approved person belongs to (none for anyone else)."""
    if not _approved(person):
        return frozenset()
    return frozenset(db.session.scalars(select(Membership.organisation_id).where(Membership.person_id == person.id)))


def acting_organisations(person: object | None) -> frozenset[int] | None:
    """The organisations a co-ordinator acts for; None for an admin, who spans them all; none for anyone else."""
    if not _approved(person):
        return frozenset()
    if ADMIN in person.role_codes:
        return None
    if COORDINATOR not in person.role_codes:
        return frozenset()
    return member_of(person)


def may_act_for(person: object | None, organisation_id: int | None) -> bool:
    """Whether a co-ordinator may see and change what this organisation owns (an unowned record: admins only)."""
    acting = acting_organisations(person)
    return acting is None or (organisation_id is not None and organisation_id in acting)


def within(person: object | None, column) -> ColumnElement[bool]:
    """SQL twin of may_act_for: the rows whose owning organisation (`column`) this co-ordinator acts for."""
    acting = acting_organisations(person)
    if acting is None:
        return true()
    return column.in_(sorted(acting)) if acting else false()


def among_members(person: object | None, column) -> ColumnElement[bool]:
    """The rows owned by any organisation the person belongs to, whatever their role (a volunteer's concerns)."""
    if _approved(person) and ADMIN in person.role_codes:
        return true()
    ids = member_of(person)
    return column.in_(sorted(ids)) if ids else false()


def may_own(person: object | None, organisation_id: int | None) -> bool:
    """Whether what a person posts or opens (a series, a pathway) may belong to this organisation: one they belong
    to; any, for an admin."""
    if _approved(person) and ADMIN in person.role_codes:
        return True
    return organisation_id is not None and organisation_id in member_of(person)


def home_organisation(person: object | None) -> int | None:
    """Where something a person creates belongs: their first organisation (by when it was added), if any."""
    if person is None or getattr(person, "id", None) is None:
        return None
    return db.session.scalar(select(Membership.organisation_id).where(Membership.person_id == person.id)
                             .order_by(Membership.id).limit(1))


def people_within(person: object | None, column) -> ColumnElement[bool]:
    """SQL twin of may_act_for_person: the rows whose person (`column`, a people.id) this co-ordinator acts on."""
    acting = acting_organisations(person)
    if acting is None:
        return true()
    if not acting:
        return false()
    ours = exists().where(Membership.person_id == column, Membership.organisation_id.in_(sorted(acting)))
    nobodys = ~exists().where(Membership.person_id == column)
    return or_(ours, nobodys)


def may_act_for_person(actor: object | None, person: object | None) -> bool:
    """Whether a co-ordinator may see and change this person's account and register: one of their organisations'
    people, or a newcomer in none yet; an admin, anyone."""
    if person is None or getattr(person, "id", None) is None:
        return False
    acting = acting_organisations(actor)
    if acting is None:
        return True
    theirs = set(db.session.scalars(select(Membership.organisation_id).where(Membership.person_id == person.id)))
    return bool(acting) and (not theirs or bool(theirs & acting))
