"""Rota forms: which occurrence and role. The person is always the logged-in one, never a form field."""

from __future__ import annotations

from wtforms import HiddenField, SelectChoice, SelectField
from wtforms.validators import DataRequired, InputRequired, NumberRange

from recovery_network.forms import BaseForm, DateField, IntegerField
from recovery_network.inputs import DB_INT_MAX

ROLE_CHOICES = [SelectChoice("peer_mentor", "Peer mentor"), SelectChoice("facilitator", "Facilitator")]


class SignupForm(BaseForm):
    """Take a place: the meeting, the occurrence's date and the role."""

    meeting_id = IntegerField(validators=[InputRequired(), NumberRange(1, DB_INT_MAX)])
    occurrence_date = DateField(validators=[DataRequired()])
    role = SelectField(choices=ROLE_CHOICES, validators=[DataRequired()])


class AssignForm(SignupForm):
    """A co-ordinator puts someone on the rota (under the same eligibility rule)."""

    person = HiddenField(validators=[DataRequired("Choose a person.")])
