"""Account forms: each field says what is wrong beside it; none has a role or status field to tamper with."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp

from recovery_network.accounts.passwords import MAX_LENGTH, MIN_LENGTH
from recovery_network.forms import BaseForm

NAME = Regexp(r"^[^\W\d_](?:[^\W\d_]|[ '\-\u2019])*$", message="Use letters only (a space, hyphen or apostrophe is fine).")


class RegisterForm(BaseForm):
    """Volunteer registration: first name and initial only, never a surname."""

    email = EmailField("Email", validators=[DataRequired("Enter your email address."), Email("Enter a valid email address, like name@example.org."), Length(max=254)])
    first_name = StringField("First name", validators=[DataRequired("Enter your first name."), Length(max=40, message="Keep it under 40 characters."), NAME])
    last_initial = StringField("Initial of your last name (optional)", validators=[Optional(), Length(max=1, message="Just one letter."), Regexp(r"^[^\W\d_]$", message="Just one letter.")])
    role = RadioField(
        "I want to help as a",
        choices=[SelectChoice("peer_mentor", "Peer mentor"), SelectChoice("facilitator", "Facilitator")],
        default="peer_mentor",
        validators=[DataRequired("Choose how you want to help.")],
    )
    password = PasswordField("Password", validators=[DataRequired("Choose a password."), Length(max=MAX_LENGTH)])
    confirm = PasswordField("Password again", validators=[DataRequired("Type the password again."), EqualTo("password", "The two passwords don't match.")])


class LoginForm(BaseForm):
    """Log in with email and password."""

    email = EmailField("Email", validators=[DataRequired("Enter your email address."), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password."), Length(max=MAX_LENGTH)])
    remember = BooleanField("Keep me logged in on this phone (not for staff accounts)")


class ProfileForm(BaseForm):
    """What a person may change about themselves (no role, no status)."""

    first_name = StringField("First name", validators=[DataRequired("Enter your first name."), Length(max=40, message="Keep it under 40 characters."), NAME])
    last_initial = StringField("Initial of your last name (optional)", validators=[Optional(), Length(max=1, message="Just one letter."), Regexp(r"^[^\W\d_]$", message="Just one letter.")])


class ChangePasswordForm(BaseForm):
    """Change a password, proving the current one."""

    current = PasswordField("Current password", validators=[DataRequired("Enter your current password.")])
    password = PasswordField(f"New password (at least {MIN_LENGTH} characters)", validators=[DataRequired("Choose a new password."), Length(max=MAX_LENGTH)])
    confirm = PasswordField("New password again", validators=[DataRequired("Type the new password again."), EqualTo("password", "The two passwords don't match.")])


class ResetRequestForm(BaseForm):
    """Ask for a reset link."""

    email = EmailField("Email", validators=[DataRequired("Enter your email address."), Email("Enter a valid email address."), Length(max=254)])


class ResetForm(BaseForm):
    """Choose a new password from a reset link."""

    password = PasswordField(f"New password (at least {MIN_LENGTH} characters)", validators=[DataRequired("Choose a new password."), Length(max=MAX_LENGTH)])
    confirm = PasswordField("New password again", validators=[DataRequired("Type the new password again."), EqualTo("password", "The two passwords don't match.")])


class EraseForm(BaseForm):
    """Erase my account: the password proves it is me at the keyboard, not someone at a shared computer."""

    password = PasswordField("Your password", validators=[DataRequired("Enter your password to confirm."), Length(max=MAX_LENGTH)])
