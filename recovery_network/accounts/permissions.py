"""Who may reach which screens: one guard per area, and one place that loads the logged-in person."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta
from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, request, session
from flask_login import current_user, logout_user
from sqlalchemy import select

from recovery_network.accounts.models import SUSPENDED, Person
from recovery_network.extensions import db, login_manager
from recovery_network.security import SESSIONLESS
from recovery_network.types import utcnow


def init_app(app: Flask) -> None:
    """Wire Flask-Login to people, and end sessions older than the absolute limit."""
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"
    # Strong protection would drop sessions on every mobile network change; the session version does the job.
    login_manager.session_protection = "basic"
    app.before_request(enforce_absolute_timeout)


@login_manager.user_loader
def load_person(alternative_id: str) -> Person | None:
    """The logged-in person, unless suspended or their sessions have been ended since this one began."""
    public_id, _, version = alternative_id.partition(":")
    person = db.session.scalar(select(Person).where(Person.public_id == public_id))
    if person is None or person.status == SUSPENDED or str(person.session_version) != version:
        return None
    return person


def enforce_absolute_timeout() -> None:
    """Even an active session ends 12 hours after login (a shared computer at a café)."""
    if request.endpoint in SESSIONLESS:
        return  # feeds and public JSON never read the session (reading it would add Vary: Cookie)
    started = session.get("login_at")
    if started is None or not current_user.is_authenticated:
        return
    limit = timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"])
    if utcnow() - datetime.fromisoformat(started) > limit:
        logout_user()
        session.clear()


def require_role(*roles: str) -> None:
    """Abort unless the logged-in, approved person holds one of the roles; 404 hides what exists."""
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    if not current_user.is_approved or not current_user.has_role(*roles):
        abort(404)


def role_required(*roles: str):
    """Decorator form of require_role for single views."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            require_role(*roles)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def safe_next(target: str | None) -> str | None:
    """A `next=` target only if it is a path on this site; anything else could be an open redirect."""
    if not target or any(c.isspace() or unicodedata.category(c).startswith("C") for c in target):
        return None  # CR/LF would split the Location header (a 500), and no path of ours holds a control or space
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target
