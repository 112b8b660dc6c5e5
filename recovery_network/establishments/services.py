"""Adding prisons and their staff accounts. Flush, never commit; the caller sends any email after committing."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from recovery_network.accounts.management import set_roles
from recovery_network.accounts.models import ACTIVE, ESTABLISHMENT_STAFF, Person, StaffPost
from recovery_network.accounts.services import find_by_email, normalise_email
from recovery_network.audit.services import record
from recovery_network.errors import DomainError
from recovery_network.extensions import db
from recovery_network.types import utcnow
from recovery_network.venues import gazetteer
from recovery_network.venues.models import CUSTODY, ESTABLISHMENT_KINDS, Area, Venue
from recovery_network.venues.services import _unique_venue_slug, locate


class EstablishmentRefused(DomainError):
    """A prison or staff account that cannot be added as given."""


def add_establishment(name: str, town: str, district: str, kind: str, area: Area | None, by: Person) -> Venue:
    """A prison, placed on the map by its postcode district; its street address is never needed or shown."""
    name, town = " ".join((name or "").split()), " ".join((town or "").split())
    if not 3 <= len(name) <= 160:
        raise EstablishmentRefused("Give the establishment's name, like HMP Perth.")
    if not 2 <= len(town) <= 80:
        raise EstablishmentRefused("Give the town the establishment is in.")
    if kind not in ESTABLISHMENT_KINDS:
        raise EstablishmentRefused("Choose closed, open, young offenders or women's.")
    if area is None:
        raise EstablishmentRefused("Choose the area it is in.")
    normal = gazetteer.normalise_postcode_district(district or "")
    found = locate(normal) if normal else None
    if found is None:
        raise EstablishmentRefused("Give its postcode district, like PH2: we place it on the map from that.")
    if db.session.scalar(select(Venue.id).where(Venue.setting == CUSTODY, Venue.name == name)) is not None:
        raise EstablishmentRefused(f"{name} is already on the list of establishments.")
    venue = Venue(slug=_unique_venue_slug(f"{name} {town}"), name=name, setting=CUSTODY, area=area, town=town,
                  postcode=normal, latitude=found.point.latitude, longitude=found.point.longitude,
                  establishment_kind=kind)
    db.session.add(venue)
    db.session.flush()
    record("establishment.add", by, venue)
    return venue


def link_staff(person: Person, venue: Venue, by: Person) -> None:
    """Make an approved person staff of this establishment (the role and the post)."""
    if not venue.is_custody:
        raise EstablishmentRefused("Staff posts are only in establishments.")
    if not person.is_approved:
        raise EstablishmentRefused(f"{person.display_name} is not approved yet: approve their account first.")
    # The role goes through set_roles, so the rules on roles hold here too: only an admin acts on an admin's
    # account, and nobody changes their own (a co-ordinator could otherwise add roles to the admin, or to themselves).
    set_roles(person, person.role_codes | {ESTABLISHMENT_STAFF}, by)
    if venue.id not in person.establishment_ids:
        person.staff_posts.append(StaffPost(venue_id=venue.id))
    db.session.flush()
    record("establishment.staff_link", by, person, detail=f"venue:{venue.id}")


def create_staff_account(email: str, first_name: str, last_initial: str, venue: Venue, by: Person) -> Person:
    """A staff account, approved at once (a co-ordinator vouches for it), with no password until they set one."""
    email = normalise_email(email or "")
    first_name = " ".join((first_name or "").split())
    last_initial = (last_initial or "").strip()[:1].upper()
    if "@" not in email or len(email) > 254:
        raise EstablishmentRefused("Give their work email address.")
    if not 1 <= len(first_name) <= 40:
        raise EstablishmentRefused("Give their first name (40 characters at most).")
    if last_initial and not last_initial.isalpha():
        raise EstablishmentRefused("The initial is one letter.")
    if find_by_email(email) is not None:
        raise EstablishmentRefused("That email already has an account: link the person instead.")
    # Nobody knows this password: the first login is through the set-password link the caller emails.
    person = Person(email=email, first_name=first_name, last_initial=last_initial, status=ACTIVE,
                    password_hash=generate_password_hash(secrets.token_urlsafe(32)), approved_at=utcnow(),
                    approved_by_id=by.id)
    db.session.add(person)
    db.session.flush()
    link_staff(person, venue, by)
    record("account.create_staff", by, person)
    return person


def staff_of(venue: Venue, people=None) -> list[Person]:
    """The people posted to an establishment (only those `people(column)` allows, when the viewer is bounded)."""
    query = select(Person).join(StaffPost).where(StaffPost.venue_id == venue.id).order_by(Person.first_name)
    if people is not None:
        query = query.where(people(Person.id))
    return list(db.session.scalars(query))
