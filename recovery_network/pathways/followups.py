"""Non-response acted upon: follow-ups, escalation to the co-ordinator, and the daily overdue list. Never commits.

A welfare trigger, never a breach report (throughcare.md): the email says only that a pathway needs a look,
with a link; the name and the details stay in the app. An escalation shows on every co-ordinator's dashboard
but is emailed once, to the pathway's co-ordinator (responsible_coordinator).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from recovery_network.accounts.models import ADMIN, COORDINATOR, Person
from recovery_network.audit.services import record
from recovery_network.extensions import db
from recovery_network.organisations.access import may_act_for
from recovery_network.mail import public_url
from recovery_network.pathways import standards
from recovery_network.pathways.models import ContactRecord, Pathway
from recovery_network.pathways.tallies import cell_of, contacts_of, tally
from recovery_network.pathways.throughcare_models import FollowUp
from recovery_network.rota.reminders import queue


def open_follow_ups(pathway: Pathway) -> list[FollowUp]:
    """The pathway's follow-ups not yet closed."""
    return [f for f in pathway.follow_ups if f.closed_on is None]


def coordinators() -> list[Person]:
    """Active co-ordinators (admins hold the power too): who sees escalations on the dashboard."""
    return [p for p in db.session.scalars(select(Person).where(Person.status == "active").order_by(Person.id))
            if p.has_role(COORDINATOR)]


def responsible_coordinator(pathway: Pathway) -> Person | None:
    """The one co-ordinator an escalation is emailed to.

    A pathway records no co-ordinator of its own, so the responsible one is, in order: whoever accepted its
    referral, then whoever opened it (recorded the consent) — each only while an active co-ordinator who may
    act for the organisation that owns it now (a handover moves it); failing both (it was opened by a mentor or
    staff, or they have left), the owning organisation's longest-standing co-ordinator who is not only an
    admin, and an admin only when there is none."""
    candidates = []
    if pathway.referral is not None and pathway.referral.decided_by_id:
        candidates.append(db.session.get(Person, pathway.referral.decided_by_id))
    if pathway.consent_recorded_by_id:
        candidates.append(db.session.get(Person, pathway.consent_recorded_by_id))
    for person in candidates:
        if (person is not None and person.status == "active" and person.has_role(COORDINATOR)
                and may_act_for(person, pathway.organisation_id)):
            return person
    everyone = [p for p in coordinators() if may_act_for(p, pathway.organisation_id)]
    return next((p for p in everyone if COORDINATOR in p.role_codes), None) or next(
        (p for p in everyone if ADMIN in p.role_codes), None)


def escalate(follow_up: FollowUp, today: date) -> None:
    """Put it on every co-ordinator's dashboard and send ONE email, to the pathway's co-ordinator; the outbox's
    key names the follow-up alone, so a repeat never sends another."""
    if follow_up.escalated_on is not None:
        return
    follow_up.escalated_on = today
    pathway = follow_up.pathway
    tally("escalations", today, cell_of(pathway))
    db.session.flush()
    link = public_url("pathways.detail", public_id=pathway.public_id)
    body = ("A pathway needs a co-ordinator: contact has not been made after trying. Open it to see what has "
            f"been tried and agree the next step (a welfare check, not a report to anyone):\n\n{link}")
    recipient = responsible_coordinator(pathway)
    if recipient is not None:
        queue(f"escalation:{follow_up.id}", recipient, "A pathway needs you", body)
    record("pathway.escalate", None, pathway, detail=follow_up.reason)


def after_contact(pathway: Pathway, contact: ContactRecord, today: date) -> None:
    """A try with no response opens a follow-up due the next working day; a second in a row escalates;
    any real contact closes what is open."""
    current = open_follow_ups(pathway)
    action = standards.non_response_action(contact.mode, any(f.reason == "no_response" for f in current))
    if action == "close":
        close_all(pathway, today, "contact")
    elif action == "open":
        pathway.follow_ups.append(FollowUp(reason="no_response", opened_on=contact.on,
                                           due_on=standards.next_working_day(contact.on)))
    else:
        for follow_up in current:
            follow_up.due_on = standards.next_working_day(contact.on)
            db.session.flush()
            escalate(follow_up, today)


def close_all(pathway: Pathway, today: date, closed_by: str) -> None:
    """Close every open follow-up: the next contact, or an outcome recorded for the pathway."""
    for follow_up in open_follow_ups(pathway):
        follow_up.closed_on, follow_up.closed_by = today, closed_by


def check_silence(pathway: Pathway, today: date) -> bool:
    """Seven days after release (or the last contact) with no contact: open an escalated follow-up, once."""
    end = standards.support_end(pathway.release_date, len(pathway.extensions))
    if pathway.status != "open" or not standards.silent(pathway.release_date, today, contacts_of(pathway), end):
        return False
    if any(f.reason == "silent" or f.escalated_on for f in open_follow_ups(pathway)):
        return False  # already in front of the co-ordinator
    follow_up = FollowUp(reason="silent", opened_on=today, due_on=today)
    pathway.follow_ups.append(follow_up)
    db.session.flush()
    escalate(follow_up, today)
    return True


def flags(pathway: Pathway, today: date) -> list[str]:
    """What the follow-ups say on the pathway page and the list."""
    found = []
    for f in open_follow_ups(pathway):
        what = "No response" if f.reason == "no_response" else f"No contact for {standards.SILENT_DAYS} days"
        if f.escalated_on:
            found.append(f"{what}: escalated to the co-ordinator on {f.escalated_on:%a %-d %b}.")
        elif f.due_on < today:
            found.append(f"{what}: follow-up was due {f.due_on:%a %-d %b}.")
        else:
            found.append(f"{what}: try again by {f.due_on:%a %-d %b}.")
    return found


@dataclass(frozen=True)
class Overdue:
    """One line of the daily list: which pathway, what, since when."""

    pathway: Pathway
    what: str
    since: date


def overdue(today: date) -> list[Overdue]:
    """Open follow-ups past their due date, and escalations not yet resolved (the daily job's list)."""
    rows = db.session.scalars(select(FollowUp).join(Pathway).where(
        FollowUp.closed_on.is_(None), Pathway.status == "open").order_by(FollowUp.due_on)).all()
    found = []
    for f in rows:
        if f.escalated_on is not None:
            found.append(Overdue(f.pathway, "escalated", f.escalated_on))
        elif f.due_on < today:
            found.append(Overdue(f.pathway, "follow-up overdue", f.due_on))
    return found


def escalations() -> list[FollowUp]:
    """Open escalated follow-ups, oldest first, for the co-ordinator's dashboard."""
    return list(db.session.scalars(select(FollowUp).join(Pathway).where(
        FollowUp.closed_on.is_(None), FollowUp.escalated_on.is_not(None), Pathway.status == "open")
        .order_by(FollowUp.escalated_on)))


def daily(today: date) -> list[Overdue]:
    """The daily job: escalate silences, then list what is overdue."""
    for pathway in db.session.scalars(select(Pathway).where(Pathway.status == "open",
                                                            Pathway.release_date < today)).all():
        check_silence(pathway, today)
    return overdue(today)
