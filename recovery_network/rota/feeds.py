"""Private rota calendars: a secret link per person, stored hashed, resettable, with neutral titles."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from recovery_network.accounts.models import Person
from recovery_network.extensions import db
from recovery_network.feeds import tokens
from recovery_network.feeds.models import FeedToken
from recovery_network.ical.builder import FeedEvent, FeedInfo, build_calendar, stable_uid
from recovery_network.rota.models import Signup
from recovery_network.rota.services import NotOnRota, occurrence_start

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def issue_token(person: Person) -> str:
    """Revoke any current link and issue a new one (256 random bits); returned once, never stored."""
    tokens.revoke(FeedToken.person_id, person.id)
    return tokens.issue(person_id=person.id)


def revoke_tokens(person: Person) -> None:
    """Stop every rota link of this person working."""
    tokens.revoke(FeedToken.person_id, person.id)


def has_live_token(person: Person) -> bool:
    """Whether the person has a working rota link."""
    return bool(tokens.live(FeedToken.person_id, person.id))


def person_for_token(token: str) -> Person | None:
    """The approved owner of a live rota link, else None (never a plan's link)."""
    row = tokens.find(FeedToken.person_id, token)
    person = db.session.get(Person, row.person_id) if row is not None else None
    return person if person is not None and person.is_approved else None


def neutral_title(signup: Signup) -> str:
    """'Tuesday group': nothing on a lock screen says recovery, prison or a person."""
    return f"{DAYS[signup.occurrence_date.weekday()]} group"


def rota_calendar(person: Person, signups: list[Signup]) -> bytes:
    """The person's confirmed places as one-off events; custody places carry no location."""
    events = []
    for s in signups:
        meeting = s.slot.meeting
        try:
            start = occurrence_start(meeting, s.occurrence_date)
        except NotOnRota:  # a date cancelled since sign-up simply drops out of the feed
            continue
        location = None if meeting.is_custody or meeting.venue is None else meeting.venue.street_address
        events.append(FeedEvent(
            uid=stable_uid("occurrence", f"{meeting.id}/{s.occurrence_date.isoformat()}"),
            summary=neutral_title(s), description=None, location=location, geo=None, url=None,
            start=start, end=start + timedelta(minutes=meeting.duration_minutes), rrule=None,
            exdates=(), overrides=(), sequence=meeting.sequence, created=s.created_at.replace(microsecond=0),
            last_modified=max(s.status_changed_at, meeting.updated_at).replace(microsecond=0),
        ))
    info = FeedInfo(name="My rota", description=None, uid=stable_uid("rota-feed", person.public_id), url=None)
    return build_calendar(info, events)


def feed_signups(person: Person, now: datetime) -> list[Signup]:
    """Confirmed places from 30 days ago on (a short past keeps the feed small)."""
    return list(db.session.scalars(
        select(Signup).where(Signup.person_id == person.id, Signup.status == "confirmed",
                             Signup.occurrence_date >= (now - timedelta(days=30)).date())
        .order_by(Signup.occurrence_date, Signup.id)
    ))

