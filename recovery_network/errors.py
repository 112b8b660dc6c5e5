"""Named domain errors, and the pages people see when something goes wrong (never a stack trace)."""

from __future__ import annotations

from flask import Flask, Response, g, jsonify, render_template, request
from flask.globals import request_ctx
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

# How long to tell clients to wait while the database restarts or fails over.
RETRY_AFTER_SECONDS = 60


class DomainError(Exception):
    """A rule of the network was broken; the message is safe to show to the person.

    `field` names the form field the rule is about (when there is one), so a view can show the message beside
    that field and keep what was typed, instead of at the top of the page."""

    field: str | None = None  # a subclass about one field names it here

    def __init__(self, message: str = "", field: str | None = None) -> None:
        super().__init__(message)
        self.field = field or type(self).field


def init_app(app: Flask) -> None:
    """Friendly 400/404/405/429/500/503 pages; feeds and JSON get plain bodies, not HTML."""

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        """Render a short page that says what happened and what to do next."""
        if request_ctx.url_adapter is None:
            # A Host outside TRUSTED_HOSTS: no links can be built for it, so the page template cannot render.
            return plain(error.code or 400, error.name)
        if wants_problem_json():
            # Keep werkzeug's headers (Allow on a 405) but not its HTML content type.
            headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
            return problem_json(error.code or 500, error.name), error.code, headers
        if wants_plain():
            return plain(error.code or 500, error.name)
        return render_template("errors/error.html", error=error), error.code

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        """Log the fault and show a page that leaks nothing about the data behind it."""
        if isinstance(error, HTTPException):  # pragma: no cover - handled above
            return http_error(error)
        app.logger.exception("Unhandled error on %s", request.path)
        if app.testing and app.config.get("PROPAGATE_TEST_ERRORS", True):
            raise error
        if wants_problem_json():
            return problem_json(500, "Internal Server Error"), 500
        if request_ctx.url_adapter is None:
            return plain(500, "Internal Server Error")
        return render_template("errors/500.html"), 500


    @app.errorhandler(DBAPIError)
    @app.errorhandler(PoolTimeout)
    def database_error(error: Exception):
        """A database that is down or restarting is a 503 to try again, not a fault in the code (no traceback)."""
        if not database_unavailable(error):
            return server_error(error)
        cause = type(getattr(error, "orig", None) or error).__name__
        app.logger.warning("Database unavailable on %s (%s): answered 503", request.path, cause)
        return unavailable()


def database_unavailable(error: Exception) -> bool:
    """Whether the database could not be reached or cut the connection (not a bad statement, which is a bug)."""
    if isinstance(error, PoolTimeout) or getattr(error, "connection_invalidated", False):
        return True
    if not isinstance(error, OperationalError):
        return False
    if type(error.orig).__module__.startswith("psycopg"):
        return True  # psycopg keeps OperationalError for connection, shutdown and cancel faults
    # SQLite says OperationalError for its own bugs too ("no such table"); only these are worth retrying.
    return any(m in str(error.orig) for m in ("database is locked", "unable to open database file", "disk I/O"))


def unavailable() -> Response:
    """503 with Retry-After: a short page, problem details for the API, a plain line for feeds."""
    from flask_login import AnonymousUserMixin

    # Nobody can be looked up without the database: the page is the one everybody gets, and never stored.
    g._login_user = AnonymousUserMixin()
    if wants_problem_json():
        response = problem_json(503, "Service Unavailable", detail="The database is restarting; try again in a minute.")
    elif wants_plain() or request_ctx.url_adapter is None:
        body, status, headers = plain(503, "Service Unavailable")
        response = Response(body, status, headers)
    else:
        response = Response(render_template("errors/503.html", retry_seconds=RETRY_AFTER_SECONDS), 503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.cache_control.no_store = True
    return response


def wants_problem_json() -> bool:
    """The JSON API answers errors in JSON too (RFC 9457 problem details), so clients parse one format."""
    return request.path.startswith("/api/v1/")


def problem_json(status: int, title: str, **extra: object) -> Response:
    """A problem details answer that names the status (and, for bad input, the fields) and nothing about the data."""
    response = jsonify({"type": "about:blank", "title": title, "status": status, **extra})
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def wants_plain() -> bool:
    """Calendar apps and API clients read bodies as data; an HTML page would be nonsense to them."""
    path = request.path
    return path.endswith(".ics") or path.endswith(".json") or path.startswith("/api/")


def plain(status: int, name: str) -> tuple[str, int, dict]:
    """A bare text answer, for clients that read data and for requests no page can be built for."""
    return f"{status} {name}\n", status, {"Content-Type": "text/plain; charset=utf-8"}
