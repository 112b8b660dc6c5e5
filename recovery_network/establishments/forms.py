"""The day sheet's choice of establishment and date (a GET: it changes nothing, so it can be bookmarked)."""

from __future__ import annotations

from datetime import timedelta

from wtforms.validators import DataRequired, ValidationError

from recovery_network.forms import BaseForm, DateField, IntSelectField
from recovery_network.types import utcnow

SHEET_REACH = timedelta(days=366)  # a year either way: a sheet is for days people are planning or checking


class DaySheetForm(BaseForm):
    """Which establishment and which day."""

    class Meta:
        csrf = False  # a GET that changes nothing; a token would break a bookmarked sheet

    venue = IntSelectField("Establishment", validate_choice=False,  # another prison is a 404, not a choice
                           validators=[DataRequired("Choose the establishment.")])
    on = DateField("Date", validators=[DataRequired("Give the date (day, month, year).")])

    def validate_on(self, field: DateField) -> None:
        """Only dates within a year of today: further out nothing is planned, and further back nothing is kept."""
        if field.data is not None and abs(field.data - utcnow().date()) > SHEET_REACH:
            raise ValidationError("Choose a date within a year of today.")
