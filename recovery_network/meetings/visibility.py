"""The single rule for who may see which meetings: custody meetings never reach the public.

Every query that lists, counts, feeds or exports meetings goes through `listed` (or `visible_to` for a
page reached by its link). Public feeds and the JSON API always pass no viewer. Staff see their own
establishments, people cleared for an establishment see its sessions, co-ordinators see those their
organisations run (and those where they are staff or cleared), and admins see all; a custody session awaiting
approval is seen only by its organiser, its establishment's staff and its organisation's co-ordinators.
Unlisted meetings are in no list, feed or API; closed ones never show their address.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from flask import abort
from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.orm import selectinload

from recovery_network.accounts.models import COORDINATOR, ESTABLISHMENT_STAFF
from recovery_network.extensions import db
from recovery_network.meetings.models import AWAITING, PUBLIC, UNLISTED, Meeting
from recovery_network.mentors.models import Clearance
from recovery_network.organisations.access import acting_organisations

if TYPE_CHECKING:
    from recovery_network.venues.models import Venue


def custody_access(viewer: object | None, today: date | None = None) -> frozenset[int] | None:
    """Establishment ids whose custody facts the viewer may see; None means every establishment (a
    co-ordinator, who refers and opens pathways anywhere; which sessions they see is `visible_to`'s rule)."""
    if viewer is None or not getattr(viewer, "is_authenticated", False) or not viewer.is_approved:
        return frozenset()
    if viewer.has_role(COORDINATOR):
        return None
    return establishments_entered(viewer, today)


def establishments_entered(viewer: object | None, today: date | None = None) -> frozenset[int]:
    """The establishments an approved viewer goes into: as their staff, or with a clearance valid today."""
    if viewer is None or not getattr(viewer, "is_authenticated", False) or not viewer.is_approved:
        return frozenset()
    ids = set(staff_establishments(viewer))
    today = today or date.today()
    cleared = db.session.scalars(
        select(Clearance.venue_id).where(
            Clearance.person_id == viewer.id,
            Clearance.status == "approved",
            Clearance.valid_from <= today,
            or_(Clearance.expires_on.is_(None), Clearance.expires_on >= today),
        )
    )
    ids.update(cleared)
    return frozenset(ids)


def staff_establishments(viewer: object | None) -> frozenset[int]:
    """The establishments an approved viewer works in as staff (none for anyone else)."""
    if viewer is None or not getattr(viewer, "is_authenticated", False) or not viewer.is_approved:
        return frozenset()
    return frozenset(viewer.establishment_ids) if viewer.has_role(ESTABLISHMENT_STAFF) else frozenset()


def visible_to(viewer: object | None = None) -> ColumnElement[bool]:
    """The SQL condition a viewer's meetings must meet; anonymous viewers see public ones only.

    Custody sessions: an admin sees all; a co-ordinator those their organisations run, wherever; everyone
    (co-ordinators too) those at the establishments they work in as staff or hold a current clearance for.
    """
    acting = acting_organisations(viewer)
    if acting is None:  # an admin
        return true()
    access = establishments_entered(viewer)
    if not access and not acting:
        return Meeting.visibility == PUBLIC
    seen = [Meeting.visibility == PUBLIC]
    if acting:
        seen.append(Meeting.organisation_id.in_(sorted(acting)))
    if access:
        # Until its establishment's staff approve it, a facilitator's custody post is not there for mentors.
        approved_or_theirs = or_(Meeting.status != AWAITING, Meeting.organiser_id == viewer.id,
                                 Meeting.venue_id.in_(sorted(staff_establishments(viewer))))
        seen.append(and_(Meeting.venue_id.in_(sorted(access)), approved_or_theirs))
    return or_(*seen)


def listed(viewer: object | None = None) -> ColumnElement[bool]:
    """What search, counts, feeds and APIs may list: visible to the viewer, and not unlisted (page by link only)."""
    return and_(visible_to(viewer), Meeting.listing != UNLISTED)


def public_venue(meeting: Meeting) -> Venue | None:
    """The venue the public may be told of: none for custody, and none for a closed group (found by referral)."""
    venue = meeting.venue
    if venue is None or venue.is_custody or meeting.is_custody or meeting.is_closed:
        return None
    return venue


# Ids beyond a signed 64-bit integer cannot exist; asking the database about them would be an error, not a 404.
MAX_ID = 2**63 - 1


def may_see_establishment(viewer: object | None, establishment_id: int | None) -> bool:
    """Whether the viewer may see custody facts (session titles, times) of one establishment."""
    access = custody_access(viewer)
    return access is None or establishment_id in access


def visible_meeting(viewer: object | None, *, meeting_id: object = None, slug: object = None,
                    listed_only: bool = False) -> Meeting | None:
    """The meeting with this id or slug if the viewer may see it; a hidden one and a missing one are both None."""
    query = select(Meeting).where(listed(viewer) if listed_only else visible_to(viewer)).options(
        selectinload(Meeting.venue), selectinload(Meeting.changes))
    if meeting_id is not None:
        if not isinstance(meeting_id, int) or isinstance(meeting_id, bool) or not 0 < meeting_id <= MAX_ID:
            return None
        query = query.where(Meeting.id == meeting_id)
    elif isinstance(slug, str) and 0 < len(slug) <= 200 and "\x00" not in slug:
        query = query.where(Meeting.slug == slug)
    else:
        return None
    return db.session.scalar(query)


def meeting_or_404(viewer: object | None, *, meeting_id: object = None, slug: object = None,
                   listed_only: bool = False) -> Meeting:
    """Every route that takes a meeting id or slug loads it here: what the viewer may not see does not exist."""
    meeting = visible_meeting(viewer, meeting_id=meeting_id, slug=slug, listed_only=listed_only)
    if meeting is None:
        abort(404)
    return meeting
