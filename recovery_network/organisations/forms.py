"""Organisation forms: each refusal is said beside its field."""

from __future__ import annotations

from wtforms import EmailField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from recovery_network.forms import BaseForm, IntSelectField
from recovery_network.organisations.access import home_organisation
from recovery_network.organisations.models import KIND_NAMES
from recovery_network.organisations.services import owning_choices


class OrganisationForm(BaseForm):
    """An admin adds an organisation: its name and what kind of service it is."""

    name = StringField("Name", validators=[DataRequired("Enter the organisation's name."),
                                           Length(max=120, message="Keep it under 120 characters.")])
    kind = SelectField("Kind", choices=[SelectChoice(k, v) for k, v in KIND_NAMES.items()],
                       validators=[DataRequired("Choose what kind of organisation it is.")])


class MemberForm(BaseForm):
    """Add a member by the email of their approved account."""

    email = EmailField("Email of their account", validators=[
        DataRequired("Enter the email they log in with."),
        Email("Enter a valid email address, like name@example.org."), Length(max=254)])


def owner_field() -> IntSelectField:
    """Which organisation a new series or pathway belongs to; the service checks the choice (access.may_own)."""
    return IntSelectField("Organisation", validate_choice=False, validators=[Optional()])


def offer_owners(field: IntSelectField, person) -> bool:
    """Offer the organisations this person may post or open for, their home one first chosen; whether there is a
    choice to show (a person in one organisation sees no select, and theirs is used as before)."""
    choices = [SelectChoice(o.id, o.name) for o in owning_choices(person)]
    home = home_organisation(person)
    if home is None and choices:  # an admin in no organisation: unowned, as before, unless they choose one
        choices.insert(0, SelectChoice(0, "None: only admins manage it"))  # 0: the services read it as "not chosen"
    field.choices = choices
    if not field.raw_data:
        field.data = home or 0
    return len(choices) > 1
