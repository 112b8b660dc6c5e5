"""Turning the validated search form into search criteria, and into a feed link with the same filters."""

from __future__ import annotations

from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from recovery_network.directory.forms import DAY_NUMBERS, SearchForm
from recovery_network.meetings.search import Criteria
from recovery_network.venues.services import Located

FILTER_KEYS = ("near", "radius", "day", "time", "type", "mode")


def criteria_from_form(form: SearchForm, located: Located | None) -> Criteria:
    """Criteria from the fields that passed validation; a field with an error counts as 'any'."""
    radius = form.radius.data if form.radius.data and not form.radius.errors else 10
    return Criteria(
        near=located.point if located else None,
        radius_miles=float(radius),
        days=frozenset(DAY_NUMBERS[d] for d in form.day.data or [] if d in DAY_NUMBERS),
        time_of_day=form.time.data or None,
        kind=form.type.data or None,
        mode=form.mode.data or None,
        page=form.page.data if form.page.data and not form.page.errors else 1,
    )


def feed_query_string(args: MultiDict) -> str:
    """The filters of this search (not the page number) as a query string for its calendar feed."""
    pairs = [(key, value) for key in FILTER_KEYS for value in args.getlist(key) if value]
    return urlencode(pairs)
