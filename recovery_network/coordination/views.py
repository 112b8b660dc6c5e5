"""Co-ordinators' screens: approvals, the people register, expiring credentials, courses, the audit log."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from recovery_network.accounts import management as accounts
from recovery_network.accounts.models import ADMIN, COORDINATOR, PENDING, ROLE_NAMES, ROLES, Person
from recovery_network.accounts.permissions import require_role
from recovery_network.audit.models import AuditEvent
from recovery_network.audit.services import record
from recovery_network.errors import DomainError
from recovery_network.extensions import db
from recovery_network.inputs import page_number
from recovery_network.mentors import services as register
from recovery_network.mentors.forms import (
    ClearanceMoveForm,
    ClearanceRequestForm,
    CourseForm,
    PvgForm,
    TrainingForm,
)
from recovery_network.mentors.models import Clearance, Course, PvgMembership, TrainingRecord
from recovery_network.mentors.rules import training_state
from recovery_network.mentors.views import course_choices
from recovery_network.organisations import services as organisations
from recovery_network.organisations.access import may_act_for_person, people_within
from recovery_network.types import utcnow
from recovery_network.venues.models import CUSTODY, Venue

bp = Blueprint("coordination", __name__, url_prefix="/coordinate")


@bp.before_request
def coordinators_only() -> None:
    """Every screen here is for co-ordinators (and admins)."""
    require_role(COORDINATOR)


def person_or_404(public_id: str) -> Person:
    """A person this co-ordinator acts on (organisations/access.py); anyone else's answers like a made-up id."""
    person = db.session.scalar(select(Person).where(Person.public_id == public_id[:24]))
    if not may_act_for_person(current_user, person):
        abort(404)
    return person


def ours_or_404(person: Person) -> Person:
    """The person a training record or clearance is about, if this co-ordinator acts on them; else a 404."""
    if not may_act_for_person(current_user, person):
        abort(404)
    return person


def ours(column):
    """The rows about people this co-ordinator acts on, for the lists and counts."""
    return people_within(current_user, column)


def adopt(subject: Person, form_name: str):
    """Take a newcomer into the chosen (else the home) organisation; a forged choice answers 422 beside the
    field before anything is saved. Returns that refusal, or None to go on."""
    try:
        organisations.adopt(subject, request.form.get("organisation"), current_user)
    except DomainError as error:
        db.session.rollback()
        # Buttons with no select (verify, move) show it at the top; the forms with one, beside it.
        return render_person(subject, adopt_error=(form_name, str(error)),
                             error=str(error) if form_name in ("decide", "move") else None), 422
    return None


def establishments() -> list[Venue]:
    """Custody establishments, for select boxes."""
    return list(db.session.scalars(select(Venue).where(Venue.setting == CUSTODY).order_by(Venue.name)))


@bp.get("/")
def index():
    """At a glance: who is waiting for approval, and which credentials run out in the next 30 days."""
    today = utcnow().date()
    pending = db.session.scalars(select(Person).where(Person.status == PENDING, ours(Person.id))
                                 .order_by(Person.created_at)).all()
    trainings, clearances, pvg = register.expiring(today, 30, people=ours)
    return render_template("coordination/index.html", pending=pending, trainings=trainings,
                           clearances=clearances, pvg=pvg, today=today)


@bp.get("/people")
def people():
    """Everyone with an account this co-ordinator acts on (every account, for an admin), by status."""
    status = request.args.get("status", "")
    query = (select(Person).where(ours(Person.id)).options(selectinload(Person.roles))
             .order_by(Person.first_name, Person.id))
    if status in ("pending", "active", "suspended"):
        query = query.where(Person.status == status)
    return render_template("coordination/people.html", people=db.session.scalars(query).all(), status=status)


@bp.get("/people/<public_id>")
def person(public_id: str):
    """One person's register; opening it is audited (it holds criminal-offence-class data)."""
    subject = person_or_404(public_id)
    record("register.view", current_user, subject)
    db.session.commit()
    return render_person(subject)


def render_person(subject: Person, **forms):
    """The person page with its forms (fresh unless one is being re-shown with errors)."""
    training_form = forms.get("training_form") or TrainingForm(formdata=None)
    training_form.course_id.choices = course_choices()
    request_form = forms.get("request_form") or ClearanceRequestForm(formdata=None)
    request_form.venue_id.choices = [(v.id, v.name) for v in establishments()]
    pvg = db.session.scalar(select(PvgMembership).where(PvgMembership.person_id == subject.id))
    return render_template(
        "coordination/person.html",
        subject=subject,
        role_names=ROLE_NAMES,
        roles=ROLES,
        establishments=establishments(),
        trainings=db.session.scalars(select(TrainingRecord).where(TrainingRecord.person_id == subject.id)
                                     .order_by(TrainingRecord.completed_on.desc())).all(),
        clearances=db.session.scalars(select(Clearance).where(Clearance.person_id == subject.id)
                                      .order_by(Clearance.id.desc())).all(),
        pvg=pvg,
        training_form=training_form,
        request_form=request_form,
        move_form=forms.get("move_form") or ClearanceMoveForm(formdata=None),
        move_error_id=forms.get("move_error_id"),
        pvg_form=forms.get("pvg_form") or PvgForm(formdata=None, obj=pvg),
        training_state=training_state, today=utcnow().date(),
        error=forms.get("error"),
        adopt_choices=organisations.adoption_choices(subject, current_user),
        adopt_error=forms.get("adopt_error", (None, None)),
    )


def done(subject: Person, message: str):
    """Commit the change and go back to the person's page."""
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("coordination.person", public_id=subject.public_id))


def refused(subject: Person, error: DomainError):
    """Undo a refused change and show why, keeping what was already saved."""
    db.session.rollback()
    return render_person(subject, error=str(error)), 200


@bp.post("/people/<public_id>/status")
def change_status(public_id: str):
    """Approve, suspend or reactivate an account."""
    subject = person_or_404(public_id)
    action = request.form.get("action")
    operations = {"approve": accounts.approve_person, "suspend": accounts.suspend_person,
                  "reactivate": accounts.reactivate_person}
    if action not in operations:
        abort(400)
    if action == "approve" and (refusal := adopt(subject, "approve")):
        return refusal
    try:
        operations[action](subject, current_user)
    except DomainError as error:
        return refused(subject, error)
    return done(subject, {"approve": "Approved.", "suspend": "Suspended; they have been logged out.",
                          "reactivate": "Reactivated."}[action])


@bp.post("/people/<public_id>/roles")
def change_roles(public_id: str):
    """Change roles (the only place roles change) and establishment posts."""
    subject = person_or_404(public_id)
    wanted = set(request.form.getlist("role"))
    venue_ids = {int(v) for v in request.form.getlist("venue") if v.isdecimal()}  # "²" is a digit but no int
    venues = [v for v in establishments() if v.id in venue_ids]
    try:
        accounts.set_roles(subject, wanted, current_user)
        accounts.set_staff_posts(subject, venues, current_user)
    except DomainError as error:
        return refused(subject, error)
    return done(subject, "Roles saved.")


@bp.post("/people/<public_id>/erase")
def erase(public_id: str):
    """Erase an account on an admin's word (an erasure request by phone or letter), after a confirm tick."""
    require_role(ADMIN)
    subject = person_or_404(public_id)
    if request.form.get("confirm") != "yes":
        return render_person(subject, error="Tick the box to confirm: erasing an account cannot be undone."), 200
    try:
        accounts.erase_person(subject, current_user, "admin")
    except DomainError as error:
        return refused(subject, error)
    db.session.commit()
    flash("The account has been erased.", "success")
    return redirect(url_for("coordination.people"))


@bp.route("/courses", methods=["GET", "POST"])
def courses():
    """The course catalogue; co-ordinators add local courses (safeguarding, naloxone, induction)."""
    form = CourseForm()
    if form.validate_on_submit():
        code = form.code.data.strip().upper()
        if db.session.scalar(select(Course.id).where(Course.code == code)) is not None:
            form.code.errors.append("A course already has that code.")
        else:
            db.session.add(Course(code=code, name=form.name.data.strip(), refresh_months=form.refresh_months.data,
                                  qualifies_for=form.qualifies_for.data or None))
            record("course.add", current_user, object_type="courses")
            db.session.commit()
            flash("Course added.", "success")
            return redirect(url_for("coordination.courses"))
    return render_template("coordination/courses.html", form=form,
                           courses=db.session.scalars(select(Course).order_by(Course.name)).all())


@bp.get("/audit")
def audit():
    """The audit log, newest first (admins only)."""
    require_role(ADMIN)
    page = db.paginate(select(AuditEvent).order_by(AuditEvent.id.desc()), page=page_number(), per_page=50,
                       error_out=False)
    return render_template("coordination/audit.html", page=page)


# A person's register (training, clearances, PVG) and the network screens (prisons, staff, areas, the clearance
# pipeline) add their routes to this blueprint.
from recovery_network.coordination import network, register_views  # noqa: E402,F401
