"""Organisation forms: each refusal is said beside its field."""

from __future__ import annotations

from wtforms import EmailField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from recovery_network.forms import BaseForm
from recovery_network.organisations.models import KIND_NAMES


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
