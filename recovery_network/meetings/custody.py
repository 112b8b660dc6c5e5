"""Sessions in prisons: who may post one, and the establishment staff's approval before it is staffed.

Co-ordinators place sessions anywhere. A facilitator may post in an establishment they are cleared for on
the session's first date (a prison officer's staff post counts: mentors/services.facts_for); such a post
waits, unseen by mentors and off the rota, until a member of that establishment's staff approves it.
"""

from __future__ import annotations

from datetime import date

from recovery_network.accounts.models import (
    ADMIN,
    COORDINATOR,
    ESTABLISHMENT_STAFF,
    FACILITATOR,
    Person,
)
from recovery_network.audit.services import record
from recovery_network.errors import DomainError
from recovery_network.meetings.models import ACTIVE, AWAITING, Meeting
from recovery_network.mentors.rules import Decision, eligible
from recovery_network.mentors.services import eligibility, facts_for
from recovery_network.venues.models import Venue


class CustodyVenueRefused(DomainError):
    """Only co-ordinators, and facilitators cleared for that establishment, place sessions in a prison."""


class ApprovalRefused(DomainError):
    """Only that establishment's staff (never the organiser) approve a session posted there."""


def posting_decision(person: Person, venue: Venue, on: date) -> Decision:
    """May this person post a session in this establishment starting on this date (and why not)?"""
    if person.has_role(COORDINATOR):
        return Decision(True)
    if FACILITATOR not in person.role_codes:
        return Decision(False, ("Only facilitators and co-ordinators post sessions in a prison.",))
    return eligibility(person, FACILITATOR, on, venue.id)


def postable_establishments(person: Person, on: date) -> frozenset[int] | None:
    """The establishments a posting form offers this person (None: every one), by the same rule as posting."""
    if person.has_role(COORDINATOR):
        return None
    if FACILITATOR not in person.role_codes:
        return frozenset()
    trainings, clearances = facts_for(person)
    return frozenset(c.establishment_id for c in clearances
                     if eligible(FACILITATOR, on, establishment_id=c.establishment_id, trainings=trainings,
                                 clearances=clearances, approved=person.is_approved))


def check_venue_allowed(venue: Venue | None, by: Person, on: date, current: Venue | None = None) -> None:
    """Refuse a custody venue the person may not post in (keeping the series' current one is fine)."""
    if venue is None or not venue.is_custody or venue is current:
        return
    decision = posting_decision(by, venue, on)
    if not decision:
        raise CustodyVenueRefused(" ".join(decision.reasons) + " Choose a community venue, or ask a co-ordinator.")


def needs_approval(venue: Venue | None, by: Person) -> bool:
    """A custody session posted by anyone but a co-ordinator waits for the establishment's staff."""
    return venue is not None and venue.is_custody and not by.has_role(COORDINATOR)


def may_approve(meeting: Meeting, by: Person) -> bool:
    """That establishment's staff (or an admin) decide; never the person who posted it."""
    if meeting.organiser_id == by.id or not by.is_approved:
        return False
    staff_here = ESTABLISHMENT_STAFF in by.role_codes and meeting.venue_id in by.establishment_ids
    return staff_here or ADMIN in by.role_codes


def approve(meeting: Meeting, by: Person) -> None:
    """Approve a facilitator's custody session: it goes on the rota and mentors cleared there see it."""
    from recovery_network.meetings.services import touch

    if meeting.status != AWAITING:
        raise ApprovalRefused("This session is not waiting for approval.")
    if not may_approve(meeting, by):
        raise ApprovalRefused("Only this establishment's staff can approve it, and never the person who posted it.")
    meeting.status = ACTIVE
    touch(meeting)
    record("meeting.approve", by, meeting)


def decline(meeting: Meeting, by: Person, today: date) -> None:
    """Decline a facilitator's custody session: it ends without ever being staffed."""
    from recovery_network.meetings.models import ENDED
    from recovery_network.meetings.services import end_series, touch

    if meeting.status != AWAITING:
        raise ApprovalRefused("This session is not waiting for approval.")
    if not may_approve(meeting, by):
        raise ApprovalRefused("Only this establishment's staff can decline it, and never the person who posted it.")
    end_series(meeting, today)
    meeting.status = ENDED
    touch(meeting)
    record("meeting.decline", by, meeting)
