"""The one place that decides whether a request gets a whole page or just a fragment."""

from __future__ import annotations

from flask import Flask, Response, flash, redirect, render_template, url_for
from htmx_flask import request

from recovery_network.extensions import htmx, login_manager


def init_app(app: Flask) -> None:
    """Install htmx request parsing and mark fragment responses as varying on HX-Request."""
    htmx.init_app(app)

    @app.after_request
    def vary_on_htmx(response: Response) -> Response:
        """Caches must not serve a fragment to a full-page request or the reverse."""
        response.vary.add("HX-Request")
        return response

    @login_manager.unauthorized_handler
    def to_login() -> Response:
        """Send people to log in; an htmx swap must redirect the whole page, not swap a form in."""
        target = url_for("accounts.login", next=request.full_path.rstrip("?"))
        if request.htmx:
            response = Response("", 204)
            response.headers["HX-Redirect"] = target
            return response
        flash("Please log in to see that page.", "info")
        return redirect(target)


def wants_fragment() -> bool:
    """In-page swap; boosted navigation and history restores need the full page."""
    hx = request.htmx
    return bool(hx) and not hx.boosted and not hx.history_restore_request


def render(page: str, fragment: str, **context) -> str:
    """Render the fragment for in-page swaps, the full page otherwise."""
    return render_template(fragment if wants_fragment() else page, **context)
