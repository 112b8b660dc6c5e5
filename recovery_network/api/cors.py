"""Cross-origin reads of public, read-only data (Flask-CORS), and of nothing else.

Meeting finders and calendar widgets on other sites read the Meeting Guide JSON, /api/v1 and the public
.ics feeds from the browser. They may revalidate (If-None-Match / If-Modified-Since, which makes the request
preflighted) and read the validators back (ETag, Last-Modified). No credentials: the answers are the same
for everyone, so `*` is honest and lets shared caches keep one copy. Private feeds (rota, pathway) and every
page stay same-origin: the resources below are anchored paths, and nothing else matches.
"""

from __future__ import annotations

from flask import Flask
from flask_cors import CORS

PUBLIC_READ = {
    "origins": "*",
    "send_wildcard": True,  # "*" rather than echoing the Origin: one cached answer for every site
    "supports_credentials": False,
    "methods": ["GET", "HEAD", "OPTIONS"],
    "allow_headers": ["If-None-Match", "If-Modified-Since", "Cache-Control", "Accept"],
    "expose_headers": ["ETag", "Last-Modified"],
    "max_age": 86400,  # a day of preflight answers: they never change
}

# Full-path patterns: /rota/feed/<token>.ics and /pathways/feed/<token>.ics must never match.
PUBLIC_PATHS = (
    r"^/api/meetings\.json$",
    r"^/api/v1/.*$",
    r"^/feeds/meetings\.ics$",
    r"^/meetings/[^/]+\.ics$",
)


def init_app(app: Flask) -> None:
    """Answer preflights and add CORS headers on the public read-only paths only."""
    CORS(app, resources={path: PUBLIC_READ for path in PUBLIC_PATHS})
