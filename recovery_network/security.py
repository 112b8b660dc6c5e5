"""Security headers on every response: no third-party scripts, no framing, no referrer leaks, HSTS on https."""

from __future__ import annotations

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user

# No inline script anywhere (htmx is vendored and configured by a meta tag), nothing from other hosts.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


# Public data and secret-link feeds: calendar apps and meeting finders, never a logged-in page.
SESSIONLESS = frozenset({
    "feeds.meeting", "feeds.search", "api.meeting_guide", "health.healthz", "rota.feed", "pathways.feed",
})


class QuietSessionInterface(SecureCookieSessionInterface):
    """Never send the session cookie with public data: a cookie on a feed stops it being cached (H6)."""

    def should_set_cookie(self, app: Flask, session) -> bool:
        """Refresh the cookie on pages, not on feeds and JSON."""
        if request.endpoint in SESSIONLESS or (request.blueprint or "") == "api.v1":
            return False
        return super().should_set_cookie(app, session)


def init_app(app: Flask) -> None:
    """Add the headers after every request, keep sessions off public data, and tokens out of the request log."""
    from recovery_network.redaction import protect_werkzeug_log

    app.session_interface = QuietSessionInterface()
    protect_werkzeug_log()

    @app.after_request
    def security_headers(response: Response) -> Response:
        """Headers that stop framing, sniffing, third-party code and token leaks via Referer."""
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        # Private feed links carry secrets in the path; never send them on to another site.
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("Permissions-Policy", "geolocation=(self), camera=(), microphone=()")
        if request.is_secure and (seconds := app.config.get("HSTS_SECONDS")):
            # Only over https (RFC 6797 ignores it on http); behind a proxy, TRUSTED_PROXIES makes is_secure true.
            headers.setdefault("Strict-Transport-Security", f"max-age={int(seconds)}; includeSubDomains")
        if request.endpoint in SESSIONLESS or response.mimetype != "text/html":
            return response  # public data: don't touch the session (it would add Vary: Cookie)
        if current_user.is_authenticated:
            # Pages behind a login must not be kept by shared or browser caches.
            response.cache_control.no_store = True
            response.cache_control.private = True
        return response
