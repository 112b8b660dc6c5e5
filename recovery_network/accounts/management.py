"""What co-ordinators and admins do to accounts: approve, suspend, roles, posts, erasure; and the admin rules.

Only an admin acts on an admin's account, and the network always keeps at least one active admin.
Like every service, these enforce the rules, flush, and never commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from recovery_network.accounts.models import (
    ACTIVE,
    ADMIN,
    PENDING,
    ROLES,
    SUSPENDED,
    Person,
    PersonRole,
    StaffPost,
)
from recovery_network.accounts.services import NotAllowed, end_sessions
from recovery_network.audit.services import record
from recovery_network.extensions import db
from recovery_network.signals import credentials_changed
from recovery_network.types import utcnow
from recovery_network.venues.models import Venue


def _guard(person: Person, by: Person | None) -> None:
    """Only an admin acts on an admin's account (a co-ordinator could otherwise lock the admin out)."""
    if by is not None and ADMIN in person.role_codes and ADMIN not in by.role_codes:
        raise NotAllowed("Only an admin can change an admin's account.")


def _keep_an_admin(person: Person) -> None:
    """The network always keeps one active admin: refuse to take away the last one."""
    if ADMIN not in person.role_codes or person.status != ACTIVE:
        return
    others = db.session.scalar(
        select(func.count(Person.id)).join(PersonRole)
        .where(PersonRole.role == ADMIN, Person.status == ACTIVE, Person.id != person.id)
    )
    if not others:
        raise NotAllowed("This is the last admin: make someone else an admin first.")


def approve_person(person: Person, by: Person) -> None:
    """A co-ordinator lets a pending volunteer in."""
    _guard(person, by)
    if person.status != PENDING:
        raise NotAllowed("Only pending accounts can be approved.")
    person.status = ACTIVE
    person.approved_at = utcnow()
    person.approved_by_id = by.id
    record("account.approve", by, person)


def suspend_person(person: Person, by: Person) -> None:
    """Suspend an account; every open session ends on its next request."""
    if person.id == by.id:
        raise NotAllowed("You cannot suspend yourself.")
    _guard(person, by)
    _keep_an_admin(person)
    person.status = SUSPENDED
    end_sessions(person)
    record("account.suspend", by, person)
    db.session.flush()
    credentials_changed.send(person, today=utcnow().date(), by=by)  # the rota frees their places


def reactivate_person(person: Person, by: Person) -> None:
    """Let a suspended person back in."""
    _guard(person, by)
    if person.status != SUSPENDED:
        raise NotAllowed("Only suspended accounts can be reactivated.")
    person.status = ACTIVE
    record("account.reactivate", by, person)


def set_roles(person: Person, roles: set[str], by: Person) -> None:
    """Replace a person's roles; only admins may grant or remove admin, and nobody their own."""
    unknown = roles - set(ROLES)
    if unknown:
        raise NotAllowed("Unknown role.")
    current = person.role_codes
    if "admin" in (roles ^ current) and "admin" not in by.role_codes:
        raise NotAllowed("Only an admin can grant or remove the admin role.")
    if person.id == by.id and roles != current:
        raise NotAllowed("Ask another co-ordinator to change your own roles.")
    _guard(person, by)
    if ADMIN in current - roles:
        _keep_an_admin(person)
    for role in current - roles:
        person.roles = [r for r in person.roles if r.role != role]
        record("role.remove", by, person, detail=role)
    for role in sorted(roles - current):
        person.roles.append(PersonRole(role=role))
        record("role.grant", by, person, detail=role)
    end_sessions(person)


def set_staff_posts(person: Person, venues: list[Venue], by: Person) -> None:
    """Which custody establishments a member of establishment staff works in."""
    _guard(person, by)
    if any(not v.is_custody for v in venues):
        raise NotAllowed("Staff posts are in custody establishments only.")
    wanted = {v.id for v in venues}
    person.staff_posts = [p for p in person.staff_posts if p.venue_id in wanted]
    have = {p.venue_id for p in person.staff_posts}
    for venue in venues:
        if venue.id not in have:
            person.staff_posts.append(StaffPost(venue_id=venue.id))
    record("staff.posts", by, person, detail=",".join(str(i) for i in sorted(wanted)))


def erase_person(person: Person, by: Person | None, reason: str) -> None:
    """Erase an account (an admin, the person's own request, or never approved): only the audit's ids remain.

    The person's row goes; the database cascades their roles, training, clearances, PVG, sign-ups,
    feed links and logins, and sets their id to NULL where others' records mention them (audit actor,
    meetings organised, pathways mentored). Audit rows never held a name, so none survives.
    """
    if by is not None and by.id != person.id and ADMIN not in by.role_codes:
        raise NotAllowed("Only an admin can erase an account.")
    _keep_an_admin(person)
    # Free their future rota places for others first: a cascade would delete them without freeing the seat.
    person.status = SUSPENDED
    end_sessions(person)
    db.session.flush()
    credentials_changed.send(person, today=utcnow().date(), by=by)  # the rota frees their places
    record("account.erase", by, person, detail=reason)
    db.session.flush()  # the audit row first; deleting the person then sets a self-erasure's actor to NULL
    db.session.delete(person)
    db.session.flush()


def purge_unapproved(now: datetime, days: int) -> int:
    """Erase pending accounts that nobody approved within `days` (storage limitation; strangers' sign-ups)."""
    stale = db.session.scalars(
        select(Person).where(Person.status == PENDING, Person.approved_at.is_(None),
                             Person.created_at < now - timedelta(days=days))
    ).all()
    for person in stale:
        erase_person(person, None, "unapproved")
    return len(stale)
