"""The real schema comes from migrations: `flask db upgrade` builds it and `flask db check` finds no drift."""

from __future__ import annotations


import pytest
from sqlalchemy import inspect, select, text

from recovery_network import create_app
from recovery_network.extensions import db
from tests.conftest import TEST_DATABASE_URL


@pytest.fixture
def migrated_app(tmp_path):
    """An app on an empty database with no create_all: only migrations may build the schema."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
            "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'migrated.sqlite3'}",
        }
    )
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
    yield app
    with app.app_context():
        db.engine.dispose()


def test_upgrade_then_check_is_clean(migrated_app):
    """Every model change ships its migration: after upgrade, autogenerate finds nothing to add."""
    runner = migrated_app.test_cli_runner()
    upgraded = runner.invoke(args=["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    checked = runner.invoke(args=["db", "check"])
    # `flask db check` exits non-zero when the models and the migrated schema differ.
    assert checked.exit_code == 0, checked.output
    with migrated_app.app_context():
        tables = set(inspect(db.engine).get_table_names())
    assert {"areas", "venues", "meetings", "meeting_changes", "alembic_version"} <= tables


def test_downgrade_to_base_and_up_again(migrated_app):
    """Migrations can be rolled back, so a bad deploy can be undone."""
    runner = migrated_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    down = runner.invoke(args=["db", "downgrade", "base"])
    assert down.exit_code == 0, down.output
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0


def test_seed_demo_is_idempotent_on_a_migrated_database(migrated_app):
    """seed-demo twice gives the same network, not two of everything."""
    runner = migrated_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "17 meetings added" in first.output
    second = runner.invoke(args=["seed-demo"])
    assert "0 meetings added" in second.output
    with migrated_app.app_context():
        count = db.session.execute(text("SELECT count(*) FROM meetings")).scalar()
        custody = db.session.execute(text("SELECT count(*) FROM meetings WHERE visibility = 'custody'")).scalar()
    # The 17 series, plus the session a facilitator posted at HMP Perth that waits for the staff's approval.
    assert count == 18
    assert custody == 6
    with migrated_app.app_context():
        awaiting = db.session.execute(text("SELECT count(*) FROM meetings WHERE status = 'awaiting'")).scalar()
        enrolled = db.session.execute(text("SELECT count(*) FROM enrolments")).scalar()
        closed = db.session.execute(text("SELECT count(*) FROM meetings WHERE listing = 'closed'")).scalar()
    assert (awaiting, enrolled, closed) == (1, 3, 1)


def test_custody_slugs_already_stored_are_made_unguessable(migrated_app):
    """0008 gives custody sessions seeded before it (slugs like 'hmp-perth-smart') random endings; public ones keep theirs."""
    runner = migrated_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with migrated_app.app_context():
        # Put the demo back as an older release stored it: custody slugs named after their titles.
        db.session.execute(text("UPDATE meetings SET slug = 'hmp-perth-smart' WHERE title = 'HMP Perth SMART group'"))
        db.session.commit()
        before = dict(db.session.execute(text("SELECT id, slug FROM meetings WHERE visibility = 'public'")).all())
        db.session.remove()
    # Back to before 0008 (its downgrade keeps slugs as they are), then up through it on the populated database.
    assert runner.invoke(args=["db", "downgrade", "0007_near_search_index"]).exit_code == 0
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with migrated_app.app_context():
        custody = db.session.execute(text("SELECT slug FROM meetings WHERE visibility = 'custody'")).scalars().all()
        after = dict(db.session.execute(text("SELECT id, slug FROM meetings WHERE visibility = 'public'")).all())
    assert "hmp-perth-smart" not in custody and any(s.startswith("hmp-perth-smart-") for s in custody)
    assert all(len(s.rsplit("-", 1)[1]) == 10 for s in custody)
    assert after == before


def test_every_migration_goes_down_and_up_on_a_populated_database(migrated_app):
    """From head to base, each migration is undone and redone with the demo network in the tables, keeping it."""
    from pathlib import Path

    from alembic.script import ScriptDirectory

    runner = migrated_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    steps = len(list(ScriptDirectory(str(Path(__file__).resolve().parent.parent / "migrations")).walk_revisions()))
    assert steps >= 9

    def meetings() -> int | None:
        """Meetings stored, while the table exists."""
        with migrated_app.app_context():
            if not inspect(db.engine).has_table("meetings"):
                return None
            count = db.session.execute(text("SELECT count(*) FROM meetings")).scalar()
            db.session.remove()
            return count

    for step in range(steps):
        for direction in (("downgrade", "-1"), ("upgrade", "+1"), ("downgrade", "-1")):
            result = runner.invoke(args=["db", direction[0], "--", direction[1]])
            assert result.exit_code == 0, f"step {step} {direction}: {result.output}"
        assert meetings() in (18, None), f"step {step} lost meetings"  # the demo's 17 and one awaiting approval
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert runner.invoke(args=["db", "check"]).exit_code == 0


def test_private_links_handed_out_keep_working_across_0032(migrated_app):
    """0032 moves rota and plan links into one table and back: the same URLs open the same calendars."""
    from recovery_network.accounts.models import Person
    from recovery_network.pathways import feeds as plan_feeds
    from recovery_network.pathways.models import Pathway
    from recovery_network.rota import feeds as rota_feeds

    runner = migrated_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with migrated_app.app_context():
        person = db.session.scalars(select(Person).where(Person.status == "active").order_by(Person.id)).first()
        pathway = db.session.scalars(select(Pathway).where(Pathway.status == "open").order_by(Pathway.id)).first()
        person_id, pathway_id = person.id, pathway.id
        old_link = rota_feeds.issue_token(person)  # revoked by the next: it must stay dead
        rota_link, plan_link = rota_feeds.issue_token(person), plan_feeds.issue_token(pathway)
        db.session.commit()
        db.session.remove()
    for target in ("0032_one_feed_token", "-1"):
        result = runner.invoke(args=["db", "downgrade", "--", target])
        assert result.exit_code == 0, result.output
    with migrated_app.app_context():
        rota_rows = db.session.execute(text(
            "SELECT person_id, revoked_at IS NULL FROM rota_feed_tokens ORDER BY id")).all()
        plan_rows = db.session.execute(text("SELECT pathway_id FROM pathway_feed_tokens")).all()
        db.session.remove()
    assert [tuple(row) for row in rota_rows][-2:] == [(person_id, False), (person_id, True)]
    assert (pathway_id,) in [tuple(row) for row in plan_rows]
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with migrated_app.app_context():
        assert rota_feeds.person_for_token(rota_link).id == person_id
        assert plan_feeds.pathway_for_token(plan_link).id == pathway_id
        assert rota_feeds.person_for_token(plan_link) is None and plan_feeds.pathway_for_token(rota_link) is None
        assert rota_feeds.person_for_token(old_link) is None
        db.session.remove()
    client = migrated_app.test_client()
    assert client.get(f"/rota/feed/{rota_link}.ics").status_code == 200
    assert client.get(f"/pathways/feed/{plan_link}.ics").status_code == 200
