"""What every form shares: no NUL, one line where one line is meant, numbers and dates the app can use.

Every form inherits BaseForm and takes its date, number and id-choice fields from here, so a far date,
a huge number or a NUL gets a message beside its field on every form at once (tests/test_fuzz.py walks
them all), and the code behind a form never sees a value it cannot store or add a week to.
"""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import DateField as WTFormsDateField
from wtforms import Field, PasswordField, SelectField, StringField, TextAreaField
from wtforms import IntegerField as WTFormsIntegerField

from recovery_network.inputs import DB_INT_MAX, date_window, date_window_message, db_int

NUL_MESSAGE = "Remove the invisible control character (NUL) from this."
# Line breaks of every kind (CR, LF, and Unicode's own, as str.splitlines knows them).
LINE_BREAKS = re.compile("[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")


def one_line(value: object) -> object:
    """A single-line field's text with each run of line breaks turned into one space (a title is one line)."""
    return LINE_BREAKS.sub(" ", value) if isinstance(value, str) else value


def is_single_line(field_class: type) -> bool:
    """Text fields meant to hold one line: not text areas, and not passwords (a password is kept as typed)."""
    return issubclass(field_class, StringField) and not issubclass(field_class, (TextAreaField, PasswordField))


def holds_nul(field: Field) -> bool:
    """Whether what was posted for this field holds a NUL character."""
    return any(isinstance(value, str) and "\x00" in value for value in field.raw_data or ())


class BaseForm(FlaskForm):
    """Every form's base: single-line text stays on one line, and a NUL is refused beside its field."""

    class Meta:
        """Bind each field with the shared filters."""

        def bind_field(self, form, unbound_field, options):
            """Add the one-line filter to single-line text fields."""
            if is_single_line(unbound_field.field_class):
                filters = [*unbound_field.kwargs.get("filters", ()), one_line]
                options = {**options, "filters": filters}
            return super().bind_field(form, unbound_field, options)

    def validate(self, extra_validators=None) -> bool:
        """Refuse NUL (PostgreSQL cannot store it) before any validator or view can pass it to the database."""
        tainted = [name for name, field in self._fields.items() if holds_nul(field)]
        order = list(self._fields)
        for name in tainted:
            field = self._fields[name]
            field.data = "" if isinstance(field.data, str) else None  # other fields' checks may read it
        # A NUL field's own validators never run: they may hand its value to a query or expect a parse.
        held = {name: self._fields.pop(name) for name in tainted}
        try:
            valid = super().validate(extra_validators)
        finally:
            self._fields.update(held)
            self._fields = type(self._fields)((name, self._fields[name]) for name in order)
        for field in held.values():
            field.errors = [NUL_MESSAGE]
        return valid and not held


class DateField(WTFormsDateField):
    """A date inside the shared window (inputs.date_window); outside it, a message and no data."""

    def process_formdata(self, valuelist) -> None:
        """Parse as usual, then drop a date outside the window so nothing downstream sees it."""
        self.outside_window = False
        super().process_formdata(valuelist)
        first, last = date_window()
        if self.data is not None and not first <= self.data <= last:
            self.data = None
            self.outside_window = True

    def validate(self, form, extra_validators=()) -> bool:
        """The window's message replaces 'required' when the date given was outside it."""
        valid = super().validate(form, extra_validators)
        if getattr(self, "outside_window", False):
            self.errors = [date_window_message()]
            return False
        return valid


class IntegerField(WTFormsIntegerField):
    """A whole number the database can hold; a larger one is no number at all (its NumberRange says why)."""

    def process_formdata(self, valuelist) -> None:
        """Parse as usual (any Unicode decimal digits), then drop a value beyond the database's range."""
        try:
            super().process_formdata(valuelist)
        finally:
            if self.data is not None and not -DB_INT_MAX <= self.data <= DB_INT_MAX:
                self.data = None


class IntSelectField(SelectField):
    """A select of whole numbers (ids, weekdays): one the database cannot hold is "choose from the list"."""

    def __init__(self, *args, **kwargs) -> None:
        """Coerce with db_int, so a huge id never reaches a query."""
        kwargs.setdefault("coerce", db_int)
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist) -> None:
        """A plain message instead of WTForms' 'could not coerce'."""
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            self.data = None
            raise ValueError("Choose from the list.") from error


def show_beside(form: FlaskForm, message: str, field_name: str | None, fallback: str) -> None:
    """A rule refused what a form sent: put the message beside the field it is about (the fallback field when the
    rule names none this form has), so it reads where the person will fix it and what they typed stays."""
    field = form._fields.get(field_name or "") or form._fields[fallback]
    field.errors = [*field.errors, message]
