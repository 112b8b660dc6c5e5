"""A course's register for its organiser: enrol by first name or initials, mark attendance, complete, print certificates."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from recovery_network.accounts.models import COORDINATOR, FACILITATOR
from recovery_network.accounts.permissions import require_role
from recovery_network.courses import services
from recovery_network.courses.forms import EnrolForm
from recovery_network.courses.models import Enrolment
from recovery_network.errors import DomainError
from recovery_network.extensions import db
from recovery_network.meetings.models import Meeting
from recovery_network.meetings.services import local_today
from recovery_network.meetings.views import managed_or_404

bp = Blueprint("courses", __name__, url_prefix="/organise/meetings/<slug>/course")


@bp.before_request
def organisers_only() -> None:
    """Facilitators and co-ordinators run courses; everyone else gets a 404."""
    require_role(FACILITATOR, COORDINATOR)


def course_or_404(slug: str) -> Meeting:
    """A course the person manages (their own, or any for a co-ordinator)."""
    meeting = managed_or_404(slug)
    if not services.is_course(meeting):
        abort(404)
    return meeting


def enrolment_or_404(meeting: Meeting, code: str) -> Enrolment:
    """One enrolment on this course, by its random code."""
    found = next((e for e in services.enrolments(meeting) if e.code == code), None)
    if found is None:
        abort(404)
    return found


def render_course(meeting: Meeting, error: str | None = None, name: str = "", name_error: str | None = None):
    """The register: who is enrolled, which sessions they came to, and who has completed (a refused name comes
    back beside its field, as typed)."""
    today = local_today(meeting)
    sessions = services.sessions(meeting)
    return render_template("courses/register.html", meeting=meeting, enrolments=services.enrolments(meeting),
                           sessions=sessions, today=today, error=error, name=name, name_error=name_error,
                           held=[o for o in sessions if not o.cancelled and o.start.date() <= today])


@bp.get("/")
def register(slug: str):
    """The course's register."""
    return render_course(course_or_404(slug))


@bp.post("/enrol")
def enrol(slug: str):
    """Enrol someone by first name or initials."""
    meeting, form = course_or_404(slug), EnrolForm()
    name = (form.name.data or "")[:20]
    if not form.validate():
        return render_course(meeting, name_error=" ".join(form.name.errors), name=name), 422
    try:
        enrolment = services.enrol(meeting, form.name.data, current_user, local_today(meeting))
    except DomainError as error:
        db.session.rollback()
        return render_course(meeting, name_error=str(error), name=name), 422
    db.session.commit()
    flash(f"{enrolment.name} enrolled.", "success")
    return redirect(url_for(".register", slug=meeting.slug))


@bp.post("/attendance")
def attendance(slug: str):
    """Save the attendance grid: a ticked box is 'came to that session'."""
    meeting = course_or_404(slug)
    today = local_today(meeting)
    ticked = set(request.form.getlist("attended"))
    try:
        for enrolment in services.enrolments(meeting):
            dates = {date.fromisoformat(value.split(":", 1)[1]) for value in ticked
                     if value.startswith(enrolment.code + ":") and len(value) <= 40}
            services.set_attendance(enrolment, dates, current_user, today)
    except (DomainError, ValueError) as error:
        db.session.rollback()
        message = str(error) if isinstance(error, DomainError) else "Tick sessions from the grid only."
        return render_course(meeting, error=message), 422
    db.session.commit()
    flash("Attendance saved.", "success")
    return redirect(url_for(".register", slug=meeting.slug))


@bp.post("/<code>/<action>")
def change(slug: str, code: str, action: str):
    """Mark someone complete (today) or as having left."""
    meeting = course_or_404(slug)
    enrolment = enrolment_or_404(meeting, code)
    today = local_today(meeting)
    if action not in ("complete", "leave"):
        abort(404)
    try:
        if action == "complete":
            services.complete(enrolment, today, current_user, today)
        else:
            services.leave(enrolment, current_user, today)
    except DomainError as error:
        db.session.rollback()
        return render_course(meeting, error=str(error)), 422
    db.session.commit()
    flash(f"{enrolment.name} " + ("completed the course: their certificate is ready to print."
                                  if action == "complete" else "has left the course."), "success")
    return redirect(url_for(".register", slug=meeting.slug))


@bp.get("/<code>/certificate")
def certificate(slug: str, code: str):
    """A certificate of completion to print (first name or initials, the course, the date)."""
    meeting = course_or_404(slug)
    enrolment = enrolment_or_404(meeting, code)
    if enrolment.completed_on is None:
        abort(404)
    attended = len(enrolment.attended)
    return render_template("courses/certificate.html", meeting=meeting, enrolment=enrolment, attended=attended,
                           total=len([o for o in services.sessions(meeting) if not o.cancelled]))
