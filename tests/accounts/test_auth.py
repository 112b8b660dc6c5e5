"""Accounts: register, approval, login, logout, password reset, and what an attacker tries against them."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from recovery_network.accounts.models import PENDING, Person
from recovery_network.audit.models import AuditEvent
from recovery_network.extensions import db
from tests.conftest import PASSWORD, outbox


def register(client, email="new@example.org", password="a long enough passphrase", **extra):
    """POST the registration form."""
    data = {"email": email, "first_name": "Robin", "last_initial": "w", "role": "peer_mentor",
            "password": password, "confirm": password, **extra}
    return client.post("/account/register", data=data)


def test_register_creates_a_pending_peer_mentor_with_first_name_and_initial(client, app, app_ctx):
    """A volunteer registers; nobody else sees more than 'Robin W.', and the account waits."""
    response = register(client)
    assert "Check your email" in response.get_data(as_text=True)
    person = db.session.scalar(select(Person).where(Person.email == "new@example.org"))
    assert person.status == PENDING and person.display_name == "Robin W."
    assert person.role_codes == {"peer_mentor"}
    assert person.password_hash.startswith("scrypt:")
    assert "co-ordinator will look" in outbox(app)[-1].body


def test_registering_a_taken_email_looks_identical_and_tells_the_owner(client, app, make_person):
    """Whether an address has an account (which would out someone's recovery) is never revealed."""
    make_person("peer_mentor", email="known@example.org")
    known = register(client, email="known@example.org")
    unknown = register(client, email="fresh@example.org")
    strip = lambda r: re.sub(r'name="csrf_token"[^>]*', "", r.get_data(as_text=True))  # noqa: E731
    assert known.status_code == unknown.status_code == 200
    assert strip(known) == strip(unknown)
    messages = outbox(app)
    assert any("already have an account" in m.body and m.to == "known@example.org" for m in messages)


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"password": "short", "confirm": "short"}, "Use at least 10 characters"),
        ({"password": "password123", "confirm": "password123"}, "one of the first that attackers try"),
        ({"password": "qwertyuiop", "confirm": "qwertyuiop"}, "one of the first that attackers try"),
        ({"confirm": "something else entirely"}, "The two passwords don't match."),
        ({"email": "not-an-email"}, "Enter a valid email address"),
        ({"first_name": "R2D2"}, "Use letters only"),
        ({"first_name": "x" * 41}, "Keep it under 40 characters."),
        ({"last_initial": "Smith"}, "Just one letter."),
        ({"role": "admin"}, "Not a valid choice"),
    ],
)
def test_bad_registration_input_is_explained_beside_the_field(client, app, app_ctx, fields, message):
    """Bad input gets a message next to the field, and no account is made."""
    data = {"email": "r@example.org", "first_name": "Robin", "role": "peer_mentor",
            "password": "a long enough passphrase", "confirm": "a long enough passphrase", **fields}
    response = client.post("/account/register", data=data)
    assert response.status_code == 200
    assert message in html.unescape(response.get_data(as_text=True))
    assert db.session.scalar(select(Person)) is None


def test_a_64_character_passphrase_works_exactly(client, make_person, auth):
    """Long passwords are neither refused nor truncated."""
    long_one = "correct horse battery staple and then some more words to reach 64"[:64]
    person = make_person("peer_mentor", password=long_one)
    assert auth.login(person, password=long_one[:-1]).status_code == 200  # form re-shown
    assert auth.login(person, password=long_one).status_code == 302


def test_login_failure_is_the_same_for_unknown_email_and_wrong_password(client, make_person, auth):
    """Same message, same status."""
    person = make_person("peer_mentor")
    wrong = auth.login(person, password="not the password at all")
    unknown = auth.login("nobody@example.org")
    assert wrong.status_code == unknown.status_code == 200
    assert "That email and password don't match an account." in html.unescape(wrong.get_data(as_text=True))
    assert wrong.get_data(as_text=True).replace(person.email, "EMAIL") == unknown.get_data(as_text=True).replace(
        "nobody@example.org", "EMAIL"
    )


def test_login_logout_and_audit(client, make_person, auth, app):
    """Logging in lands on the profile and is audited; logging out ends the session."""
    person = make_person("peer_mentor")
    response = auth.login(person)
    assert response.headers["Location"] == "/account"
    assert "Sam K." in client.get("/account").get_data(as_text=True)
    auth.logout()
    assert client.get("/account").status_code == 302
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == person.id)).all()
    assert "login" in actions


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/x", "/\\evil.example", "javascript:alert(1)"])
def test_next_only_redirects_within_this_site(client, make_person, auth, target):
    """An attacker's next= is ignored; a local one is honoured."""
    person = make_person("peer_mentor")
    response = client.post(f"/account/login?next={target}", data={"email": person.email, "password": PASSWORD})
    assert response.headers["Location"] == "/account"


def test_local_next_is_honoured(client, make_person):
    """Back to where they were going."""
    person = make_person("peer_mentor")
    response = client.post("/account/login?next=/my/register", data={"email": person.email, "password": PASSWORD})
    assert response.headers["Location"] == "/my/register"


def test_suspended_person_is_logged_out_on_their_next_request(client, make_person, auth, app):
    """Suspension takes effect at once, even for an open session."""
    person = make_person("peer_mentor")
    auth.login(person)
    assert client.get("/account").status_code == 200
    person.status = "suspended"
    db.session.commit()
    assert client.get("/account").status_code == 302


def test_copied_cookie_stops_working_after_logout_everywhere(client, make_person, auth, app):
    """A session cookie replayed after 'log out everywhere' is refused (session version)."""
    person = make_person("peer_mentor")
    auth.login(person)
    stolen = client.get_cookie("session").value
    client.post("/account/logout-everywhere")
    thief = app.test_client()
    thief.set_cookie("session", stolen, domain="localhost")
    assert thief.get("/account").status_code == 302


def test_absolute_session_limit(client, make_person, auth):
    """Even an active session ends twelve hours after login."""
    person = make_person("peer_mentor")
    auth.login(person)
    with client.session_transaction() as sess:
        from datetime import datetime, timezone

        sess["login_at"] = (datetime.now(timezone.utc) - timedelta(hours=13)).isoformat()
    assert client.get("/account").status_code == 302


def test_password_reset_works_once_and_says_the_same_for_unknown_emails(client, make_person, app):
    """A reset link from the email works, once; the request never reveals whether an account exists."""
    person = make_person("peer_mentor")
    known = client.post("/account/reset", data={"email": person.email}).get_data(as_text=True)
    unknown = client.post("/account/reset", data={"email": "ghost@example.org"}).get_data(as_text=True)
    strip = lambda t: re.sub(r'name="csrf_token"[^>]*', "", t)  # noqa: E731
    assert strip(known) == strip(unknown)
    [message] = [m for m in outbox(app) if m.to == person.email]
    link = re.search(r"https?://[^/\s]+(/account/reset/\S+)", message.body).group(1)
    assert client.post(link, data={"password": "a brand new passphrase", "confirm": "a brand new passphrase"}).status_code == 302
    assert client.post(link, data={"password": "another new passphrase", "confirm": "another new passphrase"}).status_code == 404
    assert client.post("/account/login", data={"email": person.email, "password": "a brand new passphrase"}).status_code == 302


def test_tampered_reset_token_is_refused(client):
    """A made-up token is a plain 404."""
    assert client.get("/account/reset/not-a-token").status_code == 404


def test_change_password_needs_the_current_one(client, make_person, auth):
    """Changing a password proves the old one, and checks the new one."""
    person = make_person("peer_mentor")
    auth.login(person)
    wrong = client.post("/account/password", data={"current": "nope", "password": "a new passphrase here", "confirm": "a new passphrase here"})
    assert "That is not your current password." in wrong.get_data(as_text=True)
    weak = client.post("/account/password", data={"current": PASSWORD, "password": "letmein", "confirm": "letmein"})
    assert "Use at least 10 characters" in weak.get_data(as_text=True)
    ok = client.post("/account/password", data={"current": PASSWORD, "password": "a new passphrase here", "confirm": "a new passphrase here"})
    assert ok.status_code == 302
    assert client.get("/account").status_code == 200  # this session carries on


def test_profile_ignores_an_injected_role_field(client, make_person, auth, app):
    """Posting role=admin to the profile changes nothing but the name."""
    person = make_person("peer_mentor")
    auth.login(person)
    client.post("/account", data={"first_name": "Robyn", "last_initial": "", "role": "admin", "status": "active"})
    db.session.refresh(person)
    assert person.first_name == "Robyn" and person.role_codes == {"peer_mentor"}


def test_staff_never_get_remember_me(client, make_person, auth):
    """A co-ordinator ticking 'keep me logged in' gets no remember cookie; a volunteer does."""
    coordinator = make_person("coordinator")
    auth.login(coordinator, remember="y")
    assert client.get_cookie("remember_token") is None
    auth.logout()
    mentor = make_person("peer_mentor")
    auth.login(mentor, remember="y")
    cookie = client.get_cookie("remember_token")
    assert cookie is not None and cookie.http_only and cookie.secure


def test_session_cookie_flags(client, make_person, auth):
    """Secure, HttpOnly, SameSite=Lax."""
    person = make_person("peer_mentor")
    response = auth.login(person)
    header = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")][0]
    assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header
