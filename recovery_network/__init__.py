"""Recovery Network: find recovery meetings, staff them safely, and carry a plan through the gate."""

from __future__ import annotations

import os

from flask import Flask

from recovery_network import localzone
from recovery_network.config import Config, deployment_problems, environment_overrides, weak_secret

DEVELOPMENT_SITE_URL = "http://127.0.0.1:5000"


def create_app(test_config: dict | None = None, *, serving: bool = False) -> Flask:
    """Build the app: config → extensions → blueprints → errors → CLI; nothing else.

    serving=True (wsgi.py) leaves out the commands and migrations: a web worker never runs them,
    and Alembic alone is a sixth of a worker's start-up.
    """
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    configure(app, test_config, serving)
    init_extensions(app)
    from recovery_network.inputs import register_converters

    register_converters(app)  # before any route: a rule binds its converters when it is added
    register_blueprints(app)

    from recovery_network import cli, errors, pagecache, security

    from recovery_network.api import cors

    errors.init_app(app)
    security.init_app(app)
    cors.init_app(app)  # public read-only data only: the Meeting Guide JSON, /api/v1, public .ics feeds
    pagecache.init_app(app)  # public answers rendered once per content version, with ETag and 304
    # Last, so the proxy fix wraps everything: the early 304 layer (pagecache) sees the visitor's scheme and host.
    behind_proxies(app)
    if not serving:
        cli.init_app(app)
    return app


def configure(app: Flask, test_config: dict | None, serving: bool = False) -> None:
    """Defaults, then FLASK_* and the documented plain variables, then the test's own settings."""
    app.config.from_object(Config)
    app.config.from_prefixed_env()
    app.config.update(environment_overrides())
    if test_config:
        app.config.update(test_config)
    if app.config["RATELIMIT_STORAGE_URI"].startswith(("redis://", "rediss://")):
        # A Redis that has vanished should fail fast into the in-memory fallback, not hang a login.
        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 0.5, "socket_timeout": 0.5})
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        os.makedirs(app.instance_path, exist_ok=True)
        path = os.path.join(app.instance_path, "recovery_network.sqlite3")
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    localzone.configure(app.config["TIMEZONE"])  # the one place the network's zone is read
    # gunicorn's arbiter announces itself in SERVER_SOFTWARE, whichever module it was pointed at.
    if app.debug and (serving or os.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn/")):
        # Debug turns Secure cookies off and shows tracebacks: never behind a production server.
        raise RuntimeError("Refusing to start: debug is on under a production server (unset FLASK_DEBUG).")
    if app.debug or app.testing:
        if app.debug:
            # Local development is plain http; Secure cookies would never come back.
            app.config["SESSION_COOKIE_SECURE"] = False
            app.config["REMEMBER_COOKIE_SECURE"] = False
        app.config["SITE_URL"] = app.config.get("SITE_URL") or DEVELOPMENT_SITE_URL
        return
    if weak_secret(app.config.get("SECRET_KEY")):
        raise RuntimeError(
            "Refusing to start: set SECRET_KEY to a random value of at least 32 characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(48))')."
        )
    if problems := deployment_problems(app.config):
        raise RuntimeError("Refusing to start: " + "; ".join(problems) + ".")


def behind_proxies(app: Flask) -> None:
    """Trust X-Forwarded-For/-Proto from exactly TRUSTED_PROXIES proxies, so limits and https see the visitor."""
    if proxies := int(app.config.get("TRUSTED_PROXIES") or 0):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)


def init_extensions(app: Flask) -> None:
    """Bind the unbound extensions to this app."""
    from recovery_network import formatting
    from recovery_network import htmx as htmx_rules
    from recovery_network import models  # every model registered for Alembic
    from recovery_network.feeds import cache as feed_cache
    from recovery_network.accounts import permissions
    from recovery_network.extensions import csrf, db, limiter

    db.init_app(app)
    csrf.init_app(app)
    htmx_rules.init_app(app)
    formatting.init_app(app)
    feed_cache.watch(models.Meeting, models.MeetingChange, models.Venue, models.Area)
    limiter.init_app(app)
    permissions.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Every blueprint, listed in one place."""
    from recovery_network.accounts.views import bp as accounts_bp
    from recovery_network.api.views import bp as api_bp
    from recovery_network.coordination.views import bp as coordination_bp
    from recovery_network.courses.views import bp as courses_bp
    from recovery_network.directory.views import bp as directory_bp
    from recovery_network.feeds.views import bp as feeds_bp
    from recovery_network.establishments.views import bp as establishments_bp
    from recovery_network.health import bp as health_bp
    from recovery_network.mentors.views import bp as mentors_bp
    from recovery_network.meetings.views import bp as meetings_bp
    from recovery_network.organisations.views import bp as organisations_bp
    from recovery_network.pathways.views import bp as pathways_bp
    from recovery_network.rota.views import bp as rota_bp

    # One per package, named after it; api.v1, pathways.pack and pathways.referrals are nested in theirs.
    for bp in (directory_bp, feeds_bp, api_bp, health_bp, accounts_bp, mentors_bp, coordination_bp,
               establishments_bp, rota_bp, meetings_bp, courses_bp, pathways_bp, organisations_bp):
        app.register_blueprint(bp)
