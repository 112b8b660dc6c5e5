"""Private calendars behind secret links: how every such feed is answered (the token rules are ical/tokens.py)."""

from __future__ import annotations

from flask import Response, request


def calendar_response(body: bytes) -> Response:
    """A private calendar: text/calendar, private and revalidated, noindex, conditional on its ETag."""
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.cache_control.private = True
    response.cache_control.no_cache = True
    response.headers["X-Robots-Tag"] = "noindex"
    response.add_etag()
    return response.make_conditional(request)
