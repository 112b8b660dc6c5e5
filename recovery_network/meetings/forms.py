"""Posting forms: a meeting series, one date cancelled or moved, a new community venue. Errors sit beside fields."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta

from wtforms import BooleanField, Field, SelectChoice, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from recovery_network import localzone
from recovery_network.forms import BaseForm, DateField, IntegerField, IntSelectField
from recovery_network.meetings import conference, rules
from recovery_network.meetings.kinds import kind_choices
from recovery_network.meetings.models import CLOSED, LISTINGS, OPEN
from recovery_network.meetings.recurrence import Schedule, exists_locally, last_slot
from recovery_network.meetings.services import MeetingDetails
from recovery_network.organisations.forms import owner_field
from recovery_network.venues.models import Venue

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKS = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", -1: "Last"}
FREQUENCIES = {"weekly": "Every week", "fortnightly": "Every other week", "monthly": "Once a month"}
NO_VENUE = 0
REASON_REQUIRED = "Say why in a few words: people see it on the meeting's page."
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


def choices(labels: dict) -> list[SelectChoice]:
    """Select options from a value → label mapping."""
    return [SelectChoice(value, label) for value, label in labels.items()]


def venue_label(venue: Venue) -> str:
    """How a venue reads in a select box: prisons are marked so no one picks one by accident."""
    where = f"{venue.name}, {venue.town}" if venue.town else venue.name
    return f"{where} (custody)" if venue.is_custody else where


def suffix_ids(form: BaseForm, suffix: str) -> BaseForm:
    """Give a form's controls ids unique on a page that repeats the form (one per date)."""
    for field in form:
        field.id = f"{field.id}-{suffix}"
        field.label.field_id = field.id
    return form


class VenueChoiceForm(BaseForm):
    """A form whose venue select lists only the venues this person may choose (set by the view)."""

    venue_id: SelectField

    def __init__(self, *args, venues: Iterable[Venue] = (), blank: str = "", **kwargs) -> None:
        """Fill the venue choices; `blank` names the 0 choice (no venue, or the same venue)."""
        super().__init__(*args, **kwargs)
        self.venues = {v.id: v for v in venues}
        self.venue_id.choices = [SelectChoice(NO_VENUE, blank)] + [
            SelectChoice(v.id, venue_label(v)) for v in self.venues.values()]

    @property
    def venue(self) -> Venue | None:
        """The chosen venue, or None for the blank choice."""
        return self.venues.get(self.venue_id.data or NO_VENUE)

    def validate_venue_id(self, field: Field) -> None:
        """Only listed venues; one not offered gets the same words whether it is a prison, elsewhere or nowhere."""
        if (field.data or NO_VENUE) == NO_VENUE or field.data in self.venues:
            return
        # The venue hint says prisons are for co-ordinators; this message must not tell a custody id from a made-up one.
        raise ValidationError("Choose a venue from the list.")


class MeetingForm(VenueChoiceForm):
    """A meeting series: what, where, when, and how many helpers each session needs."""

    title = StringField("Title", validators=[DataRequired("Give the meeting a title."),
                                             Length(max=120, message="Keep the title to 120 characters or fewer.")])
    kind = SelectField("Kind of meeting", choices=choices(dict(kind_choices())))
    venue_id = IntSelectField("Venue", validate_choice=False)
    online_url = StringField("Online link (optional)", validators=[Optional(), Length(max=rules.MAX_URL)])
    frequency = SelectField("How often", choices=choices(FREQUENCIES))
    weekday = IntSelectField("Day", choices=choices(dict(enumerate(DAYS))))
    week_of_month = IntSelectField("Which one in the month (monthly only)", choices=choices(WEEKS), default=1)
    start_time = TimeField("Starts at", validators=[DataRequired("Give the start time, like 18:30.")])
    duration_minutes = IntegerField("Length in minutes", default=90, validators=[
        InputRequired("Give the length in minutes."),
        NumberRange(rules.MIN_MINUTES, rules.MAX_MINUTES, f"Between {rules.MIN_MINUTES} and {rules.MAX_MINUTES} minutes.")])
    starts_on = DateField("First date", validators=[DataRequired("Give the first date (day, month, year).")])
    ends_on = DateField("Last date (optional)", validators=[Optional()])
    session_count = IntegerField("Or: a fixed course of this many sessions (optional)", validators=[
        Optional(), NumberRange(1, 520, "A course has between 1 and 520 sessions.")])
    description = TextAreaField("What to expect", validators=[
        Length(max=2000, message="Keep it under 2,000 characters.")])
    facilitators_needed = IntegerField("Facilitators each session needs", default=1, validators=[
        InputRequired("Give a number (0 if none)."), NumberRange(0, 5, "Between 0 and 5 facilitators.")])
    mentors_needed = IntegerField("Peer mentors each session needs", default=0, validators=[
        InputRequired("Give a number (0 if none)."), NumberRange(0, 20, "Between 0 and 20 peer mentors.")])
    listing = SelectField("Who can come", choices=choices(LISTINGS), default=OPEN)
    referral_contact = StringField("Referral contact (closed groups)", validators=[
        Length(max=200, message="Keep the referral contact under 200 characters.")])
    room = StringField("Room (optional)", validators=[Length(max=60, message="Keep the room under 60 characters.")])
    # Offered on posting only to someone in several organisations (organisations/forms.offer_owners).
    organisation_id = owner_field()

    def __init__(self, *args, **kwargs) -> None:
        """A meeting may have no venue at all when it is online only."""
        super().__init__(*args, blank="None: online only", **kwargs)

    def schedule(self) -> Schedule | None:
        """The rule as entered, or None while the fields it needs are missing or out of range."""
        if self.starts_on.data is None or self.start_time.data is None or self.weekday.data not in range(7):
            return None
        if self.frequency.data not in FREQUENCIES or self.week_of_month.data not in WEEKS:
            return None
        if self.ends_on.data is not None and self.session_count.data is not None:
            return None  # two kinds of end: validate_ends_on explains
        count, minutes = self.session_count.data, self.duration_minutes.data
        return Schedule(
            frequency=self.frequency.data, weekday=self.weekday.data, starts_on=self.starts_on.data,
            start_time=self.start_time.data,
            duration=timedelta(minutes=minutes if minutes is not None and
                               rules.MIN_MINUTES <= minutes <= rules.MAX_MINUTES else 90),
            week_of_month=self.week_of_month.data if self.frequency.data == "monthly" else None,
            ends_on=self.ends_on.data, count=count if count is not None and 1 <= count <= 520 else None,
        )

    def validate_venue_id(self, field: Field) -> None:
        """A listed venue, or none when there is an online link."""
        super().validate_venue_id(field)
        if (field.data or NO_VENUE) == NO_VENUE and not (self.online_url.data or "").strip():
            raise ValidationError("Choose a venue or give an online link.")

    def validate_referral_contact(self, field: Field) -> None:
        """A closed group is listed by referral, so the public needs someone to ask."""
        if self.listing.data == CLOSED and not (field.data or "").strip():
            raise ValidationError("A closed group needs a contact for referrals: a service phone number or email.")

    def validate(self, extra_validators=None) -> bool:
        """Each field's own checks, then the rules every series keeps (meetings/rules.py, as an import), beside fields."""
        valid = super().validate(extra_validators)
        url = (self.online_url.data or "").strip() or None
        for name, messages in rules.check(self.schedule(), kind=self.kind.data, online_url=url).items():
            field = self[name]
            if not field.errors:  # one message a field: its own check already said what is wrong
                field.errors = list(messages)
                valid = False
        return valid

    @staticmethod
    def online_url_hint() -> str:
        """The field's hint: what a link looks like, and the services meeting finders recognise."""
        return ("For online meetings: the whole link, starting https://. Meeting finders such as TSML UI list "
                f"an online meeting only on a service they recognise: {conference.recognised_list()}.")

    def finder_warning(self) -> str | None:
        """A saved link on a host meeting finders don't recognise still works here, but they call it inactive."""
        return conference.finder_warning((self.online_url.data or "").strip())

    def validate_ends_on(self, field: Field) -> None:
        """One kind of end, after the start, leaving at least one date."""
        if field.data is None:
            return
        if self.session_count.data:
            raise ValidationError("Give either a last date or a number of sessions, not both.")
        if self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError("The last date must be on or after the first date.")
        schedule = self.schedule()
        if schedule is not None and last_slot(schedule) is None:
            raise ValidationError(f"No {DAYS[schedule.weekday]} falls between the first and last dates.")

    def details(self) -> MeetingDetails:
        """The validated fields as the service's input (the organiser is the service's business)."""
        schedule = self.schedule()
        return MeetingDetails(
            title=self.title.data, kind=self.kind.data, weekday=schedule.weekday, start_time=schedule.start_time,
            starts_on=schedule.starts_on, duration_minutes=self.duration_minutes.data,
            frequency=schedule.frequency, week_of_month=schedule.week_of_month, ends_on=schedule.ends_on,
            session_count=schedule.count, venue=self.venue, online_url=(self.online_url.data or "").strip() or None,
            description=self.description.data or "", facilitators_needed=self.facilitators_needed.data,
            mentors_needed=self.mentors_needed.data, listing=self.listing.data,
            referral_contact=self.referral_contact.data or "", room=self.room.data or "",
            organisation_id=self.organisation_id.data or None,
        )


class RestoreForm(BaseForm):
    """One date of a series, named by the date the rule gives it."""

    date = DateField("Date", widget=HiddenInput(), validators=[DataRequired("Choose a date from the list.")])


class CancelForm(RestoreForm):
    """Cancel one date, with the reason the public sees."""

    reason = StringField("Reason (shown with the date wherever the meeting is listed)", validators=[
        DataRequired(REASON_REQUIRED), Length(max=200, message="Keep the reason under 200 characters.")])


class MoveForm(VenueChoiceForm, CancelForm):
    """Move one date to a new day, time or venue, with the reason the public sees."""

    new_date = DateField("New date", validators=[DataRequired("Give the new date (day, month, year).")])
    new_time = TimeField("New start time", validators=[DataRequired("Give the new start time, like 18:30.")])
    venue_id = IntSelectField("Venue", validate_choice=False, default=NO_VENUE)

    def __init__(self, *args, timezone: str | None = None, **kwargs) -> None:
        """The zone decides which wall-clock times exist; the blank venue keeps the series' own."""
        super().__init__(*args, blank="The usual venue", **kwargs)
        self.timezone = timezone or localzone.name()

    @property
    def new_start(self) -> datetime:
        """The new start as local wall-clock time."""
        return datetime.combine(self.new_date.data, self.new_time.data)

    def validate_venue_id(self, field: Field) -> None:
        """Only the venues offered: a date never moves between a prison and the community."""
        if (field.data or NO_VENUE) != NO_VENUE and field.data not in self.venues:
            raise ValidationError("Choose a venue from the list: a date can't move between a prison and the community.")

    def validate_new_time(self, field: Field) -> None:
        """A time the clocks skip never happens, so no one could turn up for it."""
        if self.new_date.data is None or field.data is None:
            return
        if not exists_locally(self.new_start, self.timezone):
            raise ValidationError(rules.skipped_time(self.new_start))


class VenueForm(BaseForm):
    """A community venue, placed on the map from its postcode or town."""

    name = StringField("Name of the venue", validators=[DataRequired("Give the venue's name."), Length(max=160)])
    address = StringField("Street address", validators=[DataRequired("Give the street address."), Length(max=200)])
    town = StringField("Town", validators=[DataRequired("Give the town."), Length(max=80)])
    postcode = StringField("Postcode", validators=[DataRequired("Give the postcode, like PH1 5PE."), Length(max=10)])
    area_id = IntSelectField("Area", validators=[DataRequired("Choose the area.")])
    step_free = BooleanField("Step-free access to the meeting room")
    accessibility = TextAreaField("Access details (optional)", validators=[Length(max=1000)])
    directions = TextAreaField("How to find it (optional)", validators=[Length(max=1000)])

    def validate_postcode(self, field: Field) -> None:
        """A full UK postcode, so the venue lands in the right place on the map."""
        if not POSTCODE.match(" ".join(field.data.upper().split())):
            raise ValidationError("That doesn't look like a UK postcode. Write it like PH1 5PE.")
