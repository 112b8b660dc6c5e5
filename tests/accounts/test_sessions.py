"""Logging out ends the session: the browser's cookies, and every copy of them on the server's side."""

from __future__ import annotations

from tests.conftest import PASSWORD


def test_logout_deletes_the_remember_cookie_and_the_next_request_is_anonymous(client, make_person, auth):
    """The shared café computer: 'keep me logged in', then log out; nobody is logged in afterwards."""
    person = make_person("peer_mentor")
    auth.login(person, remember="y")
    assert client.get_cookie("remember_token") is not None
    response = auth.logout()
    deleted = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token=")]
    assert deleted and ("Max-Age=0" in deleted[0] or "1970" in deleted[0]), response.headers
    assert client.get_cookie("remember_token") is None
    assert client.get("/account").status_code == 302


def test_a_session_cookie_copied_before_logout_stops_working(client, make_person, auth, app):
    """Plain logout ends the session on the server too, not just in this browser."""
    person = make_person("peer_mentor")
    auth.login(person)
    stolen = client.get_cookie("session").value
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("session", stolen, domain="localhost")
    assert thief.get("/account").status_code == 302


def test_a_remember_cookie_copied_before_logout_stops_working(client, make_person, auth, app):
    """The remember cookie names the same server-side session, so logging out ends it as well."""
    person = make_person("peer_mentor")
    auth.login(person, remember="y")
    stolen = client.get_cookie("remember_token").value
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("remember_token", stolen, domain="localhost")
    assert thief.get("/account").status_code == 302


def test_logging_out_ends_only_this_browser(client, make_person, auth, app):
    """A plain logout on the café computer leaves the person's phone logged in."""
    person = make_person("peer_mentor")
    phone = app.test_client()
    phone.post("/account/login", data={"email": person.email, "password": PASSWORD})
    auth.login(person)
    auth.logout()
    assert phone.get("/account").status_code == 200


def test_logout_everywhere_deletes_the_remember_cookie_too(client, make_person, auth):
    """Logging out everywhere from a remembered browser leaves that browser logged out as well."""
    person = make_person("peer_mentor")
    auth.login(person, remember="y")
    client.post("/account/logout-everywhere")
    assert client.get_cookie("remember_token") is None
    assert client.get("/account").status_code == 302


def test_changing_password_keeps_this_session_and_ends_the_others(client, make_person, auth, app):
    """The browser that changed the password carries on; a copy made before does not."""
    person = make_person("peer_mentor")
    auth.login(person)
    other = app.test_client()
    other.post("/account/login", data={"email": person.email, "password": PASSWORD})
    new = "a new passphrase here"
    assert client.post("/account/password", data={"current": PASSWORD, "password": new, "confirm": new}).status_code == 302
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302
