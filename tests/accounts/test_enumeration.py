"""Whether an email has an account is never told, by the answer or by the work done (and so the time taken)."""

from __future__ import annotations

import pytest
from werkzeug import security

from recovery_network.accounts import services
from tests.conftest import outbox


@pytest.fixture
def hashes(monkeypatch):
    """Count the expensive password hashes a request does (the real scrypt still runs)."""
    calls = []

    def counting(password, *args, **kwargs):
        calls.append(password)
        return security.generate_password_hash(password, *args, **kwargs)

    monkeypatch.setattr(services, "generate_password_hash", counting)
    return calls


def test_registering_a_known_and_an_unknown_email_hashes_the_password_alike(client, make_person, hashes):
    """A taken email used to skip the scrypt hash, answering in 7 ms instead of 120 ms."""
    make_person("peer_mentor", email="known@example.org")
    data = {"first_name": "Robin", "role": "peer_mentor", "password": "a long enough passphrase",
            "confirm": "a long enough passphrase"}
    client.post("/account/register", data={**data, "email": "known@example.org"})
    known = len(hashes)
    client.post("/account/register", data={**data, "email": "fresh@example.org"})
    assert known == len(hashes) - known == 1


@pytest.mark.parametrize("status", ["active", "suspended"])
def test_a_reset_for_a_known_and_an_unknown_email_sends_one_email_each(client, app, make_person, status):
    """Sending mail is the slow part of a reset: both answers do it once, so neither is quicker."""
    person = make_person("peer_mentor", email="known@example.org", status=status)
    client.post("/account/reset", data={"email": person.email})
    client.post("/account/reset", data={"email": "ghost@example.org"})
    assert sorted(m.to for m in outbox(app)) == ["ghost@example.org", "known@example.org"]
    ghost = [m for m in outbox(app) if m.to == "ghost@example.org"][0]
    assert "/account/reset/" not in ghost.body and "no account" in ghost.body
