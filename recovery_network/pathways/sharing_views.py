"""Sharing and handing over on the pathway page, and the page a receiving organisation reads."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from recovery_network.errors import DomainError
from recovery_network.extensions import db
from recovery_network.meetings.models import Meeting
from recovery_network.meetings.visibility import visible_to
from recovery_network.organisations.access import may_act_for
from recovery_network.organisations.models import Organisation
from recovery_network.organisations.services import all_organisations, names
from recovery_network.pathways import sharing
from recovery_network.pathways.forms import CONTACT_MODE_NAMES
from recovery_network.pathways.models import Pathway
from recovery_network.pathways.share_models import HANDOVER, PathwayShare
from recovery_network.pathways.sharing_forms import ShareForm
from recovery_network.pathways.views import bp, pathway_or_404, render_pathway
from recovery_network.types import utcnow


def share_form(pathway: Pathway, form: ShareForm | None = None) -> ShareForm:
    """The consent form, offering every organisation but the owner."""
    form = form or ShareForm(formdata=None)
    form.share_with.choices = [(o.id, o.name) for o in all_organisations() if o.id != pathway.organisation_id]
    return form


def sharing_context(pathway: Pathway, forms: dict) -> dict:
    """For the pathway page: who it is shared with, and the consent form for the owner's co-ordinators."""
    may_share = may_act_for(current_user, pathway.organisation_id)
    return {"may_share": may_share, "share_form": share_form(pathway, forms.get("share_form")) if may_share else None,
            "shares": list(reversed(pathway.shares)),
            "organisation_names": names({pathway.organisation_id} | {s.organisation_id for s in pathway.shares}
                                        | {s.from_organisation_id for s in pathway.shares})}


def render_shared(pathway: Pathway, reading: sharing.ReadAccess):
    """What a receiving organisation reads: the minimal fields and the plan; contact notes only if shared."""
    meetings = {m.id: m for m in db.session.scalars(
        select(Meeting).where(Meeting.id.in_([i.meeting_id for i in pathway.items if i.meeting_id]),
                              visible_to(current_user)))}
    return render_template("pathways/shared.html", pathway=pathway, meetings=meetings, reading=reading,
                           contacts=pathway.contacts if reading.include_contacts else None,
                           mode_names=CONTACT_MODE_NAMES,
                           organisation_names=names({pathway.organisation_id}
                                                    | {s.organisation_id for s in reading.shares}))


@bp.post("/<public_id>/shares")
def share(public_id: str):
    """Record the person's consent and share the pathway with, or hand it to, another organisation."""
    pathway = pathway_or_404(public_id)
    form = share_form(pathway, ShareForm())
    if not form.validate():
        return render_pathway(pathway, share_form=form), 422
    target = db.session.get(Organisation, form.share_with.data)
    try:
        if form.share_kind.data == HANDOVER:
            sharing.hand_over(pathway, target, include_contacts=form.include_contacts.data,
                              keep_read=form.keep_read.data, consent=form.consent_given.data, by=current_user,
                              now=utcnow())
        else:
            sharing.share(pathway, target, include_contacts=form.include_contacts.data,
                          consent=form.consent_given.data, by=current_user, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        pathway = db.session.get(Pathway, pathway.id)
        form = share_form(pathway, form)
        field = form.consent_given if isinstance(error, sharing.NoConsent) else form.share_with
        field.errors = [*field.errors, str(error)]
        return render_pathway(pathway, share_form=form), 422
    db.session.commit()
    if form.share_kind.data == HANDOVER:
        flash(f"Handed over to {target.name}, with the person's consent recorded.", "success")
        if not may_act_for(current_user, pathway.organisation_id):
            return redirect(url_for("pathways.index"), 303)  # it is theirs now: we may not even read it
    else:
        flash(f"Shared with {target.name}, with the person's consent recorded.", "success")
    return redirect(url_for("pathways.detail", public_id=pathway.public_id), 303)


@bp.post("/<public_id>/shares/<int:share_id>/withdraw")
def withdraw_share(public_id: str, share_id: int):
    """End a sharing at once: the organisation's next request for the pathway is a 404."""
    pathway = pathway_or_404(public_id)
    row = db.session.scalar(select(PathwayShare).where(PathwayShare.id == share_id,
                                                       PathwayShare.pathway_id == pathway.id))
    if row is None or not may_act_for(current_user, pathway.organisation_id):
        abort(404)  # a mentor works on the pathway but does not decide who else sees it
    try:
        sharing.withdraw(pathway, row, current_user, utcnow())
    except DomainError as error:
        db.session.rollback()
        return render_pathway(db.session.get(Pathway, pathway.id), error=str(error)), 422
    db.session.commit()
    flash("Sharing withdrawn: they can no longer see the pathway.", "success")
    return redirect(url_for("pathways.detail", public_id=pathway.public_id), 303)
