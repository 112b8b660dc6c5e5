"""A matching conditional GET for a kept public answer, answered in front of Flask: no request context, no session,
no routing, no hooks; one read of the content version and a dictionary lookup.

Calendar apps and browsers revalidate far more often than anything changes, and a 304 through the whole app
cost twice a bare route. This layer answers only when every rule that makes a 304 correct can be seen in the
WSGI environ alone, and otherwise hands the request on untouched:

- GET or HEAD with If-None-Match, and nothing that makes the answer depend on who asks: no session or
  "remember me" cookie (so never a logged-in visitor, and never one with a flash message waiting, which
  lives in the session), no Authorization, no Origin (CORS answers differ by it), no Range;
- the store the app answered this request from before holds an answer for exactly this request that is
  current: the page store (pagecache.py: built at the content version read now from the database, so a change
  made through any worker or node shows at once, and not past its expiry, a date it shows has ended or
  midnight) or the feed cache (feeds/cache.py: built at that version). The app says which by marking the
  environ (`KEPT_IN`); a 304 from anywhere else is never kept, so nothing here is read for it in vain;
- the ETag the visitor holds is the one that answer carries for their Accept-Encoding;
- and Flask itself has answered this same request with a 304 before, in this worker: its headers are kept
  and sent again, so an early 304 is byte for byte the one the app would give (security headers, Vary,
  Cache-Control). A 304 that set a cookie or carried a rate limit is never kept, so no limit is skipped.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timezone
from http.cookies import SimpleCookie
from threading import Lock

from werkzeug.http import parse_accept_header, parse_etags, unquote_etag

from recovery_network.extensions import db
from recovery_network.feeds.cache import current_version_number
from recovery_network.feeds.cache import feeds as feed_cache
from recovery_network.pagestore import environ_key

REMEMBER_COOKIE = "remember_token"  # Flask-Login's default name; REMEMBER_COOKIE_NAME overrides it
# Headers that say a response was about this one visitor or counted against them: such a 304 is never replayed.
PERSONAL_HEADERS = ("set-cookie", "retry-after", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset",
                    "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset")
# Request headers that change the answer in ways the kept answer's key does not cover. If-Modified-Since is not
# one: a recipient ignores it when If-None-Match is present (RFC 9110 13.1.3), and Werkzeug does.
DECLINE_IF_PRESENT = ("HTTP_AUTHORIZATION", "HTTP_ORIGIN", "HTTP_RANGE", "HTTP_IF_RANGE", "HTTP_IF_MATCH")
# Set in the environ by the app when an answer came from one of its stores: "page" or "feed".
KEPT_IN = "recovery_network.kept_in"
MAX_KEPT = 1024


class NotModifiedLayer:
    """WSGI middleware: a current, matching conditional GET without a session gets the app's own 304, early."""

    def __init__(self, app, wsgi_app) -> None:
        """Wrap the Flask app's WSGI callable; the page store and engine are looked up on first use."""
        self.app = app
        self.wsgi_app = wsgi_app
        self.engine = None
        self.replies: OrderedDict[tuple[str, bool], tuple[str, str, list[tuple[str, str]]]] = OrderedDict()
        self.lock = Lock()

    def __call__(self, environ, start_response):
        """Answer 304 here when every rule holds; otherwise the app answers (and a 304 it gives is kept)."""
        if not self._may_answer(environ):
            return self.wsgi_app(environ, start_response)
        slot = (environ_key(environ), self._gzip(environ))
        with self.lock:
            kept = self.replies.get(slot)
        if kept is not None and self._current(environ, slot, kept[0], kept[1]):
            start_response("304 NOT MODIFIED", list(kept[2]))
            return []
        return self.wsgi_app(environ, self._keeping(slot, environ, start_response))

    def _may_answer(self, environ) -> bool:
        """A conditional GET whose answer cannot depend on who sends it (no session, no credentials, no Origin)."""
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or not environ.get("HTTP_IF_NONE_MATCH"):
            return False
        if any(environ.get(name) for name in DECLINE_IF_PRESENT):
            return False
        if cookies := environ.get("HTTP_COOKIE"):
            names = {self.app.config.get("SESSION_COOKIE_NAME", "session"),
                     self.app.config.get("REMEMBER_COOKIE_NAME", REMEMBER_COOKIE)}
            try:
                sent = SimpleCookie(cookies)
            except Exception:  # noqa: BLE001 - an unreadable Cookie header: let the app decide
                return False
            if names & set(sent):
                return False
        return True

    @staticmethod
    def _gzip(environ) -> bool:
        """Whether this visitor takes gzip (the kept answer has a separate ETag for its gzipped bytes)."""
        return parse_accept_header(environ.get("HTTP_ACCEPT_ENCODING"))["gzip"] > 0

    def _current(self, environ, slot: tuple[str, bool], etag: str, kept_in: str) -> bool:
        """The store holds a current answer for this request, its ETag is `etag`, and the visitor holds that ETag."""
        if not parse_etags(environ.get("HTTP_IF_NONE_MATCH")).contains_weak(etag):
            return False
        try:
            version = current_version_number(self._engine())
        except Exception:  # noqa: BLE001 - the database is away: the app answers that properly (503)
            return False
        if kept_in == "feed":
            entry = feed_cache.get(slot[0], version)
            return entry is not None and entry.etag == etag
        answer = self.app.extensions["page_store"].get(slot[0], version, datetime.now(timezone.utc))
        if answer is None:
            return False
        gzipped = slot[1] and answer.gzipped is not None
        return etag == (answer.etag + "-gzip" if gzipped else answer.etag)

    def _engine(self):
        """The app's database engine, found once (outside a request there is no app context to ask)."""
        if self.engine is None:
            with self.app.app_context():
                self.engine = db.engine
        return self.engine

    def _keeping(self, slot: tuple[str, bool], environ, start_response):
        """start_response that keeps the headers of a 304 the app gave from a store, to send again for the same
        request."""

        def keep(status: str, headers: list[tuple[str, str]], exc_info=None):
            """Pass the response on; remember a 304's headers if it came from a store and nothing in them is
            about one visitor."""
            kept_in = environ.get(KEPT_IN)
            if (status.startswith("304") and kept_in in ("page", "feed")
                    and not any(name.lower() in PERSONAL_HEADERS for name, _ in headers)):
                etag = next((value for name, value in headers if name.lower() == "etag"), None)
                if etag is not None:
                    self._remember(slot, unquote_etag(etag)[0], kept_in, headers)
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        return keep

    def _remember(self, slot: tuple[str, bool], etag: str, kept_in: str, headers: list[tuple[str, str]]) -> None:
        """Keep a 304's headers, dropping the least recently used past MAX_KEPT."""
        with self.lock:
            self.replies[slot] = (etag, kept_in, list(headers))
            self.replies.move_to_end(slot)
            while len(self.replies) > MAX_KEPT:
                self.replies.popitem(last=False)
