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
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/rn"
    assert app.config["SECRET_KEY"] == "k" * 40
    assert app.config["SESSION_COOKIE_SECURE"] is True


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
    env = {**os.environ, "SECRET_KEY": "k" * 40, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    env.pop("FLASK_DEBUG", None)
    probe = "import sys, wsgi; print(sorted(m for m in ('alembic', 'flask_migrate') if m in sys.modules)); " \
            "print(sorted(c for c in wsgi.app.cli.commands if c in ('db', 'seed-demo')))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "[]"]


def test_the_command_line_app_still_has_migrations_and_commands(monkeypatch, tmp_path):
    """`flask db upgrade` and the cron commands come from the same factory without serving=True."""
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    assert {"db", "seed-demo", "send-reminders", "purge-pathways"} <= set(app.cli.commands)
    assert "migrate" in app.extensions
