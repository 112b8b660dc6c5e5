"""Forms for the integration plan, visits, home leave, extensions, closing, and referrals; each checked beside itself."""

from __future__ import annotations

from wtforms import BooleanField, SelectChoice, SelectField, StringField, TimeField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from recovery_network.forms import BaseForm, DateField, IntSelectField
from recovery_network.pathways.forms import INITIALS_OR_NAME
from recovery_network.pathways.throughcare_models import (
    CONSENT_HOW,
    DECLINE_REASONS,
    EXTENSION_REASONS,
    PLAN_AREAS,
    PLAN_STATUSES,
    WHO,
)

CLOSE_CHOICES = {"back_in_custody": "Back in custody", "moved_away": "Moved away",
                 "withdrew_consent": "Withdrew consent", "lost_contact": "Lost contact", "ended": "Support ended"}
NO_DETAIL = "Short and practical. Never write health or offence detail here."


def _choices(codes: dict[str, str]) -> list[SelectChoice]:
    """Select choices from a code → words mapping."""
    return [SelectChoice(code, name) for code, name in codes.items()]


def _one_of(codes, message: str):
    """A validator: the value is one of the codes (a forged value gets a message, not a 500)."""
    def check(form, field) -> None:
        if field.data not in codes:
            raise ValidationError(message)
    return check


class PlanAreaForm(BaseForm):
    """One area of the community integration plan."""

    area = SelectField("Area", choices=_choices(PLAN_AREAS), validators=[_one_of(PLAN_AREAS, "Choose an area.")])
    agreed = StringField("What is agreed", description=NO_DETAIL, validators=[Optional(), Length(
        max=120, message="Keep it under 120 characters.")])
    who = SelectField("Who does it", choices=_choices(WHO), validators=[_one_of(WHO, "Choose who does it.")])
    agency = StringField("The agency, by name", description="For example: Council housing options.",
                         validators=[Optional(), Length(max=80, message="Keep it under 80 characters.")])
    due_on = DateField("By when (optional)", validators=[Optional()])
    status = SelectField("Where it stands", choices=_choices(PLAN_STATUSES),
                         validators=[_one_of(PLAN_STATUSES, "Choose where it stands.")])

    def validate(self, extra_validators=None) -> bool:
        """An agency is named when an agency does it (here, not in a field validator: Optional stops those)."""
        valid = super().validate(extra_validators)
        if self.who.data == "agency" and not (self.agency.data or "").strip() and not self.agency.errors:
            self.agency.errors = ["Name the agency that does it."]
            return False
        return valid


class VisitForm(BaseForm):
    """A meeting with the community mentor before release: an agency visit inside, or on home leave."""

    visit_kind = SelectField("Visit", choices=[SelectChoice("agency_visit", "Agency visit inside"),
                                               SelectChoice("leave_visit", "Meet on home leave")],
                             validators=[_one_of(("agency_visit", "leave_visit"), "Choose the kind of visit.")])
    on = DateField("Day", validators=[DataRequired("Give the day (day, month, year).")])
    at = TimeField("Time", validators=[DataRequired("Give the time, like 14:00.")])


class LeaveForm(BaseForm):
    """Home leave days before liberation."""

    starts_on = DateField("First day of leave", validators=[DataRequired("Give the first day (day, month, year).")])
    ends_on = DateField("Last day of leave", validators=[DataRequired("Give the last day (day, month, year).")])


class ExtendForm(BaseForm):
    """Four more weeks of support, agreed with the person."""

    extension_reason = SelectField("Why", choices=_choices(EXTENSION_REASONS),
                                   validators=[_one_of(EXTENSION_REASONS, "Choose the reason.")])


class CloseForm(BaseForm):
    """Close the pathway with how it ended; withdrawn consent then offers erasure."""

    close_reason = SelectField("What happened", choices=_choices(CLOSE_CHOICES),
                               validators=[_one_of(CLOSE_CHOICES, "Choose what happened.")])


class ReferralForm(BaseForm):
    """Refer a person, with their consent. Only what a pathway needs: no surname, number, birth date or offence."""

    first_name = StringField("First name or initials", validators=[
        DataRequired("Enter a first name or initials."), Length(max=40, message="Keep it under 40 characters."),
        INITIALS_OR_NAME])
    establishment_id = IntSelectField("Released from", validators=[DataRequired("Choose the establishment.")])
    organisation_id = IntSelectField("Refer to", description="The organisation whose co-ordinators take it on.",
                                     validators=[DataRequired("Choose the organisation to refer to.")])
    release_date = DateField("Release date", validators=[DataRequired("Give the release date (day, month, year).")])
    destination = StringField("Where they will live: town, council area or postcode district", validators=[
        DataRequired("Enter a town, council area or postcode district, e.g. Dundee, Fife or DD4."), Length(max=60)])
    referrer_org = StringField("Referring service", description="For example: HMP Perth Link Centre.",
                               validators=[DataRequired("Say which service is referring."), Length(max=80)])
    consent_taken_by = StringField("Consent taken by (first name and initial)", validators=[
        DataRequired("Say who took the person's consent."), Length(max=60)])
    consent_on = DateField("Consent given on", validators=[DataRequired("Give the date (day, month, year).")])
    consent_how = SelectField("How consent was given", choices=_choices(CONSENT_HOW),
                              validators=[_one_of(CONSENT_HOW, "Choose how consent was given.")])
    consent_given = BooleanField("The person agreed to be referred and to a mentor contacting them")

    def validate_consent_given(self, field: BooleanField) -> None:
        """Nothing is stored without consent."""
        if not field.data:
            raise ValidationError("A referral needs the person's consent. Record it, or don't refer.")


class AcceptForm(BaseForm):
    """Accept a referral: choose the mentors; the pathway opens with the referral's details."""

    mentor_id = IntSelectField("Mentor inside (cleared for the prison)", validators=[Optional()])
    backup_mentor_id = IntSelectField("Backup mentor inside (optional)", validators=[Optional()])
    community_mentor_id = IntSelectField("Community mentor (meets them at the gate and outside)",
                                         validators=[Optional()])
    consent_calendar = BooleanField("They want the plan as a calendar on their phone")
    plain_titles = BooleanField("They chose plain calendar titles")
    def validate(self, extra_validators=None) -> bool:
        """Someone must support the person."""
        valid = super().validate(extra_validators)
        if not self.mentor_id.data and not self.community_mentor_id.data and not self.community_mentor_id.errors:
            self.community_mentor_id.errors = ["Choose a mentor inside, a community mentor, or both."]
            return False
        return valid


class DeclineForm(BaseForm):
    """Decline a referral with a reason."""

    decline_reason = SelectField("Reason", choices=_choices(DECLINE_REASONS),
                                 validators=[_one_of(DECLINE_REASONS, "Choose the reason.")])
