"""Named operations on the rota: sign up, withdraw, assign, promote, release. They flush, never commit.

Capacity is enforced by the database: a seat is taken only by `UPDATE … SET filled = filled + 1 WHERE
filled < needed` reporting one row changed, and `CHECK (filled <= needed)` backs it. Status changes on
a signup are conditional UPDATEs too, so two tabs withdrawing at once cannot free a place twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from recovery_network.accounts.models import Person
from recovery_network.audit.services import record
from recovery_network.errors import DomainError
from recovery_network.extensions import db
from recovery_network.meetings.models import ACTIVE, Meeting
from recovery_network.mentors.services import eligibility
from recovery_network.rota.models import ACTIVE_SIGNUP, ROTA_ROLES, RotaSlot, Signup
from recovery_network.signals import credentials_changed, occurrence_changed, series_changed, series_ended
from recovery_network.types import utcnow


class RotaError(DomainError):
    """A rota change that the rules do not allow."""


class NotEligible(RotaError):
    """The person may not take this role at this session on its date."""


class AlreadySignedUp(RotaError):
    """The person already has a place (or a queue place) at this occurrence."""


class NotOnRota(RotaError):
    """The occurrence can't be staffed: cancelled, past, or the series isn't running."""


class CapacityBelowSignups(RotaError):
    """Fewer places than people already confirmed: someone must be moved first."""


@dataclass(frozen=True)
class Outcome:
    """What happened to a sign-up: confirmed, or queued."""

    signup: Signup
    confirmed: bool


def needed(meeting: Meeting, role: str) -> int:
    """How many of a role each occurrence of the series needs."""
    return meeting.facilitators_needed if role == "facilitator" else meeting.mentors_needed


def occurrence_start(meeting: Meeting, on: date) -> datetime:
    """When the occurrence originally slotted on `on` actually starts (a move is followed)."""
    occurrence = meeting.occurrence_on(on)
    if occurrence is None:
        raise NotOnRota(f"The series does not meet on {on:%A %-d %B %Y}.")
    if occurrence.cancelled:
        raise NotOnRota("That date has been cancelled.")
    return occurrence.start


def ensure_slot(meeting: Meeting, on: date, role: str) -> RotaSlot:
    """The slot for a role at an occurrence, created race-free (INSERT … ON CONFLICT DO NOTHING)."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        insert(RotaSlot)
        .values(meeting_id=meeting.id, occurrence_date=on, role=role, needed=needed(meeting, role), filled=0)
        .on_conflict_do_nothing(index_elements=["meeting_id", "occurrence_date", "role"])
    )
    return db.session.scalar(
        select(RotaSlot).where(RotaSlot.meeting_id == meeting.id, RotaSlot.occurrence_date == on, RotaSlot.role == role)
    )


def _take_seat(slot_id: int) -> bool:
    """Atomically take one place if one is free; the database decides, not a count read earlier."""
    result = db.session.execute(
        update(RotaSlot)
        .where(RotaSlot.id == slot_id, RotaSlot.filled < RotaSlot.needed)
        .values(filled=RotaSlot.filled + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _free_seat(slot_id: int) -> None:
    """Give one place back."""
    db.session.execute(
        update(RotaSlot)
        .where(RotaSlot.id == slot_id, RotaSlot.filled > 0)
        .values(filled=RotaSlot.filled - 1)
        .execution_options(synchronize_session=False)
    )


def _set_status(signup_id: int, to: str, only_from: tuple[str, ...]) -> bool:
    """Move a signup's status only if it is still in one of the expected states."""
    result = db.session.execute(
        update(Signup)
        .where(Signup.id == signup_id, Signup.status.in_(only_from))
        .values(status=to, status_changed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def check_eligible(person: Person, meeting: Meeting, on: date, role: str) -> None:
    """Refuse, with every reason, anyone the eligibility rule says no to on the session's date."""
    establishment = meeting.venue_id if meeting.is_custody else None
    decision = eligibility(person, role, on, establishment)
    if not decision:
        raise NotEligible(" ".join(decision.reasons))


def sign_up(person: Person, meeting: Meeting, on: date, role: str, *, by: Person, now: datetime) -> Outcome:
    """Take a place (or join the queue) for a role at one occurrence, for oneself or assigned by a co-ordinator."""
    if role not in ROTA_ROLES:
        raise RotaError("Choose facilitator or peer mentor.")
    # Whether the person may help comes before anything is said about the session's dates or state.
    check_eligible(person, meeting, on, role)
    if meeting.status != ACTIVE:
        raise NotOnRota("This series isn't running at the moment.")
    if occurrence_start(meeting, on) <= now:
        raise NotOnRota("That session has already started.")
    if needed(meeting, role) == 0:
        raise NotOnRota("This session doesn't need that role.")
    slot = ensure_slot(meeting, on, role)
    existing = db.session.scalar(
        select(Signup.id).where(
            Signup.meeting_id == meeting.id, Signup.occurrence_date == on, Signup.person_id == person.id,
            Signup.status.in_(ACTIVE_SIGNUP),
        )
    )
    if existing is not None:
        raise AlreadySignedUp("You already have a place at this session.")
    seat = _take_seat(slot.id)
    signup = Signup(slot_id=slot.id, meeting_id=meeting.id, occurrence_date=on, person_id=person.id,
                    status="confirmed" if seat else "waitlisted", created_by_id=by.id)
    db.session.add(signup)
    # The partial unique index refuses a second active place even if two requests got this far at once.
    db.session.flush()
    record("rota.signup" if by.id == person.id else "rota.assign", by, signup, detail=signup.status)
    return Outcome(signup, seat)


def withdraw(signup: Signup, by: Person) -> Signup | None:
    """Give up a place; the first eligible person in the queue gets it. Returns whoever was promoted."""
    was_confirmed = signup.status == "confirmed"
    if not _set_status(signup.id, "withdrawn", ACTIVE_SIGNUP):
        raise RotaError("You had already withdrawn from this session.")
    record("rota.withdraw", by, signup)
    if not was_confirmed:
        return None
    _free_seat(signup.slot_id)
    return promote(signup.slot_id)


def promote(slot_id: int) -> Signup | None:
    """Give a free place to the longest-waiting person who is still eligible on the date."""
    query = (
        select(Signup)
        .where(Signup.slot_id == slot_id, Signup.status == "waitlisted")
        .order_by(Signup.id)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    for candidate in db.session.scalars(query).all():
        slot = db.session.get(RotaSlot, slot_id)
        try:
            check_eligible(candidate.person, slot.meeting, slot.occurrence_date, slot.role)
        except NotEligible:
            _set_status(candidate.id, "released", ("waitlisted",))
            continue
        if not _take_seat(slot_id):
            return None
        if _set_status(candidate.id, "confirmed", ("waitlisted",)):
            record("rota.promote", None, candidate)
            db.session.expire(candidate)
            return candidate
        _free_seat(slot_id)
    return None


def release_ineligible(person: Person, today: date, by: Person | None = None) -> list[Signup]:
    """After a clearance or training lapses: release this person's future places that now fail the rule."""
    released = []
    signups = db.session.scalars(
        select(Signup).where(Signup.person_id == person.id, Signup.status.in_(ACTIVE_SIGNUP),
                             Signup.occurrence_date >= today)
    ).all()
    for signup in signups:
        slot = signup.slot
        try:
            check_eligible(person, slot.meeting, slot.occurrence_date, slot.role)
        except NotEligible:
            was_confirmed = signup.status == "confirmed"
            if _set_status(signup.id, "released", ACTIVE_SIGNUP):
                record("rota.release", by, signup, detail="ineligible")
                released.append(signup)
                if was_confirmed:
                    _free_seat(slot.id)
                    promote(slot.id)
    db.session.flush()
    return released


def resize_future_slots(meeting: Meeting, today: date) -> None:
    """Apply new helper numbers to future occurrences; refuse to go below who is already confirmed."""
    slots = db.session.scalars(
        select(RotaSlot).where(RotaSlot.meeting_id == meeting.id, RotaSlot.occurrence_date >= today)
    ).all()
    for slot in slots:
        target = needed(meeting, slot.role)
        if slot.filled > target:
            raise CapacityBelowSignups(
                f"{slot.occurrence_date:%-d %B} already has {slot.filled} confirmed "
                f"{'facilitators' if slot.role == 'facilitator' else 'peer mentors'}; ask one to withdraw first."
            )
    for slot in slots:
        grew = needed(meeting, slot.role) > slot.needed
        slot.needed = needed(meeting, slot.role)
        db.session.flush()
        while grew and promote(slot.id) is not None:
            pass


def release_occurrences(meeting: Meeting, *, on: date | None = None, after: date | None = None) -> int:
    """A date was cancelled (or the series ended): free everyone's places on it, so nobody turns up for nothing."""
    query = select(Signup).where(Signup.meeting_id == meeting.id, Signup.status.in_(ACTIVE_SIGNUP))
    if on is not None:
        query = query.where(Signup.occurrence_date == on)
    if after is not None:
        query = query.where(Signup.occurrence_date > after)
    released = 0
    for signup in db.session.scalars(query).all():
        was_confirmed = signup.status == "confirmed"
        if _set_status(signup.id, "released", ACTIVE_SIGNUP):
            released += 1
            if was_confirmed:
                _free_seat(signup.slot_id)
            record("rota.release", None, signup, detail="cancelled")
    return released


def release_stranded(meeting: Meeting, today: date) -> int:
    """After a series' day or dates change, free places on dates it no longer meets."""
    released = 0
    signups = db.session.scalars(select(Signup).where(
        Signup.meeting_id == meeting.id, Signup.status.in_(ACTIVE_SIGNUP), Signup.occurrence_date >= today)).all()
    for signup in signups:
        if meeting.occurrence_on(signup.occurrence_date) is None:
            released += release_occurrences(meeting, on=signup.occurrence_date)
    return released


@occurrence_changed.connect
def _date_changed(meeting: Meeting, *, on: date, what: str) -> None:
    """A cancelled date frees everyone's places on it, so nobody turns up for nothing."""
    if what == "cancelled":
        release_occurrences(meeting, on=on)


@series_changed.connect
def _series_changed(meeting: Meeting, *, today: date, helpers_changed: bool) -> None:
    """New helper numbers resize future places (refusing to drop below who is confirmed); dropped dates free theirs."""
    if helpers_changed:
        resize_future_slots(meeting, today)
    release_stranded(meeting, today)


@series_ended.connect
def _series_ended(meeting: Meeting, *, after: date) -> None:
    """An ended series frees every place after its last day."""
    release_occurrences(meeting, after=after)


@credentials_changed.connect
def _credentials_changed(person: Person, *, today: date, by: Person | None) -> None:
    """Training, clearance or account status changed: release future places the rule no longer allows."""
    release_ineligible(person, today, by)
