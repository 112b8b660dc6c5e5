"""Rota reminders (48 hours ahead) and gap alerts for co-ordinators, through a de-duplicated outbox.

Meant to run from cron (`flask send-reminders`, e.g. hourly). Each message has a dedupe key, so running
twice sends nothing twice; status and times are re-checked when queuing, never trusted from earlier.
Bodies say *that* something is coming and link to the site; they carry no prison names or personal data.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from recovery_network.accounts.models import COORDINATOR, Person
from recovery_network.extensions import db
from recovery_network.mail import send_mail
from recovery_network.mentors.pipeline import CHASE_DAYS, waiting
from recovery_network.organisations.access import may_act_for_person
from recovery_network.rota.feeds import DAYS
from recovery_network.rota.models import OutboxMessage, Signup
from recovery_network.rota.queries import gaps
from recovery_network.rota.services import NotOnRota, occurrence_start
from recovery_network.types import utcnow

REMIND_AHEAD = timedelta(hours=48)


def queue(dedupe_key: str, person: Person, subject: str, body: str) -> bool:
    """Add a message unless one with the same key exists; True if it was new."""
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    result = db.session.execute(
        insert(OutboxMessage)
        .values(dedupe_key=dedupe_key, person_id=person.id, subject=subject, body=body, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboxMessage.id)  # psycopg reports no rowcount for this ORM insert; a returned id is proof
    )
    return result.first() is not None


def queue_rota_reminders(now: datetime) -> int:
    """A reminder for every confirmed place starting in the next 48 hours (once per place)."""
    count = 0
    candidates = db.session.scalars(
        select(Signup).where(Signup.status == "confirmed", Signup.occurrence_date >= now.date(),
                             Signup.occurrence_date <= (now + REMIND_AHEAD).date())
    ).all()
    for signup in candidates:
        meeting = signup.slot.meeting
        try:
            start = occurrence_start(meeting, signup.occurrence_date)
        except NotOnRota:
            continue
        if not now < start <= now + REMIND_AHEAD or not signup.person.is_approved:
            continue
        day = DAYS[start.weekday()]
        body = (f"A reminder that you're helping on {day} {start:%-d %B} at {start:%H:%M}.\n\n"
                f"Details, or to withdraw if you can't make it (so we can find cover): "
                f"{url_for('rota.index', _external=True)}")
        count += queue(f"remind48:signup:{signup.id}", signup.person, f"You're helping on {day}", body)
    return count


def queue_gap_alerts(now: datetime) -> int:
    """One alert a day to each co-ordinator when sessions in the next 14 days are short of helpers."""
    coordinators = [p for p in db.session.scalars(select(Person).where(Person.status == "active"))
                    if p.has_role(COORDINATOR)]
    count = 0
    for coordinator in coordinators:
        short = gaps(coordinator, now)
        if not short:
            continue
        custody = sum(1 for g in short if g.meeting.is_custody)
        body = (f"{len(short)} places in the next 14 days still need helpers"
                f"{f' ({custody} in custody)' if custody else ''}.\n\n{url_for('rota.gaps', _external=True)}")
        count += queue(f"gaps:{coordinator.id}:{now.date().isoformat()}", coordinator, "Rota gaps", body)
    return count


def queue_clearance_chases(now: datetime, chase_days: int | None = None) -> int:
    """Chase co-ordinators about each clearance undecided for `chase_days` days, and again each time as many pass."""
    chase_days = chase_days or current_app.config.get("CLEARANCE_CHASE_DAYS", CHASE_DAYS)
    overdue = [w for w in waiting() if w.overdue(now.date(), chase_days)]
    if not overdue:
        return 0
    coordinators = [p for p in db.session.scalars(select(Person).where(Person.status == "active"))
                    if p.has_role(COORDINATOR)]
    link = url_for("coordination.clearances", _external=True)
    count = 0
    for item in overdue:
        days = item.days(now.date())
        # The key names the period, so the same wait is chased once per `chase_days`, however often cron runs.
        period = days // chase_days
        body = (f"A clearance request has been {item.clearance.status} for {days} days. "
                f"Please chase the establishment, or update it:\n\n{link}")
        # Only the co-ordinators who act on the person (organisations/access.py): the link shows them no one else's.
        for coordinator in (c for c in coordinators if may_act_for_person(c, item.clearance.person)):
            key = f"chase:clearance:{item.clearance.id}:{item.clearance.status}:{period}:{coordinator.id}"
            count += queue(key, coordinator, "A clearance request is waiting", body)
    return count


def send_pending(limit: int = 200) -> int:
    """Send queued messages; each is marked sent in the same transaction as its delivery attempt."""
    sent = 0
    for message in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.sent_at.is_(None)).order_by(OutboxMessage.id).limit(limit)
    ):
        person = db.session.get(Person, message.person_id) if message.person_id else None
        if person is None:
            continue
        send_mail(person.email, message.subject, message.body)
        message.sent_at = utcnow()
        sent += 1
    return sent
