"""Who mentors a pathway after it is opened: the same rules as opening, and the owning organisation's people.

A mentor leaves, a clearance lapses, or a handover takes the old organisation's mentors off (pathways/sharing.py):
the co-ordinators of the organisation that owns the pathway name its mentors again. Services never commit.
"""

from __future__ import annotations

from sqlalchemy import select

from recovery_network.accounts.models import Person
from recovery_network.extensions import db
from recovery_network.organisations.models import Membership
from recovery_network.pathways.models import Pathway
from recovery_network.pathways.planning import touched
from recovery_network.pathways.services import PathwayError, check_mentors

FIELDS = ("mentor_id", "backup_mentor_id", "community_mentor_id")


def change_mentors(pathway: Pathway, mentor: Person | None, backup: Person | None, community: Person | None,
                   by: Person) -> None:
    """Name the mentors: eligible as on opening (check_mentors), and members of the owning organisation."""
    if pathway.status != "open":
        raise PathwayError("This pathway is closed: its mentors stay as they were.", "mentor_id")
    chosen = dict(zip(FIELDS, (mentor, backup, community), strict=True))
    if pathway.organisation_id is not None:
        members = set(db.session.scalars(select(Membership.person_id)
                                         .where(Membership.organisation_id == pathway.organisation_id)))
        for field, person in chosen.items():
            if person is not None and person.id not in members:
                raise PathwayError(f"{person.display_name} isn't a member of the organisation that owns this "
                                   "pathway.", field)
    check_mentors(mentor, backup, pathway.establishment, pathway.release_date, community)
    if all(getattr(pathway, field) == (person.id if person else None) for field, person in chosen.items()):
        return
    for field, person in chosen.items():
        setattr(pathway, field, person.id if person else None)
    touched(pathway, by, "pathway.mentors")
