"""Co-ordinators grow the network: prisons and their staff accounts, areas and what they cover, the clearance pipeline."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from recovery_network.accounts.models import ACTIVE, Person
from recovery_network.accounts.services import reset_token
from recovery_network.coordination.forms import AreaForm, EstablishmentForm, LinkStaffForm, NewStaffForm
from recovery_network.coordination.views import bp, ours
from recovery_network.errors import DomainError
from recovery_network.establishments import services as establishments
from recovery_network.extensions import db
from recovery_network.mail import send_mail
from recovery_network.mentors import pipeline
from recovery_network.organisations import services as organisations
from recovery_network.types import utcnow
from recovery_network.venues import areas
from recovery_network.venues.models import COVERAGE_KINDS, CUSTODY, ESTABLISHMENT_KINDS, Area, Venue


def area_choices() -> list[SelectChoice]:
    """Every area, for select boxes."""
    return [SelectChoice(a.id, a.name) for a in db.session.scalars(select(Area).order_by(Area.name))]


def establishment_or_404(slug: str) -> Venue:
    """An establishment by its slug (co-ordinators see every one)."""
    venue = db.session.scalar(select(Venue).where(Venue.slug == slug[:120], Venue.setting == CUSTODY))
    if venue is None:
        abort(404)
    return venue


@bp.route("/establishments", methods=["GET", "POST"])
def establishments_index():
    """Every establishment, and a form to add one."""
    form = EstablishmentForm()
    form.area_id.choices = area_choices()
    if form.validate_on_submit():
        try:
            area = db.session.get(Area, form.area_id.data) if form.area_id.data else None
            venue = establishments.add_establishment(form.name.data, form.town.data, form.district.data,
                                                     form.kind.data, area, current_user)
        except DomainError as error:
            db.session.rollback()
            form.field_for(error).errors.append(str(error))
        else:
            db.session.commit()
            flash(f"{venue.name} added. Now add its staff.", "success")
            return redirect(url_for("coordination.establishment", slug=venue.slug))
    venues = db.session.scalars(select(Venue).where(Venue.setting == CUSTODY)
                                .options(selectinload(Venue.area)).order_by(Venue.name)).all()
    return render_template("coordination/establishments.html", form=form, venues=venues, kinds=ESTABLISHMENT_KINDS)


@bp.get("/establishments/<slug>")
def establishment(slug: str):
    """One establishment: its staff, and forms to link or create staff accounts."""
    return render_establishment(establishment_or_404(slug))


def render_establishment(venue: Venue, link_form: LinkStaffForm | None = None, new_form: NewStaffForm | None = None):
    """The establishment page with its two staff forms (a refused one shown again with its errors)."""
    # Only the staff this co-ordinator acts on: another organisation's people are not theirs to see or open.
    staff = establishments.staff_of(venue, people=ours)
    link_form = link_form or LinkStaffForm(formdata=None)
    link_form.person.choices = [SelectChoice("", "Choose someone")] + [
        SelectChoice(p.public_id, f"{p.display_name} ({p.email})") for p in linkable(staff)]
    return render_template("coordination/establishment.html", venue=venue, staff=staff, link_form=link_form,
                           new_form=new_form or NewStaffForm(formdata=None), kinds=ESTABLISHMENT_KINDS)


def linkable(staff: list[Person]) -> list[Person]:
    """Approved people this co-ordinator acts on (organisations/access.py), not already staff here."""
    ids = {p.id for p in staff}
    return [p for p in db.session.scalars(select(Person).where(Person.status == ACTIVE, ours(Person.id))
                                          .order_by(Person.first_name))
            if p.id not in ids]


@bp.post("/establishments/<slug>/staff")
def link_staff(slug: str):
    """Make an approved person staff of this establishment."""
    venue, form = establishment_or_404(slug), LinkStaffForm()
    if not form.validate():
        return render_establishment(venue, link_form=form)
    # Another organisation's person is not on the list, so choosing them reads as choosing no one.
    person = db.session.scalar(select(Person).where(Person.public_id == str(form.person.data)[:24], ours(Person.id)))
    if person is None:
        form.person.errors.append("Choose someone from the list.")
        return render_establishment(venue, link_form=form)
    try:
        establishments.link_staff(person, venue, current_user)
    except DomainError as error:
        db.session.rollback()
        form.person.errors.append(str(error))
        return render_establishment(venue, link_form=form)
    db.session.commit()
    flash(f"{person.display_name} is now staff at {venue.name}.", "success")
    return redirect(url_for("coordination.establishment", slug=venue.slug))


@bp.post("/establishments/<slug>/staff/new")
def new_staff(slug: str):
    """Create a staff account and email them a link to choose their password (the reset mechanism)."""
    venue, form = establishment_or_404(slug), NewStaffForm()
    if not form.validate():
        return render_establishment(venue, new_form=form)
    try:
        person = establishments.create_staff_account(form.email.data, form.first_name.data, form.last_initial.data,
                                                     venue, current_user)
        organisations.adopt(person, None, current_user)  # the new account is the co-ordinator's organisation's
    except DomainError as error:
        db.session.rollback()
        form.email.errors.append(str(error))
        return render_establishment(venue, new_form=form)
    db.session.commit()
    link = url_for("accounts.reset", token=reset_token(person), _external=True)
    send_mail(person.email, "Your Recovery Network staff account",
              f"A co-ordinator has made you a staff account. Choose your password within an hour here:\n\n{link}\n\n"
              f"If the link has expired, ask for a new one at {url_for('accounts.reset_request', _external=True)}.")
    flash(f"Account made for {person.display_name}; we've emailed them a link to choose a password.", "success")
    return redirect(url_for("coordination.establishment", slug=venue.slug))


@bp.route("/areas", methods=["GET", "POST"])
def areas_index():
    """Every area and what it covers, and a form to add one."""
    form = AreaForm()
    if form.validate_on_submit():
        try:
            area = areas.add_area(form.name.data, areas.parse_coverage(form.coverage.data))
        except DomainError as error:
            db.session.rollback()
            (form.name if "called" in str(error) else form.coverage).errors.append(str(error))
        else:
            db.session.commit()
            flash(f"{area.name} added.", "success")
            return redirect(url_for("coordination.areas_index"))
    found = db.session.scalars(select(Area).options(selectinload(Area.coverage)).order_by(Area.name)).all()
    return render_template("coordination/areas.html", form=form, areas=found, kinds=COVERAGE_KINDS)


@bp.get("/clearances")
def clearances():
    """Every requested and pending clearance of the people this co-ordinator acts on, by establishment, with how
    long it has waited."""
    today = utcnow().date()
    return render_template("coordination/clearances.html",
                           groups=pipeline.by_establishment(pipeline.waiting(people=ours)),
                           today=today, chase_days=current_app.config.get("CLEARANCE_CHASE_DAYS", pipeline.CHASE_DAYS))
