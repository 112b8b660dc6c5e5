"""Who may take which role at which session, on that session's date.

Pure: no Flask, no database. Facts in, a decision with reasons out, so the same rule serves sign-up,
a co-ordinator's assignment, "sessions I can help at", and the sweep that releases lapsed people.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

ROLE_TRAINING = {"facilitator": "facilitator", "peer_mentor": "peer_mentor"}


@dataclass(frozen=True)
class TrainingFact:
    """A verified course completion: which role it qualifies for and until when."""

    qualifies_for: str | None
    status: str
    completed_on: date
    expires_on: date | None = None


@dataclass(frozen=True)
class ClearanceFact:
    """A clearance to one establishment."""

    establishment_id: int
    status: str
    valid_from: date | None
    expires_on: date | None = None


@dataclass(frozen=True)
class Decision:
    """Yes or no, with every reason for a no (so a person knows what to sort out)."""

    allowed: bool
    reasons: tuple[str, ...] = field(default_factory=tuple)

    def __bool__(self) -> bool:
        return self.allowed


def training_in_date(fact: TrainingFact, on: date) -> bool:
    """Verified, completed by the date, and not past its expiry (the expiry date is the last good day)."""
    return (
        fact.status == "verified"
        and fact.completed_on <= on
        and (fact.expires_on is None or on <= fact.expires_on)
    )


def clearance_in_date(fact: ClearanceFact, establishment_id: int, on: date) -> bool:
    """Approved for this establishment, started by the date, and not past its expiry (the last good day)."""
    return (
        fact.establishment_id == establishment_id
        and fact.status == "approved"
        and fact.valid_from is not None
        and fact.valid_from <= on
        and (fact.expires_on is None or on <= fact.expires_on)
    )


def eligible(
    role: str,
    on: date,
    *,
    establishment_id: int | None,
    trainings: list[TrainingFact],
    clearances: list[ClearanceFact],
    approved: bool = True,
) -> Decision:
    """May this person take `role` at a session on `on` (in custody when establishment_id is set)?"""
    reasons = []
    if not approved:
        reasons.append("Your account is waiting for approval.")
    needed = ROLE_TRAINING.get(role)
    if needed is None:
        reasons.append("That is not a role on the rota.")
    elif not any(t.qualifies_for == needed and training_in_date(t, on) for t in trainings):
        what = "facilitator training" if needed == "facilitator" else "peer mentor training"
        # Training that ran out says when, so nobody reads a lapsed course as "verified".
        lapsed = [t.expires_on for t in trainings if t.qualifies_for == needed and t.status == "verified"
                  and t.expires_on is not None and t.expires_on < on]
        expired = f" (it expired on {max(lapsed):%-d %B %Y})" if lapsed else ""
        reasons.append(f"You need in-date, verified {what} on {on:%-d %B %Y}{expired}.")
    if establishment_id is not None and not any(clearance_in_date(c, establishment_id, on) for c in clearances):
        reasons.append(f"You need approved clearance for this establishment on {on:%-d %B %Y}.")
    return Decision(allowed=not reasons, reasons=tuple(reasons))


def clearance_on(clearances: list[ClearanceFact], establishment_id: int, on: date,
                 soon_days: int = 28) -> tuple[str, date | None]:
    """How someone's clearance for an establishment stands on a date: "valid", "expiring" (within soon_days of it,
    with its last good day) or "none", as the gate's day sheet shows it."""
    valid = [c for c in clearances if clearance_in_date(c, establishment_id, on)]
    if not valid:
        return "none", None
    if any(c.expires_on is None for c in valid):
        return "valid", None
    last = max(c.expires_on for c in valid if c.expires_on is not None)
    return ("expiring", last) if (last - on).days <= soon_days else ("valid", last)


def training_state(status: str, expires_on: date | None, today: date) -> tuple[str, str]:
    """How a training record reads today, and its tone: a verified course past its last good day is expired, not verified."""
    if status == "verified" and expires_on is not None and expires_on < today:
        return f"Expired on {expires_on:%-d %B %Y}", "status-bad"
    if status == "verified":
        return "Verified", "status-ok"
    return status.capitalize(), "status-warn"


CLEARANCE_STAGES = {
    "requested": "Requested: a co-ordinator is applying to the establishment for you.",
    "pending": "Pending: the establishment is checking it.",
    "approved": "Approved.",
    "suspended": "Suspended: talk to your co-ordinator.",
    "expired": "Expired: ask your co-ordinator to renew it.",
    "revoked": "Revoked.",
}


def clearance_stage(status: str) -> str:
    """Where a clearance request stands, in words for the volunteer waiting on it."""
    return CLEARANCE_STAGES.get(status, status.capitalize())


def expires_within(expires_on: date | None, today: date, days: int) -> bool:
    """A credential that runs out in the next `days` days (and hasn't yet)."""
    return expires_on is not None and today <= expires_on <= date.fromordinal(today.toordinal() + days)
