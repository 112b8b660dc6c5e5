"""Posting and running meeting series: "my sessions", a series' settings, and single dates cancelled or moved."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timezone

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from recovery_network.accounts.models import COORDINATOR, FACILITATOR, Person
from recovery_network.accounts.permissions import require_role
from recovery_network.courses.services import is_course
from recovery_network.errors import DomainError
from recovery_network.extensions import db
from recovery_network.inputs import page_number
from recovery_network.meetings import services
from recovery_network.meetings.custody import postable_establishments
from recovery_network.meetings.forms import CancelForm, MeetingForm, MoveForm, RestoreForm, VenueForm, suffix_ids
from recovery_network.meetings.models import ACTIVE, AWAITING, ENDED, PAUSED, Meeting
from recovery_network.meetings.recurrence import Occurrence, describe, next_occurrences
from recovery_network.meetings.visibility import meeting_or_404
from recovery_network.organisations.access import may_act_for, within
from recovery_network.organisations.forms import offer_owners
from recovery_network.rota.queries import helpers_for
from recovery_network.rota.services import CapacityBelowSignups
from recovery_network.venues.models import COMMUNITY, CUSTODY, Area, Venue
from recovery_network.venues.services import VenueNotPlaced, create_community_venue

bp = Blueprint("meetings", __name__, url_prefix="/organise")  # named after the package; the URLs stay

MANAGED_DATES = 8
ACTIONS = {"pause": PAUSED, "resume": ACTIVE, "end": ENDED}
LISTED_STATUSES = (*ACTIONS.values(), AWAITING)
STATUS_DONE = {PAUSED: "Paused: it is hidden from search until you resume it.",
               ACTIVE: "Resumed: it is back in search.", ENDED: "Ended. Its past dates stay in people's calendars."}
# Which field a refused change is explained beside; anything else goes beside the form's first field.
ERROR_FIELDS: dict[type[DomainError], str] = {
    services.CustodyVenueRefused: "venue_id", CapacityBelowSignups: "mentors_needed",
    services.TimeDoesNotExist: "new_time", services.NotAnOccurrence: "date", VenueNotPlaced: "postcode",
}


@bp.before_request
def organisers_only() -> None:
    """Facilitators and co-ordinators post sessions; everyone else gets a 404."""
    require_role(FACILITATOR, COORDINATOR)


def now() -> datetime:
    """The current instant (a function, so that tests and pages agree)."""
    return datetime.now(timezone.utc)


def is_coordinator() -> bool:
    """Co-ordinators manage their organisations' series (admins every series), not just their own."""
    return current_user.has_role(COORDINATOR)


def managed_or_404(slug: str) -> Meeting:
    """A series the person may see and manage: their own, or their organisations' as a co-ordinator
    (organisations/access.py); others do not exist for them."""
    meeting = meeting_or_404(current_user, slug=slug)
    if meeting.organiser_id != current_user.id and not (
            is_coordinator() and may_act_for(current_user, meeting.organisation_id)):
        abort(404)
    return meeting


def choosable_venues(current: Venue | None = None) -> list[Venue]:
    """Community venues for everyone; a prison for co-ordinators and those cleared for it (a series keeps its own)."""
    allowed = postable_establishments(current_user, now().date())
    query = select(Venue).order_by(Venue.setting, Venue.name)
    if allowed is not None:
        query = query.where(or_(Venue.setting == COMMUNITY, Venue.id.in_(sorted(allowed)),
                                Venue.id == (current.id if current else None)))
    return list(db.session.scalars(query))


def move_venues(meeting: Meeting) -> list[Venue]:
    """Where one date may move to: the same kind of place, since custody follows the venue."""
    setting = CUSTODY if meeting.is_custody else COMMUNITY
    return [v for v in choosable_venues(meeting.venue) if v.setting == setting]


def organised(person: Person | None, status: str) -> Select[tuple[Meeting]]:
    """The series a person organises (when None, every series the co-ordinator's organisations own), optionally
    of one status, by title."""
    query = select(Meeting).options(selectinload(Meeting.venue), selectinload(Meeting.changes))
    if person is not None:
        query = query.where(Meeting.organiser_id == person.id)
    else:
        query = query.where(within(current_user, Meeting.organisation_id))
    if status in LISTED_STATUSES:
        query = query.where(Meeting.status == status)
    return query.order_by(Meeting.title, Meeting.id)


def organiser_names(meetings: list[Meeting]) -> dict[int, str]:
    """Organisers' display names (first name and initial) by id, for a co-ordinator's list."""
    ids = {m.organiser_id for m in meetings if m.organiser_id}
    return {p.id: p.display_name for p in db.session.scalars(select(Person).where(Person.id.in_(ids)))}


def explain(form, error: DomainError, fallback: str) -> None:
    """Undo the refused change and put its reason beside the field it concerns."""
    db.session.rollback()
    field = getattr(form, ERROR_FIELDS.get(type(error)) or error.field or fallback, None) or getattr(form, fallback)
    field.errors.append(str(error))


def warn_about_link(form: MeetingForm) -> None:
    """Saved, but say so when meeting finders will call the online meeting inactive (meetings/conference.py)."""
    if warning := form.finder_warning():
        flash(warning, "warning")


def done(meeting: Meeting, message: str):
    """Commit once and go back to the series' page."""
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".detail", slug=meeting.slug))


@bp.get("/")
def index():
    """My sessions: the series I organise; co-ordinators see everyone's, filtered by organiser and status."""
    show = request.args.get("show", "all") if is_coordinator() else "mine"
    status = request.args.get("status", "")
    page = db.paginate(organised(current_user if show == "mine" else None, status), page=page_number(), per_page=50,
                       error_out=False)
    return render_template("organise/index.html", page=page, show=show, status=status,
                           organisers=organiser_names(page.items), describe=describe, is_coordinator=is_coordinator(),
                           next_dates={m.id: next_occurrences(m.schedule, m.change_map(), now(), 1)
                                       for m in page.items},
                           helpers={m.id: helpers_for(m, now(), days=28) for m in page.items})


@bp.route("/new", methods=["GET", "POST"])
def create():
    """Post a new series; a venue just added arrives chosen."""
    form = MeetingForm(venues=choosable_venues())
    choose_owner = offer_owners(form.organisation_id, current_user)
    if not form.is_submitted():
        form.venue_id.data = request.args.get("venue", 0, type=int)
    if form.validate_on_submit():
        try:
            meeting = services.post_meeting(form.details(), current_user)
        except DomainError as error:
            explain(form, error, "starts_on")
        else:
            warn_about_link(form)
            return done(meeting, posted_message(meeting))
    return render_template("organise/form.html", form=form, meeting=None, choose_owner=choose_owner), \
        422 if form.errors else 200


def posted_message(meeting: Meeting) -> str:
    """What posting did: public now, waiting for the prison's staff, or posted in custody."""
    if meeting.is_awaiting:
        return "Posted. The establishment's staff will approve it before it goes on the rota."
    if meeting.is_custody:
        return "Posted."
    return {"closed": "Posted: it is listed publicly as by referral, without its address.",
            "unlisted": "Posted: only people you give the link to can find it."}.get(
        meeting.listing, "Posted: it is on the public pages now.")


@bp.route("/meetings/<slug>/edit", methods=["GET", "POST"])
def edit(slug: str):
    """Change a series; calendars that subscribe pick the change up."""
    meeting = managed_or_404(slug)
    form = MeetingForm(obj=meeting, venues=choosable_venues(meeting.venue))
    if form.validate_on_submit():
        try:
            services.update_meeting(meeting, form.details(), current_user)
        except DomainError as error:
            explain(form, error, "starts_on")
        else:
            warn_about_link(form)
            return done(meeting, "Saved.")
    return render_template("organise/form.html", form=form, meeting=meeting)


@bp.get("/meetings/<slug>")
def detail(slug: str):
    """One series to run: its status and its next dates, each with cancel, move and restore."""
    return render_manage(managed_or_404(slug))


def render_manage(meeting: Meeting, failed: RestoreForm | None = None, error: str | None = None):
    """The series page; a refused per-date form is shown again, with its errors, on its own date."""
    rows = [date_row(meeting, o, failed) for o in next_occurrences(meeting.schedule, meeting.change_map(), now(),
                                                                    MANAGED_DATES)]
    if failed is not None and not any(failed in row.values() for row in rows):
        error = error or " ".join(e for errors in failed.errors.values() for e in errors)
    return render_template("organise/meeting.html", meeting=meeting, rows=rows, error=error, is_course=is_course(meeting),
                           rule=describe(meeting.schedule), moved_venues=moved_venues(meeting))


def date_row(meeting: Meeting, occurrence: Occurrence, failed: RestoreForm | None) -> dict:
    """One date with its own cancel and move forms (the refused one, if it was for this date)."""
    on: date = occurrence.original_start.date()
    mine = failed if failed is not None and failed.date.data == on else None
    cancel = mine if type(mine) is CancelForm else CancelForm(formdata=None, data={"date": on})
    move = mine if type(mine) is MoveForm else MoveForm(
        formdata=None, data={"date": on, "new_date": occurrence.start.date(), "new_time": occurrence.start.time()},
        venues=move_venues(meeting), timezone=meeting.timezone)
    return {"occurrence": occurrence, "on": on, "cancel": suffix_ids(cancel, f"cancel-{on}"),
            "move": suffix_ids(move, f"move-{on}")}


def moved_venues(meeting: Meeting) -> dict[int, Venue]:
    """Venues single dates were moved to, by id, to name them in the list."""
    return {c.new_venue_id: c.new_venue for c in meeting.changes if c.new_venue is not None}


def per_date(meeting: Meeting, form: RestoreForm, run: Callable[[], object], message: str, fallback: str):
    """Validate a one-date form, run its operation and commit; or show the page again with the reason."""
    if form.validate():
        try:
            run()
        except DomainError as error:
            explain(form, error, fallback)
        else:
            return done(meeting, message)
    return render_manage(meeting, failed=form)


@bp.post("/meetings/<slug>/status")
def status(slug: str):
    """Pause, resume or end a series."""
    meeting = managed_or_404(slug)
    target = ACTIONS.get(request.form.get("action", ""))
    if target is None:
        abort(400)
    try:
        services.set_status(meeting, target, current_user)
    except DomainError as error:
        db.session.rollback()
        return render_manage(meeting, error=str(error))
    return done(meeting, STATUS_DONE[target])


@bp.post("/meetings/<slug>/cancel")
def cancel(slug: str):
    """Cancel one date, with a reason the public sees."""
    meeting, form = managed_or_404(slug), CancelForm()
    return per_date(meeting, form, lambda: services.cancel_occurrence(meeting, form.date.data, form.reason.data),
                    "Date cancelled; the reason shows on the public page.", "reason")


@bp.post("/meetings/<slug>/move")
def move(slug: str):
    """Move one date to a new day, time or venue, with a reason the public sees."""
    meeting = managed_or_404(slug)
    form = MoveForm(venues=move_venues(meeting), timezone=meeting.timezone)
    return per_date(meeting, form, lambda: services.move_occurrence(
        meeting, form.date.data, form.new_start, form.reason.data, venue=form.venue),
        "Date moved; the public page and calendars show the new time.", "new_date")


@bp.post("/meetings/<slug>/confirm")
def confirm(slug: str):
    """Say a public-holiday date is on as usual."""
    meeting, form = managed_or_404(slug), RestoreForm()
    return per_date(meeting, form, lambda: services.confirm_occurrence(meeting, form.date.data),
                    "Confirmed: the page no longer asks people to check.", "date")


@bp.post("/meetings/<slug>/restore")
def restore(slug: str):
    """Undo a cancellation or move: the date happens as usual."""
    meeting, form = managed_or_404(slug), RestoreForm()
    return per_date(meeting, form, lambda: services.restore_occurrence(meeting, form.date.data),
                    "Date restored.", "date")


@bp.route("/venues/new", methods=["GET", "POST"])
def create_venue():
    """Add a community venue (prisons are added by co-ordinators elsewhere), then post a series there."""
    form = VenueForm()
    form.area_id.choices = [SelectChoice(a.id, a.name) for a in db.session.scalars(select(Area).order_by(Area.name))]
    if form.validate_on_submit():
        try:
            venue = create_community_venue(
                form.name.data, form.address.data, form.town.data, form.postcode.data,
                db.session.get(Area, form.area_id.data), form.accessibility.data or "", form.directions.data or "",
                form.step_free.data)
        except DomainError as error:
            explain(form, error, "postcode")
        else:
            db.session.commit()
            flash(f"{venue.name} added. Now post a series there.", "success")
            return redirect(url_for(".create", venue=venue.id))
    return render_template("organise/venue_form.html", form=form)
