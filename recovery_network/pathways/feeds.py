"""The person's own calendar of their plan: secret links (hashed, revocable, several allowed), neutral titles."""

from __future__ import annotations


from sqlalchemy import select

from recovery_network import localzone
from recovery_network.extensions import db
from recovery_network.feeds import tokens
from recovery_network.feeds.models import FeedToken
from recovery_network.ical.builder import FeedEvent, FeedInfo, build_calendar, stable_uid
from recovery_network.meetings.models import Meeting
from recovery_network.venues.models import Venue
from recovery_network.pathways import appointments
from recovery_network.pathways.models import INSIDE_KINDS, Pathway, PathwayItem

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def issue_token(pathway: Pathway) -> str:
    """A new link (256 random bits) for a phone or a printed pack; returned once and never stored."""
    if pathway.status != "open":
        raise ValueError("closed pathways have no calendar")
    return tokens.issue(pathway_id=pathway.id)


def revoke_all(pathway: Pathway) -> None:
    """Every link of this pathway stops working at once (reset, withdrawal of consent, closure)."""
    tokens.revoke(FeedToken.pathway_id, pathway.id)


def live_links(pathway: Pathway) -> int:
    """How many links are working."""
    return len(tokens.live(FeedToken.pathway_id, pathway.id))


def pathway_for_token(token: str) -> Pathway | None:
    """The open pathway a live link belongs to, else None (which the view turns into a plain 404)."""
    row = tokens.find(FeedToken.pathway_id, token)
    pathway = db.session.get(Pathway, row.pathway_id) if row is not None else None
    return pathway if pathway is not None and pathway.status == "open" else None


def title_and_place(item: PathwayItem, pathway: Pathway, meeting: Meeting | None,
                    venue: Venue | None = None) -> tuple[str, str | None]:
    """What a lock screen may show: neutral words unless the person chose plain ones; never a prison's name."""
    day = DAYS[item.starts_at.astimezone(localzone.tzinfo()).weekday()] if item.starts_at else ""
    if item.kind in ("gate_meet", "leave_visit"):
        name = pathway.gate_mentor.first_name if pathway.gate_mentor else "mentor"
        return (f"Meet {name}" if pathway.plain_titles else f"Meet {name[:1]}."), None
    if item.kind in INSIDE_KINDS:
        return ("Session" if not pathway.plain_titles else "Session inside"), None
    if item.kind == "appointment":
        title = appointments.title(item.purpose, pathway.plain_titles)
        return (title + (" (time to be confirmed)" if item.all_day else "")), item.place or None
    venue = venue or (meeting.venue if meeting is not None else None)
    if pathway.plain_titles and meeting is not None:
        return meeting.title, venue.one_line_address if venue else meeting.online_url
    return f"{day} group", venue.street_address if venue else None


def item_event(item: PathwayItem, pathway: Pathway, meeting: Meeting | None) -> FeedEvent:
    """One plan item as the person's phone shows it; a meeting's date is read from its occurrence as it now stands."""
    start, end, status, venue = item.starts_at.astimezone(localzone.tzinfo()), item.ends_at.astimezone(localzone.tzinfo()), \
        "CONFIRMED", None
    if item.meeting_id and item.occurrence_date:
        uid = stable_uid("occurrence", f"{item.meeting_id}/{item.occurrence_date.isoformat()}")
        occurrence = meeting.occurrence_on(item.occurrence_date) if meeting is not None else None
        if occurrence is None or occurrence.cancelled:
            status = "CANCELLED"  # kept, with a higher SEQUENCE, so phones strike it out rather than lose it
        else:
            start, end = occurrence.start, occurrence.end
            venue = db.session.get(Venue, occurrence.venue_id) if occurrence.venue_id else None
    else:
        uid = stable_uid("pathway-item", item.id)
    if item.all_day:
        start, end = start.date(), end.date()  # a whole day "to be confirmed", not a made-up hour
    summary, location = title_and_place(item, pathway, meeting, venue)
    return FeedEvent(
        uid=uid, summary=summary, description=None, location=location, geo=None, url=None,
        start=start, end=end, rrule=None, exdates=(), overrides=(), sequence=item.sequence, status=status,
        created=pathway.created_at.replace(microsecond=0),
        last_modified=max(item.updated_at, pathway.updated_at).replace(microsecond=0),
    )


def plan_calendar(pathway: Pathway) -> bytes:
    """The plan as one-off events in the network's local time, each following its meeting's changes."""
    meetings = {m.id: m for m in db.session.scalars(
        select(Meeting).where(Meeting.id.in_([i.meeting_id for i in pathway.items if i.meeting_id])))}
    # Nothing that happens inside goes on the phone: there is no phone inside, and a feed link (which any
    # supporter may make) must not hand a prison's session times to someone not entitled to that establishment.
    events = [item_event(item, pathway, meetings.get(item.meeting_id))
              for item in pathway.items if item.kind not in INSIDE_KINDS]
    info = FeedInfo(name="My plan", description=None, uid=stable_uid("plan-feed", pathway.public_id), url=None)
    return build_calendar(info, events)
