"""The app factory: configuration from the environment, and no start-up with a guessable secret."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from recovery_network import create_app

ROOT = Path(__file__).resolve().parent.parent


def test_testing_config(app):
    """Tests run in testing mode."""
    assert app.testing


def test_refuses_weak_secret_outside_debug(monkeypatch, tmp_path):
    """A production start with the default or a short key would let anyone forge sessions."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(RuntimeError):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})


def test_reads_database_url_and_secret_from_environment(monkeypatch, tmp_path):
    """DATABASE_URL and SECRET_KEY are the two settings a deployment sets."""
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db.example/rn")
    monkeypatch.setenv("SITE_URL", "https://meetings.example.org")
    monkeypatch.setenv("TRUSTED_HOSTS", "meetings.example.org, www.meetings.example.org")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/rn"
    assert app.config["SECRET_KEY"] == "k" * 40
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SITE_URL"] == "https://meetings.example.org"
    assert app.config["TRUSTED_HOSTS"] == ["meetings.example.org", "www.meetings.example.org"]


def test_security_headers_on_every_page(client):
    """No framing, no sniffing, no inline script, no referrer leaks."""
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_no_third_party_scripts_or_inline_script(client):
    """Every script is our own file: nothing that tells a third party someone is looking for help."""
    import re

    body = client.get("/").get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", body, re.S)
    assert scripts, "the page loads htmx and app.js"
    for attrs, inline in scripts:
        assert inline.strip() == ""
        src = re.search(r'src="([^"]+)"', attrs).group(1)
        assert src.startswith("/static/")
    head = body.split("<body", 1)[0]
    for url in re.findall(r'(?:href|src)="([^"]+)"', head):
        assert url.startswith("/") or url.startswith("http://localhost/"), url


def test_the_web_worker_loads_no_migration_machinery(tmp_path):
    """gunicorn's wsgi:app serves pages only: Alembic and the commands stay out of every worker's start-up."""
    env = {**os.environ, "SECRET_KEY": "k" * 40, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
           "SITE_URL": "https://meetings.example.org", "TRUSTED_HOSTS": "meetings.example.org"}
    env.pop("FLASK_DEBUG", None)
    probe = "import sys, wsgi; print(sorted(m for m in ('alembic', 'flask_migrate') if m in sys.modules)); " \
            "print(sorted(c for c in wsgi.app.cli.commands if c in ('db', 'seed-demo')))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "[]"]


def test_the_command_line_app_still_has_migrations_and_commands(monkeypatch, tmp_path):
    """`flask db upgrade` and the cron commands come from the same factory without serving=True."""
    app = production_app(tmp_path)
    assert {"db", "seed-demo", "send-reminders", "purge-pathways"} <= set(app.cli.commands)
    assert "migrate" in app.extensions


PRODUCTION = {"SECRET_KEY": "k" * 40, "SITE_URL": "https://meetings.example.org",
              "TRUSTED_HOSTS": ["meetings.example.org"]}


def production_app(tmp_path, **config):
    """The app as gunicorn would build it: not debug, not testing, every required setting given."""
    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db", **PRODUCTION, **config})


@pytest.mark.parametrize("missing, message", [("SITE_URL", "SITE_URL"), ("TRUSTED_HOSTS", "TRUSTED_HOSTS")])
def test_refuses_to_start_without_a_public_address_or_trusted_hosts(monkeypatch, tmp_path, missing, message):
    """Links in emails and the Host check need both; a production start without either is refused."""
    for name in ("SITE_URL", "FLASK_SITE_URL", "TRUSTED_HOSTS", "FLASK_TRUSTED_HOSTS", "FLASK_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(RuntimeError, match=message):
        production_app(tmp_path, **{missing: None})
    with pytest.raises(RuntimeError, match="not in TRUSTED_HOSTS"):
        production_app(tmp_path, SITE_URL="https://elsewhere.example.org")
    assert production_app(tmp_path).config["SITE_URL"] == "https://meetings.example.org"


def test_a_wrong_host_gets_a_plain_400_not_a_traceback(tmp_path):
    """A Host outside TRUSTED_HOSTS is refused with a short 400 (the error page used to 500 building links)."""
    app = production_app(tmp_path)
    client = app.test_client()
    for path in ("/", "/account/reset", "/meetings.json", "/api/v1/meetings"):
        response = client.get(path, headers={"Host": "evil.example"})
        assert response.status_code == 400, path
        assert response.get_data(as_text=True) == "400 Bad Request\n"
    assert client.get("/healthz", headers={"Host": "meetings.example.org"}).status_code in (200, 503)


def test_reset_and_registration_links_use_the_public_address_not_the_host_header(app, client, make_person):
    """A forged Host must not put an attacker's domain in an email's link."""
    from tests.conftest import outbox

    app.config["SITE_URL"] = "https://meetings.example.org"
    person = make_person("peer_mentor")
    client.post("/account/reset", data={"email": person.email}, headers={"Host": "evil.example"})
    client.post("/account/register", headers={"Host": "evil.example"},
                data={"email": "new@example.org", "first_name": "Robin", "role": "peer_mentor",
                      "password": "a long enough passphrase", "confirm": "a long enough passphrase"})
    bodies = [m.body for m in outbox(app)]
    assert len(bodies) == 2
    for body in bodies:
        assert "evil.example" not in body and "https://meetings.example.org/account/" in body


@pytest.mark.parametrize("how", ["serving", "gunicorn"])
def test_refuses_debug_under_a_production_server(monkeypatch, tmp_path, how):
    """Debug turns Secure cookies off: under gunicorn it is refused, not quietly applied."""
    monkeypatch.setenv("FLASK_DEBUG", "1")
    if how == "gunicorn":
        monkeypatch.setenv("SERVER_SOFTWARE", "gunicorn/27.0.1")
    with pytest.raises(RuntimeError, match="debug"):
        production_app(tmp_path) if how == "gunicorn" else create_app(
            {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db", **PRODUCTION}, serving=True)
    monkeypatch.delenv("SERVER_SOFTWARE", raising=False)
    assert create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"}).debug  # `flask run` is fine
