"""Migration 0011 rebuilds the audit subject tables on SQLite: a populated database keeps every row and link."""

from __future__ import annotations

from sqlalchemy import text

from recovery_network.extensions import db
from tests.test_migrations import migrated_app  # noqa: F401 - the fixture

TABLES = ("areas", "people", "meetings", "signups", "training_records", "clearances", "pathways",
          "meeting_changes", "rota_slots", "venues")


def counts() -> dict[str, int]:
    """Rows per table, including tables that refer to the rebuilt ones (a cascade would empty them)."""
    return {t: db.session.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in TABLES}


def test_upgrade_keeps_a_populated_network_and_its_links(migrated_app):  # noqa: F811
    """The demo at 0010, upgrade: same rows, no dangling foreign key, ids continue after the highest."""
    runner = migrated_app.test_cli_runner()
    # Seeded at head (today's models need today's tables), then taken down to 0010 with its rows (later
    # migrations keep them going down), so 0011 meets a populated database as an older release left it.
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert runner.invoke(args=["db", "downgrade", "0010_plan_items"]).exit_code == 0
    with migrated_app.app_context():
        before = counts()
        top = db.session.execute(text("SELECT max(id) FROM meetings")).scalar()
        db.session.remove()
    upgraded = runner.invoke(args=["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    with migrated_app.app_context():
        assert counts() == before and before["meetings"] > 0
        if db.engine.dialect.name == "sqlite":
            assert db.session.execute(text("PRAGMA foreign_key_check")).fetchall() == []
            assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
            seq = db.session.execute(text("SELECT seq FROM sqlite_sequence WHERE name = 'meetings'")).scalar()
            assert seq == top
        db.session.remove()
    down = runner.invoke(args=["db", "downgrade", "0010_plan_items"])
    assert down.exit_code == 0, down.output
    with migrated_app.app_context():
        assert counts() == before
        db.session.remove()
