"""An import killed mid-way (SIGKILL while it writes) leaves nothing behind; running it again imports everything.

The command runs as an operator would run it, in its own process against the test's database file (or
PostgreSQL), and is killed once it holds a write transaction: SQLite's rollback journal exists, or PostgreSQL
shows its backend with a transaction id.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import create_engine, func, select, text

from recovery_network.extensions import db
from recovery_network.feeds.cache import current_version
from recovery_network.meetings.models import Meeting
from recovery_network.venues.models import Area, Venue
from tests.servers import ROOT

ROWS = 6000


def feed(tmp_path) -> str:
    """A feed big enough that writing it takes a moment."""
    records = [{"name": f"Meeting {n}", "slug": f"m{n}", "day": n % 7, "time": "18:30", "types": ["SMART"],
                "location": f"Hall {n % 900}", "city": ("Perth", "Dundee", "Forfar", "Arbroath")[n % 4]}
               for n in range(ROWS)]
    path = tmp_path / "big.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    return str(path)


def start_import(url: str, path: str) -> subprocess.Popen:
    """`flask import-meetings` in its own process, configured as in production."""
    env = {**os.environ, "DATABASE_URL": url, "FLASK_APP": "recovery_network", "SECRET_KEY": "k" * 48,
           "SITE_URL": "http://127.0.0.1", "TRUSTED_HOSTS": "127.0.0.1"}
    env.pop("FLASK_DEBUG", None)
    return subprocess.Popen([sys.executable, "-m", "flask", "import-meetings", path, "--area", "fife",
                             "--area-name", "Fife"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)


def writing(url: str, probe) -> bool:
    """Whether the import holds an open write transaction right now."""
    if url.startswith("sqlite"):
        return os.path.exists(url.removeprefix("sqlite:///") + "-journal")
    with probe.connect() as conn:
        return bool(conn.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL")).scalar())


@pytest.mark.slow
def test_a_killed_import_leaves_nothing_and_a_rerun_imports_all(app, app_ctx, tmp_path):
    """Killed while writing: no meeting, venue or area, and the content version untouched; then a full run."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    version = current_version()[0]
    db.session.remove()
    path = feed(tmp_path)
    probe = None if url.startswith("sqlite") else create_engine(url)
    process = start_import(url, path)
    deadline = time.monotonic() + 120
    try:
        while not writing(url, probe):
            if process.poll() is not None:
                pytest.fail(f"the import ended before it could be killed; raise ROWS: {process.stdout.read()!r}")
            assert time.monotonic() < deadline, "the import never started writing"
            time.sleep(0.002)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        if probe is not None:
            probe.dispose()
    assert process.returncode == -signal.SIGKILL
    time.sleep(0.2)  # PostgreSQL notices the closed connection and rolls its transaction back
    db.session.remove()
    for model in (Meeting, Venue, Area):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0, model.__name__
    assert current_version()[0] == version
    db.session.remove()
    again = start_import(url, path)
    out = again.communicate(timeout=300)[0].decode()
    assert again.returncode == 0, out
    assert f"{ROWS} created" in out
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == ROWS
