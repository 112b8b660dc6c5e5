"""Demo accounts for each role, with a mix of in-date, expiring and expired training and clearance.

Only ever created by `flask seed-demo`; the password is published in the README, so never use this
outside a demonstration.
"""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from recovery_network.accounts.models import ACTIVE, PENDING, Person, PersonRole, StaffPost
from recovery_network.extensions import db
from recovery_network.mentors.models import Clearance, ClearanceChange, Course, PvgMembership, TrainingRecord
from recovery_network.mentors.services import default_expiry
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
    # Tayside Throughcare's co-ordinator (demo_organisations.py): sees only what Tayside owns or is shared.
    "coordinator.tayside": ("Tom", "H", ["coordinator"], ACTIVE, []),
    "staff.perth": ("Gordon", "R", ["establishment_staff"], ACTIVE, ["hmp-perth"]),
    "facilitator": ("Fiona", "S", ["facilitator", "peer_mentor"], ACTIVE, []),
    # A prison officer trained as a facilitator: their staff post is their clearance for HMP Perth.
    "officer.perth": ("Iain", "W", ["establishment_staff", "facilitator"], ACTIVE, ["hmp-perth"]),
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
    # Completion dates are chosen so each course's own refresh period lands the expiry where the demo needs it:
    # Fiona's facilitator training runs out in 20 days, Chris's peer mentor training ran out 70 days ago.
    _train(people.get("facilitator"), courses["SMART-FAC"], today + timedelta(days=20) - relativedelta(months=24), by)
    _train(people.get("facilitator"), courses["PEER-MENTOR"], today - timedelta(days=400), by)
    _train(people.get("mentor"), courses["PEER-MENTOR"], today - timedelta(days=90), by)
    _train(people.get("mentor.community"), courses["PEER-MENTOR"], today - timedelta(days=60), by)
    _train(people.get("mentor.expired"), courses["PEER-MENTOR"], today - timedelta(days=70) - relativedelta(months=24), by)
    _train(people.get("officer.perth"), courses["SMART-FAC"], today - timedelta(days=120), by)
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
        completed = today - timedelta(days=14)
        db.session.add(TrainingRecord(person=people["newcomer"], course=courses["PEER-MENTOR"], completed_on=completed,
                                      expires_on=default_expiry(courses["PEER-MENTOR"], completed), status="pending"))
    # A request waiting long enough to be chased, so the clearance pipeline has something to show.
    if people.get("mentor") is not None and venues.get("hmp-low-moss") is not None:
        _clear(people["mentor"], venues["hmp-low-moss"], None, None, by, status="requested",
               since=utcnow() - timedelta(days=40))
    db.session.flush()
    return added


def _train(person, course, completed_on, by) -> None:
    """Verified training for a demo person, expiring when its course's refresh period says (as real records do)."""
    if person is not None:
        db.session.add(TrainingRecord(person=person, course=course, completed_on=completed_on,
                                      expires_on=default_expiry(course, completed_on), status="verified",
                                      verified_by_id=by.id, verified_at=utcnow()))


def _clear(person, venue, valid_from, expires_on, by, status="approved", since=None) -> None:
    """A clearance for a demo person, with its history."""
    if person is None or venue is None:
        return
    clearance = Clearance(person=person, venue=venue, status=status, valid_from=valid_from, expires_on=expires_on)
    clearance.changes = [ClearanceChange(from_status=None, to_status="requested", by_id=by.id, at=since or utcnow())]
    if status != "requested":
        clearance.changes.append(ClearanceChange(from_status="requested", to_status="approved", by_id=by.id))
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


def seed_course_and_custody_post(now) -> None:
    """The closed Forfar course with people enrolled (first names only), and Fiona's HMP Perth session awaiting approval."""
    from datetime import time

    from recovery_network.courses.services import enrol, sessions, set_attendance
    from recovery_network.demo import demo_meetings
    from recovery_network.meetings.services import MeetingDetails, post_meeting

    people = {p.email.split("@")[0]: p for p in db.session.scalars(select(Person))}
    course = demo_meetings(now.date()).get("forfar-ten-week-programme")
    by = people.get("facilitator")
    if course is not None and by is not None:
        course.organiser_id = by.id
        today = now.date()
        held = {o.original_start.date() for o in sessions(course) if not o.cancelled and o.start.date() <= today}
        for name, missed in (("Dee", 0), ("Ross", 1), ("J.M.", 2)):
            enrolment = enrol(course, name, by, course.starts_on)
            set_attendance(enrolment, set(sorted(held)[missed:]), by, today)
        db.session.flush()
    prison = db.session.scalar(select(Venue).where(Venue.slug == "hmp-perth"))
    if prison is not None and by is not None:
        start = now.date() + timedelta(days=(3 - now.date().weekday()) % 7 + 7)
        post_meeting(MeetingDetails("HMP Perth SMART group (Thursday morning)", "smart", 3, time(10, 0), start,
                                    venue=prison, facilitators_needed=1, mentors_needed=1,
                                    description="Posted by Fiona; waiting for the prison's staff to approve it."), by)
