"""Named operations on accounts. They enforce the rules, flush, and never commit."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import cache

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from recovery_network.accounts.models import (
    PENDING,
    ROLES,
    SUSPENDED,
    LoginSession,
    Person,
    PersonRole,
)
from recovery_network.accounts.passwords import password_problem
from recovery_network.audit.services import record
from recovery_network.errors import DomainError
from recovery_network.extensions import db
from recovery_network.types import utcnow


@cache
def dummy_hash() -> str:
    """Checked against when the email is unknown, so a miss takes as long as a wrong password.

    Made on first use, not at import: scrypt needs 32 MB for a moment, which a worker shouldn't pay to start.
    """
    return generate_password_hash("not-a-real-password-just-for-timing")


class WeakPassword(DomainError):
    """The new password breaks the password rules."""


class WrongPassword(DomainError):
    """The current password given does not match."""


class NotAllowed(DomainError):
    """The change is not one this person may make."""


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def find_by_email(email: str) -> Person | None:
    """The account with this email, if any."""
    return db.session.scalar(select(Person).where(func.lower(Person.email) == normalise_email(email)))


def register_person(email: str, first_name: str, last_initial: str, password: str, role: str) -> Person | None:
    """A new pending account; None (and no change) if the email is taken, so callers can't reveal that."""
    if role not in ROLES[:2]:
        raise NotAllowed("People can only register as a peer mentor or a facilitator.")
    if problem := password_problem(password, email=email, first_name=first_name):
        raise WeakPassword(problem)
    # Hash before looking: a taken email must cost the same scrypt as a new one, or the time tells.
    password_hash = generate_password_hash(password)
    if find_by_email(email) is not None:
        return None
    person = Person(
        email=normalise_email(email),
        first_name=first_name.strip(),
        last_initial=last_initial.strip()[:1].upper(),
        password_hash=password_hash,
        status=PENDING,
    )
    person.roles.append(PersonRole(role=role))
    db.session.add(person)
    db.session.flush()
    record("account.register", person, person, detail=role)
    return person


def authenticate(email: str, password: str) -> Person | None:
    """The person if the password is right, else None; the same work is done either way."""
    person = find_by_email(email)
    if person is None:
        check_password_hash(dummy_hash(), password)
        return None
    if not check_password_hash(person.password_hash, password):
        record("login", person, person, outcome="failed")
        return None
    return person


def note_login(person: Person) -> None:
    """Record a successful login."""
    person.last_login_at = utcnow()
    record("login", person, person)


def _nonce_hash(nonce: str) -> str:
    """What the server keeps of a login's nonce."""
    return hashlib.sha256(nonce.encode()).hexdigest()


def start_session(person: Person) -> None:
    """A new login for this browser: a row on the server that its cookies name (through get_id)."""
    nonce = secrets.token_urlsafe(32)
    db.session.add(LoginSession(person_id=person.id, nonce_hash=_nonce_hash(nonce)))
    person.login_nonce = nonce


def live_session_person(public_id: str, version: str, nonce: str, max_age: timedelta) -> Person | None:
    """The person whose login this still is: the row exists, is young enough, and the version matches."""
    person = db.session.scalar(
        select(Person).join(LoginSession, LoginSession.person_id == Person.id)
        .where(Person.public_id == public_id, LoginSession.nonce_hash == _nonce_hash(nonce),
               LoginSession.created_at > utcnow() - max_age)
    )
    if person is None or person.status == SUSPENDED or str(person.session_version) != version:
        return None
    person.login_nonce = nonce
    return person


def end_session(person: Person) -> None:
    """End this one login (plain logout): its row goes, so every copy of its cookies stops working."""
    if person.login_nonce:
        db.session.execute(delete(LoginSession).where(LoginSession.person_id == person.id,
                                                      LoginSession.nonce_hash == _nonce_hash(person.login_nonce)))


def end_sessions(person: Person) -> None:
    """Invalidate every session cookie this person has, wherever it is."""
    person.session_version = (person.session_version or 1) + 1
    db.session.execute(delete(LoginSession).where(LoginSession.person_id == person.id))


def purge_old_sessions(now, max_age: timedelta) -> int:
    """Forget logins older than any cookie that could name them (nobody logs out of most of them)."""
    return db.session.execute(delete(LoginSession).where(LoginSession.created_at <= now - max_age)).rowcount


def check_current_password(person: Person, current: str) -> None:
    """Refuse a change the person at the keyboard can't prove is theirs."""
    if not check_password_hash(person.password_hash, current):
        raise WrongPassword("That is not your current password.")


def change_password(person: Person, current: str, new: str) -> None:
    """Change a password, knowing the current one; other sessions are logged out."""
    check_current_password(person, current)
    set_password(person, new)


def set_password(person: Person, new: str) -> None:
    """Store a new password hash (scrypt) after checking the rules, and end other sessions."""
    if problem := password_problem(new, email=person.email, first_name=person.first_name):
        raise WeakPassword(problem)
    person.password_hash = generate_password_hash(new)
    end_sessions(person)
    record("account.password", person, person)


def _serializer() -> URLSafeTimedSerializer:
    """Signs reset links with the app secret."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _fingerprint(person: Person) -> str:
    """Changes whenever the password does, so a reset link works once."""
    return hashlib.sha256(person.password_hash.encode()).hexdigest()[:16]


def reset_token(person: Person) -> str:
    """A signed, expiring, single-use link token for a password reset."""
    return _serializer().dumps({"p": person.public_id, "f": _fingerprint(person)})


def person_for_reset(token: str) -> Person | None:
    """The person a valid, unexpired, unused reset token belongs to."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict):
        return None
    person = db.session.scalar(select(Person).where(Person.public_id == str(data.get("p"))))
    if person is None or person.status == SUSPENDED or _fingerprint(person) != data.get("f"):
        return None
    return person
