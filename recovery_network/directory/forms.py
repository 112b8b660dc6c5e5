"""The public search form: a plain GET form, so it works without JavaScript and can be bookmarked."""

from __future__ import annotations

from wtforms import SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from recovery_network.forms import BaseForm, IntegerField
from recovery_network.meetings.kinds import kind_choices

DAY_CHOICES = [
    ("mon", "Monday"), ("tue", "Tuesday"), ("wed", "Wednesday"), ("thu", "Thursday"),
    ("fri", "Friday"), ("sat", "Saturday"), ("sun", "Sunday"),
]
DAY_NUMBERS = {code: n for n, (code, _) in enumerate(DAY_CHOICES)}


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes sharing one name, e.g. day=tue&day=thu."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SearchForm(BaseForm):
    """Find a meeting: near a place, within a radius, on some days, at a time of day, of a kind."""

    class Meta:
        csrf = False  # a GET search changes nothing; a token would break bookmarks and feeds

    near = StringField(
        "Town, postcode district or place",
        validators=[Optional(), Length(max=100, message="Keep it under 100 characters.")],
    )
    radius = IntegerField(
        "Within (miles)",
        default=10,
        validators=[Optional(), NumberRange(1, 100, message="Choose a distance from 1 to 100 miles.")],
    )
    day = MultiCheckboxField("Day", choices=options(DAY_CHOICES), validate_choice=False)
    time = SelectField(
        "Time of day",
        choices=options([("", "Any time"), ("morning", "Morning"), ("afternoon", "Afternoon"), ("evening", "Evening")]),
        validate_choice=False,
    )
    type = SelectField("Kind of meeting", choices=options([("", "Any kind"), *kind_choices()]), validate_choice=False)
    mode = SelectField(
        "In person or online",
        choices=options([("", "Either"), ("in_person", "In person"), ("online", "Online")]),
        validate_choice=False,
    )
    page = IntegerField("Page", default=1, validators=[
        Optional(), NumberRange(1, 1000, message="Page numbers run from 1 to 1000.")])

    def validate_day(self, field: MultiCheckboxField) -> None:
        """Days are three-letter codes (a blank one chooses nothing); anything else is a message, not an error page."""
        unknown = [d for d in field.data or [] if d and d not in DAY_NUMBERS]
        field.data = [d for d in field.data or [] if d in DAY_NUMBERS]
        if unknown:
            raise ValidationError("Choose days from the list.")

    def validate_time(self, field: SelectField) -> None:
        """Only the three times of day are known."""
        _check_choice(field, "Choose a time of day from the list.")

    def validate_type(self, field: SelectField) -> None:
        """Only known kinds of meeting, by their one code.

        No synonyms ("course" for programme): one code a kind keeps one URL, one feed subscription and one
        API enum per search, and the message beside the select says what to choose instead.
        """
        _check_choice(field, "Choose a kind of meeting from the list.")

    def validate_mode(self, field: SelectField) -> None:
        """In person or online only."""
        _check_choice(field, "Choose in person or online.")


def _check_choice(field: SelectField, message: str) -> None:
    """Say so beside the field, and show the select at 'any' (the search itself is not run with it)."""
    if field.data and field.data not in {choice.value for choice in field.choices}:
        field.data = ""
        raise ValidationError(message)
