"""The plan's routes on the pathways blueprint: choose a meeting, set an appointment, re-base, pass changes on."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_login import current_user

from recovery_network.extensions import db
from recovery_network.meetings.visibility import meeting_or_404
from recovery_network.pathways import enrolment, follow, planning, services
from recovery_network.pathways.forms import AppointmentForm, CourseForm, ItemForm, ReleaseDateForm
from recovery_network.pathways.models import Pathway, PathwayItem
from recovery_network.pathways.views import _apply, bp, pathway_or_404, render_pathway
from recovery_network.types import utcnow


def item_or_404(pathway: Pathway, item_id: int) -> PathwayItem:
    """An item of this plan; another plan's item does not exist here."""
    item = db.session.get(PathwayItem, item_id)
    if item is None or item.pathway_id != pathway.id:
        abort(404)
    return item


@bp.post("/<public_id>/items")
def add_item(public_id: str):
    """Add a meeting occurrence the person chose."""
    pathway = pathway_or_404(public_id)
    form = ItemForm()
    if not form.validate():
        abort(400)
    meeting = meeting_or_404(current_user, meeting_id=form.meeting_id.data)
    return _apply(pathway, lambda: planning.add_meeting(pathway, meeting, form.occurrence_date.data, current_user),
                  "Added to the plan.")


@bp.post("/<public_id>/courses")
def enrol_course(public_id: str):
    """Put the person on a closed course (or tie their place on it to the pathway): the plan may then offer it."""
    pathway = pathway_or_404(public_id)
    form = CourseForm()
    if not form.validate():
        abort(400)
    meeting = meeting_or_404(current_user, meeting_id=form.meeting_id.data)
    return _apply(pathway, lambda: enrolment.enrol(pathway, meeting, current_user, utcnow().date()),
                  f"{pathway.first_name} is enrolled on {meeting.title}: its sessions are offered below.")


@bp.post("/<public_id>/items/<int:item_id>/remove")
def remove_item(public_id: str, item_id: int):
    """Take an item out of the plan."""
    pathway = pathway_or_404(public_id)
    item = item_or_404(pathway, item_id)
    return _apply(pathway, lambda: planning.remove_item(pathway, item, current_user), "Removed from the plan.")


@bp.post("/<public_id>/items/<int:item_id>/keep")
def keep_item(public_id: str, item_id: int):
    """Keep a chosen date that the new release date left outside the six weeks."""
    pathway = pathway_or_404(public_id)
    item = item_or_404(pathway, item_id)
    return _apply(pathway, lambda: planning.keep_item(pathway, item, current_user), "Kept in the plan.")


@bp.post("/<public_id>/items/<int:item_id>/told")
def told(public_id: str, item_id: int):
    """The mentor has told the person about a change to this date."""
    pathway = pathway_or_404(public_id)
    follow.mark_told(pathway, item_or_404(pathway, item_id))
    db.session.commit()
    flash("Noted: they know.", "success")
    return redirect(url_for("pathways.detail", public_id=pathway.public_id))


@bp.post("/<public_id>/appointments", defaults={"item_id": None})
@bp.post("/<public_id>/appointments/<int:item_id>")
def appointment(public_id: str, item_id: int | None):
    """Add an appointment, or give one its real kind, agency, place and time."""
    pathway = pathway_or_404(public_id)
    item = item_or_404(pathway, item_id) if item_id is not None else None
    form = AppointmentForm()
    if not form.validate():
        return render_pathway(pathway, appointment_form=form, appointment_item=item_id)
    return _apply(pathway, lambda: planning.set_appointment(pathway, item, form.details(), current_user),
                  "Appointment saved.")


@bp.post("/<public_id>/release-date")
def release_date(public_id: str):
    """Re-base the plan on a new release date; dates chosen by hand that no longer fit are listed to decide."""
    pathway = pathway_or_404(public_id)
    form = ReleaseDateForm()
    if not form.validate():
        return render_pathway(pathway, release_form=form)
    review: list[PathwayItem] = []

    def rebase() -> None:
        review.extend(services.change_release_date(pathway, form.release_date.data, current_user, utcnow().date()))

    response = _apply(pathway, rebase, "The plan has been re-based.", form, "release_form")
    if review:
        flash(f"{len(review)} date{'s' if len(review) > 1 else ''} chosen by hand no longer fit the new six weeks: "
              "keep or remove each below.", "info")
    return response
