"""The one place that decides whether a request gets a whole page or just a fragment."""

from __future__ import annotations

from flask import Flask, Response, render_template
from htmx_flask import request

from recovery_network.extensions import htmx


def init_app(app: Flask) -> None:
    """Install htmx request parsing and mark fragment responses as varying on HX-Request."""
    htmx.init_app(app)

    @app.after_request
    def vary_on_htmx(response: Response) -> Response:
        """Caches must not serve a fragment to a full-page request or the reverse."""
        response.vary.add("HX-Request")
        return response


def wants_fragment() -> bool:
    """In-page swap; boosted navigation and history restores need the full page."""
    hx = request.htmx
    return bool(hx) and not hx.boosted and not hx.history_restore_request


def render(page: str, fragment: str, **context) -> str:
    """Render the fragment for in-page swaps, the full page otherwise."""
    return render_template(fragment if wants_fragment() else page, **context)
