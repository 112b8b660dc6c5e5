"""Public answers kept while nothing they show can have changed: ETag and 304 for each, rendered once per version.

What an anonymous visitor sees on the directory's pages depends only on the URL (and whether htmx asked for a
fragment), the content version that every public change bumps in its own transaction (feeds/cache.py), and
the clock: a date drops off a page when that meeting ends, and "today" moves at midnight. So an answer is kept
with the version it was built at and the first instant it could read differently (views name it through
`expires_with`; midnight is the latest), and served again while both hold. Checking costs one primary-key read.

Logged-in visitors are never served from, nor stored into, this cache: their pages show custody sessions they
may see (and security.py marks those no-store). A visitor with a flash message waiting is served fresh too.
The JSON API and the Meeting Guide feed answer as the public whoever asks, so their answers are shared by
everyone, and looking them up never reads the session (which would add Vary: Cookie to public data).

Kept in each worker's memory, and in Redis too when PAGE_CACHE_URL is set, so one render serves every worker
and node (pagestore.py; README "Speed" has the measurements behind that choice).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime, time, timedelta, timezone

from flask import Flask, Response, current_app, g, request, session
from flask_login import current_user

from recovery_network import localzone
from recovery_network.feeds.cache import current_version_number
from recovery_network.earlyanswer import KEPT_IN, NotModifiedLayer
from recovery_network.pagestore import Answer, PageStore, environ_key

# Endpoints whose answer for an anonymous visitor is a function of URL, content version and time.
PAGES = frozenset({"directory.index", "directory.search", "directory.detail"})
# Endpoints that answer as the public whoever asks (their views never look at the login).
PUBLIC_DATA = frozenset({"api.v1.index", "api.v1.detail", "api.v1.openapi", "api.meeting_guide"})
# Headers a view sets that belong to the answer, so a kept answer carries them again.
KEPT_HEADERS = ("Content-Type", "Cache-Control")


def init_app(app: Flask) -> None:
    """Answer from the store before the view runs, and keep what the view rendered after it.

    A matching conditional GET from a visitor without a session is answered in front of Flask (earlyanswer.py).
    """
    app.extensions["page_store"] = PageStore.from_config(app.config, app.logger)
    app.wsgi_app = NotModifiedLayer(app, app.wsgi_app)
    app.before_request(answer_from_store)
    app.after_request(keep_answer)


def store() -> PageStore:
    """This app's store of answers."""
    return current_app.extensions["page_store"]


def shareable() -> bool:
    """Whether this request's answer is the same for everyone who could send it."""
    if request.method not in ("GET", "HEAD"):
        return False
    if request.endpoint in PUBLIC_DATA:
        return True
    # A flash is shown once, on the next page rendered: a kept page would swallow it or show it to others.
    return request.endpoint in PAGES and not current_user.is_authenticated and "_flashes" not in session


def answer_key() -> str:
    """The request as far as the answer depends on it (pagestore.environ_key); the host was already checked
    against TRUSTED_HOSTS by routing."""
    return environ_key(request.environ)


def answer_from_store() -> Response | None:
    """A kept answer when one is current (then the view never runs); else note what to keep afterwards."""
    if not shareable():
        return None
    version = current_version_number()
    key = answer_key()
    g.page_answer = (key, version)
    if (answer := store().get(key, version, datetime.now(timezone.utc))) is None:
        return None
    g.page_answer = None  # served: nothing to keep afterwards
    response = Response(status=200)
    for name, value in answer.headers:
        response.headers[name] = value
    return validated(response, answer)


def expires_with(occurrences: Iterable) -> None:
    """This answer reads differently once the earliest of these meetings has ended (it leaves 'next dates')."""
    ends = [o.end for o in occurrences if o is not None]
    if ends:
        earliest = min(ends).astimezone(timezone.utc)
        g.page_expires = min(g.get("page_expires", earliest), earliest)


def next_midnight(now: datetime) -> datetime:
    """The next local (the network's TIMEZONE) or UTC midnight, whichever comes first: either moves 'today'."""
    zone = localzone.tzinfo()
    local = now.astimezone(zone)
    local_midnight = datetime.combine(local.date() + timedelta(days=1), time.min, zone)
    utc_midnight = datetime.combine(now.date() + timedelta(days=1), time.min, timezone.utc)
    return min(local_midnight.astimezone(timezone.utc), utc_midnight)


def keep_answer(response: Response) -> Response:
    """Keep a fresh 200 for the next visitor, and answer 304 when the visitor's copy is current."""
    pending = g.pop("page_answer", None)
    if pending is None or response.status_code != 200 or response.direct_passthrough:
        return response
    if request.endpoint in PAGES and current_user.is_authenticated:  # pragma: no cover - logged in mid-request
        return response
    key, version = pending
    now = datetime.now(timezone.utc)
    expires = min(g.get("page_expires", next_midnight(now)), next_midnight(now))
    body = response.get_data()
    etag = hashlib.sha256(body).hexdigest()
    if request.endpoint in PAGES:
        # Shared between anonymous visitors only (Vary: Cookie); always asked again, so a change shows at once.
        response.cache_control.no_cache = True
    headers = tuple((name, response.headers[name]) for name in KEPT_HEADERS if name in response.headers)
    answer = Answer.made(version, expires, etag, headers, body)
    if expires > now:
        store().put(key, answer)
    return validated(response, answer)


def validated(response: Response, answer: Answer) -> Response:
    """The answer (gzipped when the client takes it) with its ETag, or 304 when the visitor already holds it.

    Each encoding has its own strong ETag (RFC 9110 8.8.3): the SHA-256 of the exact body, "-gzip" for the other.
    """
    response.vary.add("Accept-Encoding")
    request.environ[KEPT_IN] = "page"  # a 304 from here may be answered in front of Flask next time
    if answer.gzipped is not None and request.accept_encodings["gzip"] > 0:  # "gzip;q=0" means never
        response.set_data(answer.gzipped)
        response.headers["Content-Encoding"] = "gzip"
        response.set_etag(answer.etag + "-gzip")
    else:
        response.set_data(answer.body)
        response.set_etag(answer.etag)
    return response.make_conditional(request)
