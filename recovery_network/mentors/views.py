"""A volunteer's own register: my training, my clearances, and what I am eligible for."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from recovery_network.extensions import db
from recovery_network.mentors import pipeline, services
from recovery_network.mentors.forms import TrainingForm
from recovery_network.mentors.models import Clearance, Course, PvgMembership, TrainingRecord
from recovery_network.mentors.rules import clearance_stage, training_state
from recovery_network.types import utcnow

bp = Blueprint("mentors", __name__, url_prefix="/my")


def course_choices() -> list[tuple[int, str]]:
    """Every course, for the select box."""
    return [(c.id, c.name) for c in db.session.scalars(select(Course).order_by(Course.name))]


@bp.route("/register", methods=["GET", "POST"])
@login_required
def register():
    """My training and clearances; I can add training, which a co-ordinator then verifies."""
    form = TrainingForm()
    form.course_id.choices = course_choices()
    if form.validate_on_submit():
        course = db.get_or_404(Course, form.course_id.data)
        try:
            services.submit_training(current_user, course, form.completed_on.data, utcnow().date())
        except services.RegisterError as error:
            form.completed_on.errors.append(str(error))
        else:
            db.session.commit()
            flash("Added. A co-ordinator will check it.", "success")
            return redirect(url_for("mentors.register"))
    today = utcnow().date()
    return render_template(
        "mentors/register.html",
        form=form,
        trainings=db.session.scalars(select(TrainingRecord).where(TrainingRecord.person_id == current_user.id)
                                     .order_by(TrainingRecord.completed_on.desc())).all(),
        clearances=db.session.scalars(select(Clearance).where(Clearance.person_id == current_user.id)
                                      .order_by(Clearance.id.desc())).all(),
        waits={w.clearance.id: w for w in pipeline.waiting(current_user.id)},
        training_state=training_state, clearance_stage=clearance_stage,
        pvg=db.session.scalar(select(PvgMembership).where(PvgMembership.person_id == current_user.id)),
        as_mentor=services.eligibility(current_user, "peer_mentor", today, None),
        as_facilitator=services.eligibility(current_user, "facilitator", today, None),
        today=today,
    )
