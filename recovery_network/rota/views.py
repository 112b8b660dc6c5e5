"""The rota screens: sessions that need help, signing up and withdrawing, gaps, and the private rota feed."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from recovery_network.accounts.models import COORDINATOR, Person
from recovery_network.accounts.permissions import require_role
from recovery_network.extensions import db, limiter
from recovery_network.feeds.private import calendar_response
from recovery_network.htmx import render, wants_fragment
from recovery_network.inputs import page_number
from recovery_network.meetings.models import Meeting
from recovery_network.meetings.visibility import meeting_or_404, visible_meeting
from recovery_network.organisations.access import may_act_for, may_act_for_person
from recovery_network.rota import feeds, queries, services
from recovery_network.rota import gaps as gap_screen
from recovery_network.rota.forms import AssignForm, SignupForm
from recovery_network.rota.models import ROTA_ROLES, Signup
from recovery_network.types import utcnow
from recovery_network.venues.models import Venue

bp = Blueprint("rota", __name__, url_prefix="/rota")
# The last page of openings the rota page offers (1,000 openings at 40 a page).
MAX_PAGE = 25


@bp.get("/")
@login_required
def index():
    """My places, and the sessions that need help that I am eligible for on their dates."""
    page = page_number()
    if page > MAX_PAGE:  # each page walks the month up to itself; nobody reads a thousand openings
        abort(404)
    return _rota_page(page, has_feed=feeds.has_live_token(current_user), new_link=None)


def _rota_page(page: int, **extra):
    """The rota page with one page of openings: finding the first N costs N, not the whole network's month."""
    now = utcnow()
    size = queries.PAGE_SIZE
    found = queries.openings(current_user, now, limit=page * size + 1)
    return render_template("rota/index.html", mine=queries.my_signups(current_user, now),
                           openings=found[(page - 1) * size:page * size], page=page,
                           more=len(found) > page * size and page < MAX_PAGE, **extra)


def _respond(place_key: tuple, message: str, category: str):
    """Answer a rota change: the widget for htmx, otherwise back to the rota page with a message."""
    meeting_id, on, role = place_key
    meeting = visible_meeting(current_user, meeting_id=meeting_id)
    if wants_fragment() and meeting is not None:
        return render_template("rota/_signup.html", widget=widget_state(meeting, on, role), message=message,
                               category=category)
    flash(message, category)
    return redirect(request.referrer if _same_site(request.referrer) else url_for("rota.index"))


def _same_site(url: str | None) -> bool:
    """Only go back to pages on this site."""
    return bool(url) and url.startswith(request.host_url)


@bp.post("/signup")
def sign_up():
    """Take a place for myself (never for anyone else: the person is not a form field)."""
    # Who may act is settled before anything about the meeting is looked at, let alone said.
    require_role(*ROTA_ROLES, COORDINATOR)
    form = SignupForm()
    if not form.validate():
        abort(400)
    meeting = meeting_or_404(current_user, meeting_id=form.meeting_id.data)
    key = (meeting.id, form.occurrence_date.data, form.role.data)
    try:
        outcome = services.sign_up(current_user, meeting, *key[1:], by=current_user, now=utcnow())
        db.session.commit()
    except IntegrityError:  # a double click that got past the first check
        db.session.rollback()
        return _respond(key, "You already have a place at this session.", "error")
    except services.RotaError as error:
        db.session.rollback()
        return _respond(key, str(error), "error")
    message = "You're on the rota. Thank you!" if outcome.confirmed else "It's full, so you're on the waiting list."
    return _respond(key, message, "success")


@bp.post("/signups/<int:signup_id>/withdraw")
@login_required
def withdraw(signup_id: int):
    """Give up my place (a co-ordinator may withdraw anyone); the queue moves up."""
    signup = db.get_or_404(Signup, signup_id)
    if signup.person_id != current_user.id and not (current_user.has_role(COORDINATOR) and
                                                     may_act_for(current_user, signup.slot.meeting.organisation_id)):
        abort(404)
    key = (signup.meeting_id, signup.occurrence_date, signup.slot.role)
    try:
        services.withdraw(signup, current_user)
        db.session.commit()
    except services.RotaError as error:
        db.session.rollback()
        return _respond(key, str(error), "error")
    return _respond(key, "You've withdrawn. Thanks for letting us know.", "success")


@bp.post("/assign")
def assign():
    """A co-ordinator puts an eligible person on the rota."""
    require_role(COORDINATOR)
    form = AssignForm()
    if not form.validate():
        abort(400)
    meeting = meeting_or_404(current_user, meeting_id=form.meeting_id.data)
    if not may_act_for(current_user, meeting.organisation_id):
        abort(404)  # another organisation's rota: as if the session did not exist
    person = db.session.scalar(select(Person).where(Person.public_id == form.person.data))
    if not may_act_for_person(current_user, person):
        abort(404)  # another organisation's volunteer: as if there were no such person
    try:
        outcome = services.sign_up(person, meeting, form.occurrence_date.data, form.role.data, by=current_user,
                                   now=utcnow())
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        flash(f"{person.display_name} already has a place at this session.", "error")
    except services.RotaError as error:
        db.session.rollback()
        flash(f"{person.display_name}: {error}", "error")
    else:
        flash(f"{person.display_name} is {'confirmed' if outcome.confirmed else 'on the waiting list'}.", "success")
    return redirect(url_for("rota.gaps", week=form.occurrence_date.data.isoformat()))


@bp.get("/gaps")
def gaps():
    """A week of places short of helpers, by establishment and day, with filters and pickers of who can help."""
    require_role(COORDINATOR)
    filters = gap_filters(request.args)
    found = gap_screen.week_gaps(current_user, filters, utcnow())
    venues = db.session.scalars(select(Venue).order_by(Venue.setting.desc(), Venue.name)).all()
    return render("rota/gaps.html", "rota/_gaps.html", gaps=found, grid=gap_screen.grid(found, filters.week), filters=filters,
                  pickers=gap_screen.pickers(found, gap_screen.volunteers(current_user)), key=gap_screen.key, venues=venues,
                  days=[filters.week + timedelta(days=n) for n in range(7)], step=timedelta(days=7))


def gap_filters(args) -> gap_screen.Filters:
    """The filters from the query string; anything unreadable falls back to its default, never an error."""
    today = utcnow().date()
    try:
        week = date.fromisoformat(args.get("week", "")[:10])
    except ValueError:
        week = today
    if abs((week - today).days) > 366:
        week = today
    setting = args.get("setting", "") if args.get("setting") in gap_screen.SETTINGS else ""
    role = args.get("role", "") if args.get("role") in ROTA_ROLES else ""
    venue = args.get("venue", "")
    venue_id = int(venue) if venue.isascii() and venue.isdigit() and len(venue) < 12 else None
    return gap_screen.Filters(week=week, setting=setting, role=role, venue_id=venue_id)


@bp.post("/feed")
@login_required
def reset_feed():
    """Issue a new private rota link; the old one stops working at once."""
    token = feeds.issue_token(current_user)
    db.session.commit()
    link = url_for("rota.feed", token=token, _external=True)
    return _rota_page(1, has_feed=True, new_link=link)


@bp.post("/feed/revoke")
@login_required
def revoke_feed():
    """Turn the private rota link off."""
    feeds.revoke_tokens(current_user)
    db.session.commit()
    flash("Your rota link has been turned off. Remove the calendar from your phone too.", "info")
    return redirect(url_for("rota.index"))


@bp.get("/feed/<token>.ics")
@limiter.limit("60 per minute")
def feed(token: str):
    """A person's rota as a calendar, for a secret link; a reset or revoked link is a plain 404."""
    person = feeds.person_for_token(token)
    if person is None:
        abort(404)
    return calendar_response(feeds.rota_calendar(person, feeds.feed_signups(person, utcnow())))


def widget_state(meeting: Meeting, on, role: str) -> dict:
    """The sign-up widget's state for the current person: open, full, confirmed or waitlisted."""
    slot_signups = db.session.scalars(
        select(Signup).where(Signup.meeting_id == meeting.id, Signup.occurrence_date == on,
                             Signup.status.in_(("confirmed", "waitlisted")))
    ).all()
    mine = next((s for s in slot_signups if s.person_id == current_user.id), None)
    confirmed = sum(1 for s in slot_signups if s.status == "confirmed" and s.slot.role == role)
    state = mine.status if mine else ("full" if confirmed >= services.needed(meeting, role) else "open")
    return {"meeting": meeting, "on": on, "role": role, "state": state, "mine": mine,
            "confirmed": confirmed, "needed": services.needed(meeting, role)}
