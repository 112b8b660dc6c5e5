"""`make backup` then `make restore` into a scratch database serves the same pages, byte for byte.

On a private PostgreSQL cluster (initdb + pg_ctl), built by the migrations and seeded with the demo network;
skipped where PostgreSQL's programs are missing, unless REQUIRE_PG_FAULTS=1 (CI).
"""

from __future__ import annotations

import os
import subprocess

from sqlalchemy import create_engine, text

from recovery_network import create_app
from recovery_network.extensions import db
from tests.servers import ROOT, need, postgres_cluster

PAGES = ["/", "/meetings?near=Perth&radius=25", "/meetings/perth-smart-tuesday", "/meetings/perth-smart-tuesday.ics",
         "/api/v1/meetings?near=Dundee", "/api/meetings.json", "/feeds/meetings.ics?near=Perth"]


def app_on(url: str, tmp_path):
    """The app on one database of the cluster."""
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
                       "SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": "localhost", "RATELIMIT_ENABLED": False,
                       "MAIL_FOLDER": str(tmp_path / "outbox")})


def pages(app) -> dict[str, bytes]:
    """What the public sees on each page."""
    client = app.test_client()
    answers = {url: client.get(url) for url in PAGES}
    assert all(a.status_code == 200 for a in answers.values()), {u: a.status_code for u, a in answers.items()}
    return {url: a.get_data() for url, a in answers.items()}


def make(target: str, env: dict) -> str:
    """Run a make target as an operator would; its output."""
    need("make", "REQUIRE_PG_FAULTS")
    done = subprocess.run(["make", "--no-print-directory", target, *[f"{k}={v}" for k, v in env.items()]],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, env={**os.environ, **env})
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_a_restored_backup_serves_the_same_pages(tmp_path):
    """Dump the live database, restore it into a new one, and compare every public page."""
    need("pg_dump", "REQUIRE_PG_FAULTS")
    with postgres_cluster() as cluster:
        live = app_on(cluster.url, tmp_path)
        runner = live.test_cli_runner()
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        assert runner.invoke(args=["seed-demo"]).exit_code == 0
        before = pages(live)
        with live.app_context():
            db.engine.dispose()
        out = make("backup", {"DATABASE_URL": cluster.url, "BACKUP_DIR": str(tmp_path / "backups")})
        dump = out.strip().splitlines()[-1]
        assert dump.endswith(".dump") and os.path.getsize(dump) > 0
        admin = create_engine(cluster.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE scratch"))
        admin.dispose()
        scratch_url = cluster.url.rsplit("/", 1)[0] + "/scratch"
        make("restore", {"BACKUP": dump, "RESTORE_URL": scratch_url})
        restored = app_on(scratch_url, tmp_path)
        assert pages(restored) == before
        assert restored.test_cli_runner().invoke(args=["db", "check"]).exit_code == 0  # at head, no drift
        with restored.app_context():
            db.engine.dispose()
