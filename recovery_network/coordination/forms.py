"""Co-ordinators' forms for growing the network: prisons, their staff, and areas. Errors sit beside fields."""

from __future__ import annotations

from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from recovery_network.forms import BaseForm, IntSelectField
from recovery_network.venues.models import ESTABLISHMENT_KINDS


class EstablishmentForm(BaseForm):
    """A prison: its name, its own town, its postcode district and its kind (never a street address)."""

    name = StringField("Name", validators=[DataRequired("Give the establishment's name, like HMP Perth."),
                                           Length(max=160, message="160 characters at most.")])
    town = StringField("Town", validators=[DataRequired("Give the town it is in."),
                                           Length(max=80, message="80 characters at most.")])
    district = StringField("Postcode district", validators=[DataRequired("Give its postcode district, like PH2."),
                                                            Length(max=10, message="Just the district, like PH2.")])
    kind = SelectField("Kind", choices=[SelectChoice(value, label) for value, label in ESTABLISHMENT_KINDS.items()])
    area_id = IntSelectField("Area", validate_choice=False)

    def field_for(self, error: Exception):
        """The field a refusal is about, so its words sit beside it."""
        words = str(error)
        for name, marker in (("district", "district"), ("town", "town"), ("area_id", "area"), ("kind", "Choose closed")):
            if marker in words:
                return getattr(self, name)
        return self.name


class LinkStaffForm(BaseForm):
    """Make an approved person staff of this establishment."""

    person = SelectField("Person", validate_choice=False,
                         validators=[DataRequired("Choose someone from the list.")])


class NewStaffForm(BaseForm):
    """A new staff account; they choose their own password from the emailed link."""

    email = StringField("Work email", validators=[DataRequired("Give their work email address."),
                                                  Email("That doesn't look like an email address."), Length(max=254)])
    first_name = StringField("First name", validators=[DataRequired("Give their first name."), Length(max=40)])
    last_initial = StringField("Initial of last name (optional)", validators=[
        Optional(), Length(max=1, message="Just the initial: one letter.")])


class AreaForm(BaseForm):
    """An area and what it covers."""

    name = StringField("Name", validators=[DataRequired("Give the area a name, like Fife."),
                                           Length(max=120, message="120 characters at most.")])
    coverage = TextAreaField("What it covers", validators=[
        DataRequired("Say what the area covers: council areas or postcode districts."),
        Length(max=4000, message="Too long: add the rest later.")])
