"""Register forms: training, clearance moves, PVG. Dates are checked beside the field."""

from __future__ import annotations

from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from recovery_network.forms import BaseForm, DateField, IntegerField, IntSelectField


class TrainingForm(BaseForm):
    """A completed course (a volunteer's own submission, or a co-ordinator's record)."""

    course_id = IntSelectField("Course", validators=[DataRequired("Choose a course.")])
    completed_on = DateField("Completed on", validators=[DataRequired("Give the date you completed it (day, month, year).")])
    expires_on = DateField("Expires on (leave blank to use the course's refresh period)", validators=[Optional()])


class ClearanceRequestForm(BaseForm):
    """Start a clearance request for one establishment."""

    venue_id = IntSelectField("Establishment", validators=[DataRequired("Choose an establishment.")])


class ClearanceMoveForm(BaseForm):
    """Move a clearance to a new status, with dates when approving."""

    status = SelectField("New status", choices=[
        SelectChoice(s, s.capitalize()) for s in ("pending", "approved", "suspended", "expired", "revoked")
    ])
    valid_from = DateField("Valid from", validators=[Optional()])
    expires_on = DateField("Expires on (blank if the establishment sets no date)", validators=[Optional()])
    reference = StringField("Establishment's reference (optional)", validators=[Optional(), Length(max=40)])


class PvgForm(BaseForm):
    """PVG membership as a fact with dates; never what a disclosure said."""

    status = SelectField("PVG status", choices=[
        SelectChoice("not_required", "Not required for this role"),
        SelectChoice("applied", "Applied"),
        SelectChoice("member", "Member (confirmed)"),
        SelectChoice("lapsed", "Lapsed"),
        SelectChoice("left_regulated_role", "Left regulated role (Disclosure Scotland told)"),
    ])
    confirmed_on = DateField("Membership confirmed on", validators=[Optional()])
    renewal_due = DateField("Renewal due", validators=[Optional()])


class CourseForm(BaseForm):
    """A course in the catalogue."""

    code = StringField("Short code", validators=[DataRequired("Give a short code."), Length(max=40)])
    name = StringField("Name", validators=[DataRequired("Give the course a name."), Length(max=120)])
    refresh_months = IntegerField("Refresh every (months, optional)", validators=[Optional(), NumberRange(1, 120, "Between 1 and 120 months.")])
    qualifies_for = SelectField("Qualifies people as", choices=[
        SelectChoice("", "Nothing on the rota"), SelectChoice("peer_mentor", "Peer mentor"),
        SelectChoice("facilitator", "Facilitator"),
    ])
