"""Rota forms: which occurrence and role. The person is always the logged-in one, never a form field."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectChoice, SelectField
from wtforms.validators import DataRequired, InputRequired

ROLE_CHOICES = [SelectChoice("peer_mentor", "Peer mentor"), SelectChoice("facilitator", "Facilitator")]


class SignupForm(FlaskForm):
    """Take a place: the meeting, the occurrence's date and the role."""

    meeting_id = IntegerField(validators=[InputRequired()])
    occurrence_date = DateField(validators=[DataRequired()])
    role = SelectField(choices=ROLE_CHOICES, validators=[DataRequired()])


class AssignForm(SignupForm):
    """A co-ordinator puts someone on the rota (under the same eligibility rule)."""

    person = HiddenField(validators=[DataRequired("Choose a person.")])
