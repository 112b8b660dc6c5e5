"""Referral intake screens: staff or a co-ordinator refer with consent; co-ordinators accept or decline."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from recovery_network.accounts.models import COORDINATOR, Person
from recovery_network.accounts.permissions import require_role
from recovery_network.audit.services import record
from recovery_network.errors import DomainError
from recovery_network.extensions import db, login_manager
from recovery_network.forms import show_beside
from recovery_network.organisations.access import may_act_for, within
from recovery_network.organisations.services import default_recipient, names, referral_recipients
from recovery_network.pathways import referrals
from recovery_network.pathways.throughcare_forms import AcceptForm, DeclineForm, ReferralForm
from recovery_network.pathways.throughcare_models import CONSENT_HOW, DECLINE_REASONS, Referral
from recovery_network.pathways.pickers import set_pickers
from recovery_network.pathways.views import openable_establishments
from recovery_network.types import utcnow
from recovery_network.venues.models import Venue
from recovery_network.venues.services import locate, not_found

bp = Blueprint("referrals", __name__, url_prefix="/referrals")  # nested: endpoints pathways.referrals.*


@bp.before_request
def logged_in() -> None:
    """Referrals are for staff and co-ordinators, signed in."""
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    if not referrals.may_refer(current_user):
        abort(404)


def mine():
    """Referrals this person may see: a co-ordinator those sent to their organisations (organisations/access.py)
    and their own; staff their prison's and their own."""
    if current_user.has_role(COORDINATOR):
        return or_(within(current_user, Referral.organisation_id), Referral.referred_by_id == current_user.id)
    return or_(Referral.referred_by_id == current_user.id,
               Referral.establishment_id.in_(sorted(current_user.establishment_ids or ())))


@bp.get("/")
def index():
    """The queue: new referrals (flagged after 14 days), and recent decisions."""
    today = utcnow().date()
    rows = db.session.scalars(select(Referral).where(mine()).order_by(Referral.received_at.desc())).all()
    return render_template("pathways/referrals.html", rows=rows, today=today, undecided=referrals.UNDECIDED_DAYS,
                           decline_names=DECLINE_REASONS)


@bp.route("/new", methods=["GET", "POST"])
def create():
    """Refer a person with their consent recorded."""
    form = ReferralForm()
    form.establishment_id.choices = [(v.id, v.name) for v in openable_establishments()]
    form.organisation_id.choices = [(o.id, o.name) for o in referral_recipients()]
    if not form.is_submitted():
        form.organisation_id.data = default_recipient(current_user)
    if form.validate_on_submit():
        located = locate(form.destination.data)
        if located is None:
            form.destination.errors.append(not_found(form.destination.data))
        else:
            details = referrals.ReferralDetails(
                first_name=form.first_name.data, establishment=db.session.get(Venue, form.establishment_id.data),
                release_date=form.release_date.data, destination=form.destination.data, destination_point=located.point,
                referrer_org=form.referrer_org.data, consent_taken_by=form.consent_taken_by.data,
                consent_on=form.consent_on.data, consent_how=form.consent_how.data,
                organisation_id=form.organisation_id.data)
            try:
                referrals.refer(details, current_user, utcnow().date())
            except DomainError as error:
                db.session.rollback()
                show_beside(form, str(error), error.field, "first_name")
            else:
                db.session.commit()
                flash("Referral sent. A co-ordinator will accept or decline it.", "success")
                return redirect(url_for("pathways.referrals.index"))
    return render_template("pathways/referral_form.html", form=form), 422 if form.errors else 200


def referral_or_404(public_id: str, deciding: bool = False) -> Referral:
    """A referral this person may see (and, `deciding`, act on for its organisation); 404 otherwise, the same
    answer as for a made-up id."""
    referral = db.session.scalar(select(Referral).where(Referral.public_id == public_id, mine()))
    if referral is None or (deciding and not may_act_for(current_user, referral.organisation_id)):
        abort(404)
    return referral


def render_referral(referral: Referral, accept_form: AcceptForm | None = None,
                    decline_form: DeclineForm | None = None, error: str | None = None):
    """The referral with the co-ordinator's accept and decline forms."""
    accept_form = accept_form or AcceptForm(formdata=None)
    show_others = bool(request.values.get("others"))
    pickers = set_pickers(accept_form, referral.establishment_id, referral.release_date, show_others,
                          referral.organisation_id)
    return render_template("pathways/referral.html", referral=referral, accept_form=accept_form, pickers=pickers,
                           show_others=show_others,
                           decline_form=decline_form or DeclineForm(formdata=None), consent_names=CONSENT_HOW,
                           decline_names=DECLINE_REASONS, error=error,
                           recipient=names([referral.organisation_id]).get(referral.organisation_id),
                           is_coordinator=current_user.has_role(COORDINATOR)
                           and may_act_for(current_user, referral.organisation_id))


@bp.get("/<public_id>")
def detail(public_id: str):
    """One referral (its view audited)."""
    referral = referral_or_404(public_id)
    record("referral.view", current_user, referral)
    db.session.commit()
    return render_referral(referral)


@bp.post("/<public_id>/accept")
def accept(public_id: str):
    """Accept: the pathway opens with the referral's details and the mentors chosen."""
    require_role(COORDINATOR)
    referral = referral_or_404(public_id, deciding=True)
    form = AcceptForm()
    set_pickers(form, referral.establishment_id, referral.release_date, bool(request.values.get("others")),
                referral.organisation_id)
    if not form.validate():
        return render_referral(referral, accept_form=form), 422

    def person(field) -> Person | None:
        return db.session.get(Person, field.data) if field.data else None

    try:
        pathway = referrals.accept(referral, person(form.mentor_id), person(form.backup_mentor_id),
                                   person(form.community_mentor_id), bool(form.consent_calendar.data),
                                   bool(form.plain_titles.data), current_user, utcnow().date())
    except DomainError as error:
        db.session.rollback()
        referral = referral_or_404(public_id, deciding=True)
        show_beside(form, str(error), error.field, "mentor_id")
        return render_referral(referral, accept_form=form), 422
    db.session.commit()
    flash("Referral accepted: the pathway is open.", "success")
    return redirect(url_for("pathways.detail", public_id=pathway.public_id))


@bp.post("/<public_id>/decline")
def decline(public_id: str):
    """Decline with a reason; the referral is erased after the retention period."""
    require_role(COORDINATOR)
    referral = referral_or_404(public_id, deciding=True)
    form = DeclineForm()
    if not form.validate():
        return render_referral(referral, decline_form=form), 422
    try:
        referrals.decline(referral, form.decline_reason.data, current_user, utcnow().date(),
                          int(current_app.config.get("PATHWAY_RETENTION_DAYS", 90)))
    except DomainError as error:
        db.session.rollback()
        if error.field:
            show_beside(form, str(error), error.field, "decline_reason")
            return render_referral(referral_or_404(public_id, deciding=True), decline_form=form), 422
        return render_referral(referral_or_404(public_id, deciding=True), error=str(error)), 409
    db.session.commit()
    flash("Referral declined.", "success")
    return redirect(url_for("pathways.referrals.index"))
