"""Organisation screens: admins add organisations; co-ordinators see theirs and add members to them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from recovery_network.accounts.models import COORDINATOR, Person
from recovery_network.accounts.permissions import require_role
from recovery_network.errors import DomainError
from recovery_network.extensions import db
from recovery_network.organisations import services
from recovery_network.organisations.access import acting_organisations, may_act_for
from recovery_network.organisations.forms import MemberForm, OrganisationForm
from recovery_network.organisations.models import Organisation

bp = Blueprint("organisations", __name__, url_prefix="/organisations")


@bp.before_request
def coordinators_only() -> None:
    """Co-ordinators and admins only; everyone else gets a 404."""
    require_role(COORDINATOR)


def organisation_or_404(public_id: str) -> Organisation:
    """An organisation this co-ordinator acts for (any, for an admin); others do not exist for them."""
    organisation = db.session.scalar(select(Organisation).where(Organisation.public_id == public_id[:24]))
    if organisation is None or not may_act_for(current_user, organisation.id):
        abort(404)
    return organisation


@bp.route("/", methods=["GET", "POST"])
def index():
    """My organisations; an admin sees every one and may add another."""
    is_admin = acting_organisations(current_user) is None
    form = OrganisationForm()
    if is_admin and form.validate_on_submit():
        try:
            organisation = services.create_organisation(form.name.data, form.kind.data, current_user)
        except DomainError as error:
            db.session.rollback()
            form.name.errors.append(str(error))
        else:
            db.session.commit()
            flash(f"{organisation.name} added. Now add its members.", "success")
            return redirect(url_for(".detail", public_id=organisation.public_id), 303)
    elif form.is_submitted() and not is_admin:
        abort(404)
    return render_template("organisations/index.html", organisations=services.organisations_for(current_user),
                           form=form if is_admin else None)


@bp.get("/<public_id>")
def detail(public_id: str, form: MemberForm | None = None):
    """An organisation's members, with a form to add one."""
    organisation = organisation_or_404(public_id)
    members = sorted((m.person for m in organisation.members), key=lambda p: (p.first_name, p.last_initial))
    return render_template("organisations/detail.html", organisation=organisation, members=members,
                           form=form or MemberForm(formdata=None))


@bp.post("/<public_id>/members")
def add_member(public_id: str):
    """Add an approved account to this organisation."""
    organisation = organisation_or_404(public_id)
    form = MemberForm()
    if form.validate():
        try:
            person = services.add_member(organisation, form.email.data, current_user)
        except DomainError as error:
            db.session.rollback()
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(f"{person.display_name} is now a member of {organisation.name}.", "success")
            return redirect(url_for(".detail", public_id=organisation.public_id), 303)
    return detail(public_id, form=form), 422


@bp.post("/<public_id>/members/<person_id>/remove")
def remove_member(public_id: str, person_id: str):
    """Take someone out of this organisation."""
    organisation = organisation_or_404(public_id)
    person = db.session.scalar(select(Person).where(Person.public_id == person_id[:24]))
    if person is None or all(m.person_id != person.id for m in organisation.members):
        abort(404)
    services.remove_member(organisation, person, current_user)
    db.session.commit()
    flash(f"{person.display_name} is no longer a member of {organisation.name}.", "success")
    return redirect(url_for(".detail", public_id=organisation.public_id), 303)
