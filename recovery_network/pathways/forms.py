"""Pathway forms: only the fields the job needs, each checked beside itself."""

from __future__ import annotations

from wtforms import BooleanField, SelectChoice, SelectField, StringField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from recovery_network.forms import BaseForm, DateField, IntegerField, IntSelectField
from recovery_network.inputs import DB_INT_MAX
from recovery_network.names import NameRefused, first_name_only
from recovery_network.organisations.forms import owner_field
from recovery_network.pathways.appointments import KINDS
from recovery_network.pathways.planning import Appointment

CONTACT_MODE_NAMES = {
    "face_to_face": "Face to face", "phone": "Phone", "video": "Video call", "gate": "At the gate",
    "agency_visit": "Agency visit with the person", "no_response": "Tried, no response",
}



def INITIALS_OR_NAME(form, field) -> None:  # noqa: N802 - used like the wtforms validators beside it
    """A pathway person's name is a first name (one initial at most) or initials: names.first_name_only."""
    if field.data:
        try:
            field.data = first_name_only(field.data)
        except NameRefused as refused:
            raise ValidationError(str(refused)) from None


class MentorsForm(BaseForm):
    """Name the pathway's mentors again (someone leaves, or a handover brings the new organisation's own)."""

    mentor_id = IntSelectField("Mentor inside (cleared for the prison)", validators=[Optional()])
    backup_mentor_id = IntSelectField("Backup mentor inside (optional)", validators=[Optional()])
    community_mentor_id = IntSelectField("Community mentor (meets them at the gate and outside)",
                                         validators=[Optional()])


class PathwayForm(BaseForm):
    """Open a pathway. No surname, prison number, date of birth, offence or health detail: there is nowhere to put them."""

    first_name = StringField("First name or initials", validators=[DataRequired("Enter a first name or initials."), Length(max=40, message="Keep it under 40 characters."), INITIALS_OR_NAME])
    establishment_id = IntSelectField("Released from", validators=[DataRequired("Choose the establishment.")])
    release_date = DateField("Release date", validators=[DataRequired("Give the release date (day, month, year).")])
    # Offered only to someone in several organisations (organisations/forms.offer_owners).
    organisation_id = owner_field()
    destination = StringField("Where they will live: town, council area or postcode district", validators=[DataRequired("Enter a town, council area or postcode district, e.g. Dundee, Fife or DD4."), Length(max=60)])
    mentor_id = IntSelectField("Mentor inside (cleared for the prison)", validators=[Optional()])
    backup_mentor_id = IntSelectField("Backup mentor inside (optional)", validators=[Optional()])
    community_mentor_id = IntSelectField("Community mentor (meets them at the gate and outside)",
                                         validators=[Optional()])
    consent_plan = BooleanField("They agreed to a plan and to their mentor keeping in touch")
    consent_calendar = BooleanField("They want the plan as a calendar on their phone")
    plain_titles = BooleanField("They chose plain calendar titles (e.g. 'SMART Recovery') instead of neutral ones")

    def validate_consent_plan(self, field: BooleanField) -> None:
        """Nothing is stored without consent."""
        if not field.data:
            raise ValidationError("A pathway needs the person's consent. Record it, or don't open one.")

    def validate(self, extra_validators=None) -> bool:
        """Someone must support the person: a mentor inside, a community mentor, or both."""
        valid = super().validate(extra_validators)
        if not self.mentor_id.data and not self.community_mentor_id.data and not self.community_mentor_id.errors:
            self.community_mentor_id.errors = [*self.community_mentor_id.errors,
                                               "Choose a mentor inside, a community mentor, or both."]
            return False
        return valid


class ItemForm(BaseForm):
    """Add an occurrence of a meeting to the plan."""

    meeting_id = IntegerField(validators=[InputRequired(), NumberRange(1, DB_INT_MAX)])
    occurrence_date = DateField(validators=[DataRequired()])


class CourseForm(BaseForm):
    """Enrol the person on a closed course, chosen from the ones listed."""

    meeting_id = IntegerField("Course", validators=[InputRequired(), NumberRange(1, DB_INT_MAX)])


class ReleaseDateForm(BaseForm):
    """A new release date (early release or postponement)."""

    release_date = DateField("New release date", validators=[DataRequired("Give the new date (day, month, year).")])


class ContactForm(BaseForm):
    """Record a contact: when, and how it happened (or that a try had no response). No notes."""

    on = DateField("Date", validators=[DataRequired("Give the date of the contact.")])
    mode = SelectField("How", choices=[SelectChoice(code, name) for code, name in CONTACT_MODE_NAMES.items()])

    def validate_mode(self, field: SelectField) -> None:
        """Only the modes the standards know."""
        if field.data not in CONTACT_MODE_NAMES:
            raise ValidationError("Choose how the contact happened.")


class AppointmentForm(BaseForm):
    """An appointment in the first weeks: what for, with whom, where and when. Never health or offence detail."""

    kind = SelectField("What it's for", choices=[SelectChoice(code, name) for code, name in KINDS.items()])
    agency = StringField("With (agency or service, optional)", validators=[Optional(), Length(
        max=80, message="Keep it under 80 characters.")], description="For example: Council housing options.")
    place = StringField("Where (optional)", validators=[Optional(), Length(max=120, message="Keep it under 120 characters.")],
                        description="The address or building. Don't write health or offence details here.")
    on = DateField("Day", validators=[DataRequired("Give the day (day, month, year).")])
    at = TimeField("Time (leave empty until it's known)", validators=[Optional()])
    minutes = IntegerField("How long (minutes)", default=60, validators=[
        Optional(), NumberRange(5, 480, message="Between 5 minutes and 8 hours.")])

    def validate_kind(self, field: SelectField) -> None:
        """Only the kinds the plan knows."""
        if field.data not in KINDS:
            raise ValidationError("Choose what the appointment is for.")

    def details(self):
        """The form as the planning service's Appointment."""
        return Appointment(kind=self.kind.data, on=self.on.data, at=self.at.data, minutes=self.minutes.data or 60,
                           agency=self.agency.data or "", place=self.place.data or "")
