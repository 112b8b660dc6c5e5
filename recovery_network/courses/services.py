"""Named operations on a course's enrolments and attendance. They enforce the rules, flush, and never commit."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from recovery_network.accounts.models import Person
from recovery_network.audit.services import record
from recovery_network.courses.models import (
    COMPLETED,
    ENROLLED,
    LEFT,
    Attendance,
    Enrolment,
)
from recovery_network.courses.rules import NameRefused, course_name
from recovery_network.errors import DomainError
from recovery_network.extensions import db
from recovery_network.meetings.models import Meeting
from recovery_network.meetings.recurrence import (
    Occurrence,
    last_slot,
    localise,
    occurrences,
)
from recovery_network.signals import enrolment_left

MAX_ENROLMENTS = 40


class CourseError(DomainError):
    """A change to a course's register that its rules do not allow."""


def is_course(meeting: Meeting) -> bool:
    """A course is a programme that finishes (a number of sessions or a last date): only those take enrolments."""
    return meeting.kind == "programme" and (meeting.session_count is not None or meeting.ends_on is not None)


def sessions(meeting: Meeting) -> list[Occurrence]:
    """Every session of a course from first to last, cancelled ones marked."""
    end = last_slot(meeting.schedule)
    if end is None:
        return []
    first = localise(datetime.combine(meeting.starts_on, time.min), meeting.timezone)
    return occurrences(meeting.schedule, meeting.change_map(), first, end + timedelta(days=1))


def enrolments(meeting: Meeting) -> list[Enrolment]:
    """The course's register, in the order people joined."""
    return list(db.session.scalars(select(Enrolment).where(Enrolment.meeting_id == meeting.id)
                                   .order_by(Enrolment.id)))


def enrol(meeting: Meeting, name: str, by: Person, today: date) -> Enrolment:
    """Put someone on a course by first name or initials (never a surname, number or anything more)."""
    if not is_course(meeting):
        raise CourseError("Only a course (a programme with a number of sessions) takes enrolments.")
    try:
        name = course_name(name)
    except NameRefused as error:
        raise CourseError(str(error)) from None
    live = [e for e in enrolments(meeting) if e.status != LEFT]
    if len(live) >= MAX_ENROLMENTS:
        raise CourseError(f"A course holds {MAX_ENROLMENTS} people at most.")
    if any(e.name.casefold() == name.casefold() for e in live):
        raise CourseError(f"{name} is already on this course: add an initial to tell two people apart.")
    enrolment = Enrolment(meeting_id=meeting.id, name=name, status=ENROLLED, enrolled_on=today)
    db.session.add(enrolment)
    db.session.flush()
    record("course.enrol", by, enrolment)
    return enrolment


def set_attendance(enrolment: Enrolment, attended: set[date], by: Person, today: date) -> None:
    """Record which sessions someone came to: only the course's own dates that have happened and were not cancelled."""
    held = {o.original_start.date() for o in sessions(enrolment.meeting) if not o.cancelled and o.start.date() <= today}
    if not attended <= held:
        raise CourseError("Attendance can only be marked for sessions that have taken place.")
    for attendance in list(enrolment.attendances):
        if attendance.session_date not in attended:
            enrolment.attendances.remove(attendance)
    for day in sorted(attended - enrolment.attended):
        enrolment.attendances.append(Attendance(session_date=day))
    db.session.flush()
    record("course.attendance", by, enrolment)


def complete(enrolment: Enrolment, on: date, by: Person, today: date) -> None:
    """Mark someone as having completed the course (which gives them a certificate)."""
    if enrolment.status != ENROLLED:
        raise CourseError(f"{enrolment.name} is already marked {enrolment.status}.")
    if on > today:
        raise CourseError("The completion date can't be in the future.")
    if on < enrolment.meeting.starts_on:
        raise CourseError("The completion date must be after the course began.")
    enrolment.status, enrolment.completed_on = COMPLETED, on
    db.session.flush()
    record("course.complete", by, enrolment)


def leave(enrolment: Enrolment, by: Person, today: date) -> None:
    """Someone left the course; their attendance is kept for the course's own counts, and whatever planned their
    coming sessions (a pathway) hears of it."""
    if enrolment.status != ENROLLED:
        raise CourseError(f"{enrolment.name} is already marked {enrolment.status}.")
    enrolment.status = LEFT
    db.session.flush()
    record("course.leave", by, enrolment)
    enrolment_left.send(enrolment, today=today, by=by)
