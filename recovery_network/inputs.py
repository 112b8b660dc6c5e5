"""Bounds every input shares: ids the database can hold, dates in a sane window, page numbers, URL parts.

The outside review's 500s were one class of fault: a value no database or date sum can hold reached one.
PostgreSQL refuses an id above its INTEGER range (SQLite overflows at 2**63) and a NUL character in text;
Python's dates stop at year 9999, so "9999-12-31 plus a week" raises. These bounds stop such values at the
door, the same way on every route, so the code behind a form or a URL only ever sees values it can use.
"""

from __future__ import annotations

from datetime import date

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter, UnicodeConverter, ValidationError

from recovery_network.types import utcnow

# PostgreSQL's INTEGER, the type of every id here: above it nothing can exist, on either database.
DB_INT_MAX = 2**31 - 1
# The date window every date field accepts (forms.DateField): nothing here happened before 2000 (the network,
# its courses and the PVG scheme are younger), and nothing is planned more than ten years ahead.
EARLIEST_DATE = date(2000, 1, 1)
YEARS_AHEAD = 10
# Pages beyond this are empty on every list here; the bound keeps OFFSET far inside any integer.
MAX_PAGE = 10_000


def date_window(today: date | None = None) -> tuple[date, date]:
    """The first and last dates any form accepts: 1 January 2000 to 31 December ten years from now."""
    today = today or utcnow().date()
    return EARLIEST_DATE, date(today.year + YEARS_AHEAD, 12, 31)


def date_window_message(today: date | None = None) -> str:
    """What a person sees beside a date outside the window."""
    first, last = date_window(today)
    return f"Give a date between {first.day} {first:%B %Y} and {last.day} {last:%B %Y}."


def db_int(value: object) -> int:
    """An int the database can hold, or ValueError (a select's coerce, a form's id): beyond it nothing exists."""
    number = int(value)  # accepts any Unicode decimal digits ("٣", "３"), as the URL converter does
    if not -DB_INT_MAX <= number <= DB_INT_MAX:
        raise ValueError("out of range")
    return number


def page_number() -> int:
    """?page= for a paginated list: 1 when missing or unreadable, 404 past the last page any list can have."""
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        return 1
    if page > MAX_PAGE:
        abort(404)
    return max(page, 1)


class BoundedIntegerConverter(IntegerConverter):
    """<int:...> that only matches ids the database can hold, so a larger one is a 404 like any missing id."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = None,  # noqa: A002
                 signed: bool = False) -> None:
        """Werkzeug's integer converter with max defaulting to the database's limit."""
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=DB_INT_MAX if max is None else max,
                         signed=signed)


class TextConverter(UnicodeConverter):
    """A path segment (slug, public id, token) without NUL, which PostgreSQL refuses in text: a 404 instead."""

    def to_python(self, value: str) -> str:
        """The segment as given, unless it holds a NUL: then the rule does not match."""
        if "\x00" in value:
            raise ValidationError()
        return value


def register_converters(app: Flask) -> None:
    """Put the bounded converters in place of Flask's before any route is added (rules bind them when added)."""
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.url_map.converters["default"] = TextConverter
    app.url_map.converters["string"] = TextConverter
