"""Every form takes its shared rules from recovery_network.forms: checked by walking the form classes."""

from __future__ import annotations

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField as WTFormsDateField
from wtforms import IntegerField as WTFormsIntegerField
from wtforms import SelectField
from wtforms.fields.core import UnboundField
from wtforms.validators import NumberRange

from recovery_network import forms
from recovery_network.meetings.models import Meeting
from tests.test_bad_input import meeting_form, world  # noqa: F401 - the world fixture


def all_forms(app) -> list[type[FlaskForm]]:
    """Every FlaskForm subclass the app defines (the factory has imported every view, so every form)."""
    found, todo = [], [FlaskForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("recovery_network.") and cls.__module__ != "recovery_network.forms":
            found.append(cls)
    return found


def fields(cls) -> list[tuple[str, UnboundField]]:
    """A form class's fields, unbound."""
    return [(n, getattr(cls, n)) for n in dir(cls) if isinstance(getattr(cls, n), UnboundField)]


def test_every_form_is_a_base_form_with_the_shared_fields(app):
    """BaseForm, the windowed DateField, the bounded IntegerField with a NumberRange, no plain int coerce."""
    classes = all_forms(app)
    assert len(classes) > 20
    wrong = []
    for cls in classes:
        if not issubclass(cls, forms.BaseForm):
            wrong.append(f"{cls.__name__} is not a BaseForm")
        for name, unbound in fields(cls):
            kind, where = unbound.field_class, f"{cls.__name__}.{name}"
            if issubclass(kind, WTFormsDateField) and not issubclass(kind, forms.DateField):
                wrong.append(f"{where}: use recovery_network.forms.DateField")
            if issubclass(kind, WTFormsIntegerField):
                if not issubclass(kind, forms.IntegerField):
                    wrong.append(f"{where}: use recovery_network.forms.IntegerField")
                if not any(isinstance(v, NumberRange) for v in unbound.kwargs.get("validators", ())):
                    wrong.append(f"{where}: bound it with NumberRange and a message")
            if issubclass(kind, SelectField) and unbound.kwargs.get("coerce") is int:
                wrong.append(f"{where}: use IntSelectField (an id past the database is 'choose from the list')")
    assert wrong == []


def single_line_fields(app):
    """(form class, field name) for every one-line text field in every form."""
    return [(cls, name) for cls in all_forms(app) for name, unbound in fields(cls)
            if forms.is_single_line(unbound.field_class)]


def test_every_single_line_field_loses_line_breaks_on_the_way_in(app):
    """CR, LF and Unicode line separators become one space in every one-line field; text areas keep theirs."""
    checked = 0
    for cls, name in single_line_fields(app):
        with app.test_request_context(method="POST", data={name: "Tuesday\r\n\u2028group\r\n"}):
            form = cls()
            assert getattr(form, name).data == "Tuesday group ", f"{cls.__name__}.{name}"
            checked += 1
    assert checked > 15
    with app.test_request_context(method="POST", data={"description": "Line one\r\nLine two"}):
        from recovery_network.meetings.forms import MeetingForm

        assert MeetingForm().description.data == "Line one\r\nLine two"


def test_a_posted_title_is_stored_on_one_line(client, auth, world):  # noqa: F811 - the imported fixture
    """Through the screens: a title with CR/LF is saved as one line (it goes into calendar SUMMARY lines too)."""
    auth.login(world["boss"])
    response = client.post("/organise/new", data=meeting_form(world, title="Tuesday\r\nSMART group"))
    assert response.status_code == 302
    assert "Tuesday SMART group" in [m.title for m in client.application.extensions["sqlalchemy"]
                                     .session.scalars(select(Meeting))]


@pytest.mark.parametrize("value", ["a\x00", "\x00", "x\x00y"])
def test_nul_is_refused_in_every_field_of_every_form(app, value):
    """A NUL in any field of any form fails validation with the message beside that field."""
    for cls in all_forms(app):
        for name, _ in fields(cls):
            with app.test_request_context(method="POST", data={name: value}):
                form = cls(meta={"csrf": False})
                for field in form:
                    if isinstance(field, SelectField) and field.choices is None:
                        field.choices = []  # views fill these from the database
                assert not form.validate(), f"{cls.__name__}.{name}"
                assert getattr(form, name).errors == [forms.NUL_MESSAGE], f"{cls.__name__}.{name}"


def bound_form(app, cls, data: dict):
    """A form of this class bound to posted data, with empty choices where a view would fill them."""
    form = cls(meta={"csrf": False})
    for field in form:
        if isinstance(field, SelectField) and field.choices is None:
            field.choices = []
    return form


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "1999-12-31"])
def test_every_date_field_refuses_dates_outside_the_window(app, value):
    """Every date field of every form answers a far date with the window's message, and no data."""
    from recovery_network.inputs import date_window_message

    for cls in all_forms(app):
        for name, unbound in fields(cls):
            if issubclass(unbound.field_class, WTFormsDateField):
                with app.test_request_context(method="POST", data={name: value}):
                    form = bound_form(app, cls, {name: value})
                    form.validate()
                    field = getattr(form, name)
                    assert field.data is None and field.errors == [date_window_message()], f"{cls.__name__}.{name}"


@pytest.mark.parametrize("value", ["99999999999999999999", "-2147483648", "1" * 5000])
def test_every_number_field_refuses_numbers_past_the_database(app, value):
    """Every number or id field of every form answers a number no database integer holds with an error."""
    for cls in all_forms(app):
        for name, unbound in fields(cls):
            if issubclass(unbound.field_class, (WTFormsIntegerField, forms.IntSelectField)):
                with app.test_request_context(method="POST", data={name: value}):
                    form = bound_form(app, cls, {name: value})
                    form.validate()
                    field = getattr(form, name)
                    assert field.data is None and field.errors, f"{cls.__name__}.{name}"
