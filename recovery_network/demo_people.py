"""Demo accounts for each role, with a mix of in-date, expiring and expired training and clearance.

Only ever created by `flask seed-demo`; the password is published in the README, so never use this
outside a demonstration.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from recovery_network.accounts.models import ACTIVE, PENDING, Person, PersonRole, StaffPost
from recovery_network.extensions import db
from recovery_network.mentors.models import Clearance, ClearanceChange, Course, PvgMembership, TrainingRecord
from recovery_network.types import utcnow
from recovery_network.venues.models import Venue

DEMO_PASSWORD = "walk-through-the-gate"

COURSES = [
    ("SMART-FAC", "SMART Recovery facilitator training", 24, "facilitator"),
    ("PEER-MENTOR", "Peer mentor training", 24, "peer_mentor"),
    ("SAFEGUARDING", "Safeguarding adults at risk", 36, None),
    ("NALOXONE", "Naloxone awareness", 12, None),
    ("PRISON-INDUCTION", "Prison security induction", None, None),
]

# email local part: (first name, initial, roles, status, staff posts)
PEOPLE = {
    "admin": ("Alex", "M", ["admin"], ACTIVE, []),
    "coordinator": ("Morag", "D", ["coordinator"], ACTIVE, []),
    "staff.perth": ("Gordon", "R", ["establishment_staff"], ACTIVE, ["hmp-perth"]),
    "facilitator": ("Fiona", "S", ["facilitator", "peer_mentor"], ACTIVE, []),
    "mentor": ("Jamie", "K", ["peer_mentor"], ACTIVE, []),
    "mentor.expired": ("Chris", "B", ["peer_mentor"], ACTIVE, []),
    # A community mentor: trained, no prison clearance (meets people at the gate and outside).
    "mentor.community": ("Kirsty", "L", ["peer_mentor"], ACTIVE, []),
    "newcomer": ("Sam", "T", ["peer_mentor"], PENDING, []),
}


def seed_people(today: date) -> int:
    """Create the demo courses and accounts that are missing; returns how many people were added."""
    courses = {}
    for code, name, months, qualifies in COURSES:
        course = db.session.scalar(select(Course).where(Course.code == code))
        if course is None:
            course = Course(code=code, name=name, refresh_months=months, qualifies_for=qualifies)
            db.session.add(course)
        courses[code] = course
    db.session.flush()
    venues = {v.slug: v for v in db.session.scalars(select(Venue))}
    people, added = {}, 0
    password_hash = generate_password_hash(DEMO_PASSWORD)
    for local, (first, initial, roles, status, posts) in PEOPLE.items():
        email = f"{local}@demo.recovery-network.org"
        person = db.session.scalar(select(Person).where(Person.email == email))
        if person is None:
            person = Person(email=email, first_name=first, last_initial=initial, password_hash=password_hash,
                            status=status, approved_at=utcnow() if status == ACTIVE else None)
            person.roles = [PersonRole(role=r) for r in roles]
            person.staff_posts = [StaffPost(venue_id=venues[slug].id) for slug in posts if slug in venues]
            db.session.add(person)
            added += 1
            people[local] = person
    db.session.flush()
    if people.get("coordinator") is None:
        return added
    by = people["coordinator"]
    _train(people.get("facilitator"), courses["SMART-FAC"], today - timedelta(days=300), today + timedelta(days=20), by)
    _train(people.get("facilitator"), courses["PEER-MENTOR"], today - timedelta(days=400), None, by)
    _train(people.get("mentor"), courses["PEER-MENTOR"], today - timedelta(days=90), None, by)
    _train(people.get("mentor.community"), courses["PEER-MENTOR"], today - timedelta(days=60), None, by)
    _train(people.get("mentor.expired"), courses["PEER-MENTOR"], today - timedelta(days=800), today - timedelta(days=70), by)
    _clear(people.get("facilitator"), venues.get("hmp-perth"), today - timedelta(days=200), today + timedelta(days=25), by)
    _clear(people.get("mentor"), venues.get("hmp-perth"), today - timedelta(days=60), None, by)
    _clear(people.get("mentor"), venues.get("hmp-barlinnie"), today - timedelta(days=30), today + timedelta(days=300), by)
    _clear(people.get("mentor.expired"), venues.get("hmp-perth"), today - timedelta(days=400), today - timedelta(days=10), by,
           status="expired")
    if people.get("mentor") is not None:
        db.session.add(PvgMembership(person_id=people["mentor"].id, status="member",
                                     confirmed_on=today - timedelta(days=100), renewal_due=today + timedelta(days=1725),
                                     recorded_by_id=by.id))
    if people.get("newcomer") is not None:
        db.session.add(TrainingRecord(person=people["newcomer"], course=courses["PEER-MENTOR"],
                                      completed_on=today - timedelta(days=14), status="pending"))
    db.session.flush()
    return added


def _train(person, course, completed_on, expires_on, by) -> None:
    """Verified training for a demo person."""
    if person is not None:
        db.session.add(TrainingRecord(person=person, course=course, completed_on=completed_on, expires_on=expires_on,
                                      status="verified", verified_by_id=by.id, verified_at=utcnow()))


def _clear(person, venue, valid_from, expires_on, by, status="approved") -> None:
    """A clearance for a demo person, with its history."""
    if person is None or venue is None:
        return
    clearance = Clearance(person=person, venue=venue, status=status, valid_from=valid_from, expires_on=expires_on)
    clearance.changes = [ClearanceChange(from_status=None, to_status="requested", by_id=by.id),
                         ClearanceChange(from_status="requested", to_status="approved", by_id=by.id)]
    if status == "expired":
        clearance.changes.append(ClearanceChange(from_status="approved", to_status="expired", by_id=by.id))
    db.session.add(clearance)


def seed_rota_and_pathway(now) -> None:
    """A few rota places and the throughcare states (first names only) so every screen has something to show."""
    from recovery_network.demo import demo_meetings
    from recovery_network.meetings.recurrence import next_occurrences
    from recovery_network.rota.services import RotaError, sign_up

    people = {p.email.split("@")[0]: p for p in db.session.scalars(select(Person))}
    meetings = demo_meetings(now.date())
    for who, slug, role in (("facilitator", "perth-smart-tuesday", "facilitator"), ("mentor", "perth-smart-tuesday", "peer_mentor"),
                            ("mentor", "hmp-perth-smart", "peer_mentor"), ("facilitator", "hmp-perth-smart", "facilitator")):
        person, meeting = people.get(who), meetings.get(slug)
        if person is None or meeting is None:
            continue
        upcoming = [o for o in next_occurrences(meeting.schedule, meeting.change_map(), now, 3) if not o.cancelled]
        try:
            sign_up(person, meeting, upcoming[0].original_start.date(), role, by=person, now=now)
        except RotaError:
            pass  # e.g. a demo credential has lapsed since: the demo shows that gap instead
    if people.get("facilitator") is not None:
        for slug in ("perth-smart-tuesday", "perth-smart-saturday", "perth-family-friends", "dundee-smart-monday",
                     "dundee-recovery-cafe"):
            if slug in meetings:
                meetings[slug].organiser_id = people["facilitator"].id
    from recovery_network.demo_throughcare import seed_throughcare

    seed_throughcare(now.date(), people)
