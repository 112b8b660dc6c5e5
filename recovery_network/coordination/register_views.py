"""A person's register on the co-ordinator's screens: training seen, clearance requests and moves, PVG.

Each route loads the person through views.person_or_404 / ours_or_404 (organisations/access.py), and taking on a
newcomer adds them to the co-ordinator's organisation (views.adopt) before anything is recorded.
"""

from __future__ import annotations

from flask_login import current_user

from recovery_network.coordination.views import (
    adopt,
    bp,
    done,
    establishments,
    ours_or_404,
    person_or_404,
    refused,
    render_person,
)
from recovery_network.errors import DomainError
from recovery_network.extensions import db
from recovery_network.mentors import services as register
from recovery_network.mentors.forms import ClearanceMoveForm, ClearanceRequestForm, PvgForm, TrainingForm
from recovery_network.mentors.models import Clearance, Course, TrainingRecord
from recovery_network.mentors.views import course_choices
from recovery_network.types import utcnow
from recovery_network.venues.models import Venue


@bp.post("/people/<public_id>/training")
def add_training(public_id: str):
    """Record training seen by a co-ordinator (verified at once)."""
    subject = person_or_404(public_id)
    form = TrainingForm()
    form.course_id.choices = course_choices()
    if not form.validate():
        return render_person(subject, training_form=form)
    course = db.get_or_404(Course, form.course_id.data)
    if refusal := adopt(subject, "training"):
        return refusal
    try:
        register.record_training(subject, course, form.completed_on.data, form.expires_on.data,
                                 current_user, utcnow().date())
    except DomainError as error:
        db.session.rollback()
        form.completed_on.errors.append(str(error))
        return render_person(subject, training_form=form)
    return done(subject, "Training recorded.")


@bp.post("/training/<int:training_id>/<status>")
def decide_training(training_id: int, status: str):
    """Verify, reject or revoke a training record."""
    training = db.get_or_404(TrainingRecord, training_id)
    ours_or_404(training.person)
    if refusal := adopt(training.person, "decide"):
        return refusal
    try:
        register.decide_training(training, status, current_user)
    except DomainError as error:
        return refused(training.person, error)
    return done(training.person, f"Training {status}.")


@bp.post("/people/<public_id>/clearances")
def request_clearance(public_id: str):
    """Start a clearance request for an establishment."""
    subject = person_or_404(public_id)
    form = ClearanceRequestForm()
    form.venue_id.choices = [(v.id, v.name) for v in establishments()]
    if not form.validate():
        return render_person(subject, request_form=form)
    if refusal := adopt(subject, "clearance"):
        return refusal
    try:
        register.request_clearance(subject, db.get_or_404(Venue, form.venue_id.data), current_user)
    except DomainError as error:
        db.session.rollback()
        form.venue_id.errors.append(str(error))
        return render_person(subject, request_form=form)
    return done(subject, "Clearance requested.")


@bp.post("/clearances/<int:clearance_id>")
def move_clearance(clearance_id: int):
    """Move a clearance to a new status (each move recorded)."""
    clearance = db.get_or_404(Clearance, clearance_id)
    ours_or_404(clearance.person)
    form = ClearanceMoveForm()
    if not form.validate():
        return render_person(clearance.person, move_form=form, move_error_id=clearance.id)
    if refusal := adopt(clearance.person, "move"):
        return refusal
    try:
        register.move_clearance(clearance, form.status.data, current_user, valid_from=form.valid_from.data,
                                expires_on=form.expires_on.data, reference=form.reference.data)
    except DomainError as error:
        db.session.rollback()
        form.status.errors.append(str(error))
        return render_person(clearance.person, move_form=form, move_error_id=clearance.id)
    return done(clearance.person, f"Clearance now {form.status.data}.")


@bp.post("/people/<public_id>/pvg")
def record_pvg(public_id: str):
    """Record PVG membership."""
    subject = person_or_404(public_id)
    form = PvgForm()
    if not form.validate():
        return render_person(subject, pvg_form=form)
    if refusal := adopt(subject, "pvg"):
        return refusal
    try:
        register.record_pvg(subject, form.status.data, form.confirmed_on.data, form.renewal_due.data, current_user)
    except DomainError as error:
        db.session.rollback()
        form.status.errors.append(str(error))
        return render_person(subject, pvg_form=form)
    return done(subject, "PVG recorded.")
