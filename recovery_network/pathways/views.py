"""Pathway screens for mentors and co-ordinators, and the person's private calendar link."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from recovery_network.blueprints import PackageBlueprint
from recovery_network import localzone
from recovery_network.accounts.models import COORDINATOR, Person
from recovery_network.audit.services import record
from recovery_network.errors import DomainError
from recovery_network.extensions import db, limiter
from recovery_network.forms import BaseForm, show_beside
from recovery_network.feeds.private import calendar_response
from recovery_network.meetings.models import Meeting
from recovery_network.meetings.visibility import custody_access, visible_to
from recovery_network.organisations.access import home_organisation, within
from recovery_network.organisations.forms import offer_owners
from recovery_network.pathways import (appointments, enrolment, feeds, follow, plan, planning, services, sharing,
                                       standards)
from recovery_network.pathways.forms import AppointmentForm, ContactForm, PathwayForm, ReleaseDateForm
from recovery_network.pathways.models import Pathway, PathwayItem
from recovery_network.pathways.pack import PACK_STATES
from recovery_network.pathways.pickers import set_pickers
from recovery_network.meetings.forms import suffix_ids
from recovery_network.types import utcnow
from recovery_network.venues.models import CUSTODY, Venue
from recovery_network.venues.services import locate, not_found

# The package's blueprint: its own routes under /pathways; the pack and referrals are nested in it (bottom).
bp = PackageBlueprint("pathways", __name__, own_prefix="/pathways")


def acting() -> object:
    """Pathways this person works on: their own as a mentor (inside, backup or community), and those their
    organisations own as a co-ordinator (all for an admin: organisations/access.py). A prison's staff work on
    none: they see the few facts of its releases on their own page (establishments/) and refer people."""
    mine = [Pathway.mentor_id == current_user.id, Pathway.backup_mentor_id == current_user.id,
            Pathway.community_mentor_id == current_user.id]
    if current_user.has_role(COORDINATOR):
        mine.append(within(current_user, Pathway.organisation_id))
    return or_(*mine)


def seen(pathway: Pathway) -> list:
    """The contacts this person may read of a pathway they work on, as the standards see them (sharing.py)."""
    return sharing.contacts_seen(pathway, current_user)


def visible() -> object:
    """Pathways this person may open at all: those they work on, and those shared with their organisations."""
    return or_(acting(), sharing.shared_with(current_user))


def find_pathway(public_id: str, may_read: bool = True) -> tuple[Pathway, sharing.ReadAccess | None]:
    """A pathway this person may see, audited, and the consents they read it through if they do not work on it
    (only where `may_read`); 404 for anything else (it doesn't confirm existence)."""
    if not current_user.is_approved:
        abort(404)
    pathway = db.session.scalar(select(Pathway).where(Pathway.public_id == public_id, visible()))
    if pathway is None:
        abort(404)
    if db.session.scalar(select(Pathway.id).where(Pathway.id == pathway.id, acting())) is not None:
        record("pathway.view", current_user, pathway)
        return pathway, None
    reading = sharing.read_access(pathway, current_user) if may_read else None
    if reading is None:
        abort(404)
    # Each look by a receiving organisation is on the record, naming the organisations it came through.
    record("pathway.shared_view", current_user, pathway,
           detail="org " + ",".join(str(i) for i in reading.organisation_ids))
    return pathway, reading


def pathway_or_404(public_id: str) -> Pathway:
    """A pathway this person works on, audited; a pathway only shared with them is read on its page, never
    changed, so every other route answers 404 for it, as for one that does not exist."""
    return find_pathway(public_id, may_read=False)[0]


@bp.before_request
def volunteers_and_staff() -> None:
    """Everything here needs a login, except the person's calendar link."""
    if request.endpoint != "pathways.feed" and not current_user.is_authenticated:
        from recovery_network.extensions import login_manager

        abort(login_manager.unauthorized())


@bp.get("/")
def index():
    """The pathways I may see, with their warnings and welfare flags."""
    if not current_user.is_approved:
        abort(404)
    today = utcnow().date()
    pathways = db.session.scalars(select(Pathway).where(acting()).order_by(Pathway.release_date)).all()
    rows = [(p, services.flags(p, today, contacts), standards.standards(p.release_date, today, contacts))
            for p in pathways for contacts in [seen(p)]]
    rows.sort(key=lambda r: (not r[1], r[0].release_date))
    # Shared with my organisations: only what the consent covers, so no flags or standards here.
    shared = db.session.scalars(select(Pathway).where(sharing.shared_with(current_user),
                                                        Pathway.id.not_in(select(Pathway.id).where(acting())))
                                .order_by(Pathway.release_date)).all()
    return render_template("pathways/index.html", rows=rows, today=today, shared=shared)


def openable_establishments() -> list[Venue]:
    """Where this person may open a pathway: any prison for co-ordinators, one a mentor is cleared for."""
    access = custody_access(current_user)
    query = select(Venue).where(Venue.setting == CUSTODY).order_by(Venue.name)
    if access is not None:
        query = query.where(Venue.id.in_(sorted(access)))
    return list(db.session.scalars(query))


@bp.route("/new", methods=["GET", "POST"])
def create():
    """Open a pathway with consent; the plan is proposed from the release date."""
    if not services.may_open(current_user):
        abort(404)
    # A GET may carry the establishment, date and "others" (the no-JavaScript way to ask who can mentor).
    form = PathwayForm() if request.method == "POST" else PathwayForm(formdata=request.args or None)
    # The choice is the rule: a prison this person may not see is not offered, and is refused if posted.
    establishments = openable_establishments()
    form.establishment_id.choices = [(v.id, v.name) for v in establishments]
    choose_owner = offer_owners(form.organisation_id, current_user)
    chosen = form.establishment_id.data if form.establishment_id.data in {v.id for v in establishments} else None
    if chosen is None and establishments and not form.establishment_id.raw_data:
        chosen = establishments[0].id  # the first one the select shows
    show_others = bool(request.values.get("others"))
    release = form.release_date.data or utcnow().date()
    # Mentors come from the organisation that will own the pathway: the one chosen, else the opener's own.
    offered = {choice.value for choice in form.organisation_id.choices or []}
    owner = form.organisation_id.data if form.organisation_id.data in offered - {0} else home_organisation(current_user)
    pickers = set_pickers(form, chosen, release, show_others, owner)
    # "Show who can mentor" re-shows the form with the pickers for the dates typed so far; nothing is saved.
    asking = request.method == "POST" and request.form.get("show") in ("eligible", "others")
    if not asking and form.validate_on_submit():
        located = locate(form.destination.data)
        if located is None:
            form.destination.errors.append(not_found(form.destination.data))
        else:
            try:
                pathway = services.open_pathway(_details(form, located), current_user, utcnow().date())
            except DomainError as error:
                db.session.rollback()
                show_beside(form, str(error), error.field, "mentor_id")
            else:
                db.session.commit()
                return redirect(url_for("pathways.detail", public_id=pathway.public_id))
    return render_template("pathways/form.html", form=form, pickers=pickers, show_others=show_others,
                           checked_on=release, date_known=form.release_date.data is not None,
                           choose_owner=choose_owner), \
        422 if form.errors else 200


def _details(form: PathwayForm, located) -> services.PathwayDetails:
    """The form's fields as pathway details."""
    backup = db.session.get(Person, form.backup_mentor_id.data) if form.backup_mentor_id.data else None
    mentor = db.session.get(Person, form.mentor_id.data) if form.mentor_id.data else None
    community = db.session.get(Person, form.community_mentor_id.data) if form.community_mentor_id.data else None
    scope = ",".join(s for s, on in (("plan", form.consent_plan.data), ("calendar", form.consent_calendar.data)) if on)
    return services.PathwayDetails(
        first_name=form.first_name.data, establishment=db.session.get(Venue, form.establishment_id.data),
        release_date=form.release_date.data, destination=form.destination.data.strip(),
        destination_point=located.point, mentor=mentor, backup_mentor=backup, community_mentor=community,
        consent_scope=scope, plain_titles=bool(form.plain_titles.data),
        organisation_id=form.organisation_id.data or None,
    )


@bp.get("/<public_id>")
def detail(public_id: str, **forms):
    """The plan week by week, suggestions, contacts, flags, and the calendar link."""
    pathway, reading = find_pathway(public_id)
    db.session.commit()  # keep the audit row of this view
    if reading is not None:
        from recovery_network.pathways.sharing_views import render_shared

        return render_shared(pathway, reading)
    return render_pathway(pathway, **forms)


def render_pathway(pathway: Pathway, new_link: str | None = None, error: str | None = None, **forms):
    """The pathway page with its forms."""
    from recovery_network.pathways.mentor_views import mentors_context
    from recovery_network.pathways.sharing_views import sharing_context
    from recovery_network.pathways.throughcare_views import throughcare_context

    today = utcnow().date()
    # Custody sessions are named only to people entitled to that establishment; others read "Session inside".
    meetings = {m.id: m for m in db.session.scalars(
        select(Meeting).where(Meeting.id.in_([i.meeting_id for i in pathway.items if i.meeting_id]),
                              visible_to(current_user)))}
    all_meetings = {m.id: m for m in db.session.scalars(
        select(Meeting).where(Meeting.id.in_([i.meeting_id for i in pathway.items if i.meeting_id])))}
    suggestions = planning.suggestions(pathway, today=today) if pathway.status == "open" else []
    places = enrolment.linked(pathway)
    course_names = {m.id: m.title for m in db.session.scalars(
        select(Meeting).where(Meeting.id.in_({e.meeting_id for e in places}), visible_to(current_user)))}
    nothing_near = planning.nothing_near(pathway) if pathway.status == "open" else ""
    return render_template(
        "pathways/detail.html", pathway=pathway, meetings=meetings, today=today,
        occurrences={i.id: all_meetings[i.meeting_id].occurrence_on(i.occurrence_date)
                     for i in pathway.items if i.meeting_id in all_meetings and i.occurrence_date},
        changes=follow.changes_to_tell(pathway, all_meetings),
        warnings=plan.release_warnings(pathway.release_date), flags=services.flags(pathway, today, seen(pathway)),
        suggestions=suggestions, nothing_near=nothing_near, pack_state=services.pack_state(pathway),
        course_places=[(e, course_names[e.meeting_id]) for e in places if e.meeting_id in course_names],
        enrollable=enrolment.enrollable(pathway, current_user, today) if pathway.status == "open" else [],
        pack_states=PACK_STATES,
        online=planning.online_meetings(pathway) if nothing_near else [],
        # A course inside is named only to those entitled to that establishment, like every custody session.
        suggestion_meetings={m.id: m for m in db.session.scalars(
            select(Meeting).where(Meeting.id.in_({s.key[0] for s in suggestions}), visible_to(current_user)))},
        # A refused form comes back beside the appointment it was for, or as the "add" form.
        # Ids unique on the page: the contact form has a "Date" (id "on") too.
        appointment_form=suffix_ids((forms.get("appointment_item") is None and forms.get("appointment_form")) or
                                    AppointmentForm(formdata=None,
                                                    on=max(today, pathway.release_date + timedelta(days=1))),
                                    "new-appointment"),
        failed_appointment=forms.get("appointment_form"),
        appointment_kinds=appointments.KINDS, appointment_for=appointment_for,
        appointment_item=forms.get("appointment_item"),
        # Suffixed ids: the appointment and visit forms on the same page have an "on" field too.
        contact_form=suffix_ids(forms.get("contact_form") or ContactForm(
            formdata=None, on=min(today, plan.window(pathway.release_date)[1])), "contact"),
        release_form=forms.get("release_form") or ReleaseDateForm(formdata=None, release_date=pathway.release_date),
        live_links=feeds.live_links(pathway), new_link=new_link, error=error,
        contact_list=sharing.visible_contacts(pathway, current_user),
        **sharing_context(pathway, forms),
        **mentors_context(pathway, forms),
        **throughcare_context(pathway, today, forms),
    )


def appointment_for(item: PathwayItem, form: AppointmentForm | None = None) -> AppointmentForm:
    """The details form for one appointment, filled from it, with ids unique on the page."""
    if form is None:
        local = item.starts_at.astimezone(localzone.tzinfo())
        minutes = int((item.ends_at - item.starts_at).total_seconds() // 60)
        form = AppointmentForm(formdata=None, kind=item.purpose or "other", agency=item.agency, place=item.place,
                               on=local.date(), at=None if item.all_day else local.time(),
                               minutes=60 if item.all_day else minutes)
    return suffix_ids(form, f"appointment-{item.id}")


def _apply(pathway: Pathway, change, message: str, form: BaseForm | None = None, slot: str = "", **extra):
    """Run a change, commit and go back. A refused change saves nothing and comes back as a 422: beside the field
    the rule names, in the form as it was typed (`slot` is the form's name in render_pathway); a button with no
    form shows it at the top, as before."""
    try:
        change()
    except DomainError as error:
        db.session.rollback()
        fresh = db.session.get(Pathway, pathway.id)
        if form is None:
            return render_pathway(fresh, error=str(error))
        show_beside(form, str(error), error.field, next(n for n in form._fields if n != "csrf_token"))
        return render_pathway(fresh, **{slot: form}, **extra), 422
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("pathways.detail", public_id=pathway.public_id))


@bp.post("/<public_id>/contacts")
def contact(public_id: str):
    """Record a contact and how it happened, or a try with no response."""
    pathway = pathway_or_404(public_id)
    form = ContactForm()
    if not form.validate():
        return render_pathway(pathway, contact_form=form), 422
    return _apply(pathway, lambda: services.record_contact(pathway, form.on.data, form.mode.data, current_user,
                                                           utcnow().date()), "Contact recorded.",
                  form, "contact_form")


@bp.post("/<public_id>/feed")
def issue_link(public_id: str):
    """A new calendar link for the person's phone (shown once); reset=1 turns the old ones off first."""
    pathway = pathway_or_404(public_id)
    if "calendar" not in pathway.consent_scope.split(","):
        return render_pathway(pathway, error="The person didn't ask for a calendar.")
    if request.form.get("reset"):
        feeds.revoke_all(pathway)
    token = feeds.issue_token(pathway)
    record("pathway.feed_link", current_user, pathway, detail="reset" if request.form.get("reset") else "new")
    db.session.commit()
    return render_pathway(pathway, new_link=url_for("pathways.feed", token=token, _external=True))


@bp.post("/<public_id>/pack-ready")
def pack_ready(public_id: str):
    """Mark the printed pack ready to leave at the gate (ready=1), or take the mark back; the prison's staff see it."""
    pathway = pathway_or_404(public_id)
    ready = request.form.get("ready") == "1"
    return _apply(pathway, lambda: services.mark_pack_ready(pathway, ready, current_user),
                  "Marked: the pack is ready for the gate." if ready else "The pack is no longer marked ready.")


@bp.post("/<public_id>/erase")
def erase(public_id: str):
    """Erase now (on request, or when consent is withdrawn): only an anonymous count remains."""
    pathway = pathway_or_404(public_id)
    services.erase(pathway, current_user, utcnow().date())
    db.session.commit()
    flash("The pathway has been erased.", "success")
    return redirect(url_for("pathways.index"), 303)


@bp.get("/feed/<token>.ics")
@limiter.limit("60 per minute")
def feed(token: str):
    """The person's plan for a secret link; a revoked, reset or closed one is a plain 404."""
    pathway = feeds.pathway_for_token(token)
    if pathway is None:
        abort(404)
    return calendar_response(feeds.plan_calendar(pathway))


def retention_days() -> int:
    """How long a closed pathway is kept before erasure."""
    return int(current_app.config.get("PATHWAY_RETENTION_DAYS", 90))


# The plan's own routes live beside these, on the same blueprint; the pack and referrals have their own guards.
from recovery_network.pathways import (  # noqa: E402,F401
    mentor_views, pack_views, plan_views, referral_views, sharing_views, throughcare_views,
)

bp.register_blueprint(pack_views.bp)
bp.register_blueprint(referral_views.bp)
