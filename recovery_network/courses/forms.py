"""The course register's form: a first name or initials (the rule itself is courses/rules.course_name)."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import DataRequired, Length

from recovery_network.forms import BaseForm


class EnrolForm(BaseForm):
    """Enrol someone by first name or initials."""

    name = StringField("First name or initials", validators=[
        DataRequired("Give a first name or initials."),
        Length(max=20, message="Use a first name or initials only (20 characters at most).")])
