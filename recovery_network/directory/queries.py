"""One search for the page, the calendar feed and the API: form → place → criteria → results, or errors per field.

Each caller presents the answer in its own format (the page beside each field, the feed as a plain 400, the
API as problem details), but none decides on its own what a filter means or what happens when one is not
understood: a filter that is not understood is never dropped to "any", so no list pretends it applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from recovery_network.directory.forms import DAY_NUMBERS, SearchForm
from recovery_network.meetings import search as meeting_search
from recovery_network.meetings.search import Criteria
from recovery_network.venues.services import Located, locate, suggestions

FILTER_KEYS = ("near", "radius", "day", "time", "type", "mode")
DEFAULT_RADIUS = 10


@dataclass
class Searched:
    """A search's answer: the form as read and the place found, then a page of results or messages by field."""

    form: SearchForm
    located: Located | None = None
    found: meeting_search.Page | None = None  # None exactly when there are errors
    errors: dict[str, list[str]] = field(default_factory=dict)
    suggestions: list[str] = field(default_factory=list)  # places like a `near` that was not found


def place_not_found(near: str) -> str:
    """What every caller says about a place no gazetteer or geocoder knows."""
    return (f"We could not find “{near[:100]}”. Check the spelling, or try a nearby town "
            "or a postcode district like PH1.")


def run_search(args: MultiDict, *, now: datetime, per_page: int, upcoming: int = 3,
               viewer: object | None = None) -> Searched:
    """The search these query arguments ask for, or why it can't be run; adds geocoder answers, never commits."""
    form = SearchForm(args)
    form.validate()
    near = (form.near.data or "").strip()
    located, not_found = None, False
    if near and not form.near.errors:
        located = locate(near)
        not_found = located is None
        if not_found:
            form.near.errors.append(place_not_found(near))
    # Read from the fields, not form.errors: that is computed once, before the place was looked up.
    errors = {f.name: list(f.errors) for f in form if f.errors}
    if errors:
        return Searched(form, located, errors=errors, suggestions=suggestions(near) if not_found else [])
    found = meeting_search.search(criteria_from_form(form, located), now=now, per_page=per_page,
                                  upcoming=upcoming, viewer=viewer)
    return Searched(form, located, found)


def criteria_from_form(form: SearchForm, located: Located | None) -> Criteria:
    """Criteria from a form that passed validation (blank fields mean 'any')."""
    return Criteria(
        near=located.point if located else None,
        radius_miles=float(form.radius.data or DEFAULT_RADIUS),
        days=frozenset(DAY_NUMBERS[d] for d in form.day.data or [] if d),
        time_of_day=form.time.data or None,
        kind=form.type.data or None,
        mode=form.mode.data or None,
        page=form.page.data or 1,
    )


def feed_query_string(args: MultiDict) -> str:
    """The filters of this search (not the page number) as a query string for its calendar feed."""
    pairs = [(key, value) for key in FILTER_KEYS for value in args.getlist(key) if value]
    return urlencode(pairs)
