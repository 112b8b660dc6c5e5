"""Who may reach which screens: one guard per area, and one place that loads the logged-in person."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, request, session
from flask_login import current_user, logout_user

from recovery_network.accounts.models import Person
from recovery_network.accounts.services import end_session, live_session_person
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
    app.before_request(forget_cached_person)
    app.before_request(enforce_absolute_timeout)
    app.before_request(pending_see_only_their_profile)


def forget_cached_person() -> None:
    """Each request decides who is logged in from its own cookies, even when it shares an app context.

    Flask-Login caches the person in g, and g belongs to the app context, which a test client (or a
    command's request context) shares between requests: one request's person must never leak into another's.
    """
    g.pop("_login_user", None)


def login_max_age() -> timedelta:
    """The longest any cookie can name a login: the remember cookie's life, or the session's absolute limit."""
    config = current_app.config
    return max(config["REMEMBER_COOKIE_DURATION"], timedelta(hours=config["SESSION_ABSOLUTE_HOURS"]))


@login_manager.user_loader
def load_person(alternative_id: str) -> Person | None:
    """The logged-in person, unless suspended, logged out of this login, or all their sessions were ended."""
    public_id, version, nonce = (alternative_id.split(":") + ["", ""])[:3]
    if not nonce:
        return None  # a cookie from before logins had server-side rows
    return live_session_person(public_id, version, nonce, login_max_age())


def end_browser_session() -> None:
    """Forget the login in this browser: clear the session first, so Flask-Login's marker to delete the
    remember cookie (set by logout_user) survives to the response."""
    session.clear()
    logout_user()


def enforce_absolute_timeout() -> None:
    """Even an active session ends 12 hours after login (a shared computer at a café)."""
    if request.endpoint in SESSIONLESS:
        return  # feeds and public JSON never read the session (reading it would add Vary: Cookie)
    started = session.get("login_at")
    if started is None or not current_user.is_authenticated:
        return
    limit = timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"])
    if utcnow() - datetime.fromisoformat(started) > limit:
        end_session(current_user)
        db.session.commit()
        end_browser_session()


# Where a pending (not yet approved) person may go: the public pages, and their own account's screens.
PENDING_MAY = frozenset({"accounts", "directory", "feeds", "api", "api.v1", "health"})


def pending_see_only_their_profile() -> None:
    """Pending means: see and edit your own profile, nothing else; every other screen is a 404, by default.

    An allow-list, so a screen added later is closed to pending people without anyone remembering to.
    """
    if request.endpoint in SESSIONLESS or request.endpoint in (None, "static"):
        return  # public data and secret-link feeds never read the session
    if (request.blueprint or "") in PENDING_MAY:
        return
    if current_user.is_authenticated and not current_user.is_approved:
        abort(404)


def require_role(*roles: str) -> None:
    """Abort unless the logged-in, approved person holds one of the roles; 404 hides what exists."""
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    if not current_user.is_approved or not current_user.has_role(*roles):
        abort(404)


def safe_next(target: str | None) -> str | None:
    """A `next=` target only if it is a path on this site; anything else could be an open redirect."""
    if not target or any(c.isspace() or unicodedata.category(c).startswith("C") for c in target):
        return None  # CR/LF would split the Location header (a 500), and no path of ours holds a control or space
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target
