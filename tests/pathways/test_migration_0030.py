"""0030 carries old contact records over: met → face to face (the gate on release day), not met → tried, no
response, cancelled → dropped; old tallies keep their counts with no establishment or area."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import Boolean, Date, DateTime, Float, Integer, inspect, text

from tests.test_migrations import migrated_app  # noqa: F401 - the fixture


def filler(column) -> object:
    """A value of the column's type for a NOT NULL column the test doesn't care about."""
    kind = column["type"]
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, DateTime):
        return datetime(2026, 1, 1, 12, 0)
    if isinstance(kind, Date):
        return date(2026, 1, 1)
    if isinstance(kind, (Integer, Float)):
        return 1
    return "x"


def insert(conn, table: str, **values) -> None:
    """Insert a row with the given values and a filler for every other required column."""
    for column in inspect(conn).get_columns(table):
        if column["name"] not in values and not column["nullable"] and column["name"] != "id":
            values[column["name"]] = filler(column)
    names = ", ".join(f'"{n}"' for n in values)
    conn.execute(text(f"INSERT INTO {table} ({names}) VALUES ({', '.join(':' + n for n in values)})"), values)


@pytest.mark.usefixtures("migrated_app")
def test_contact_outcomes_become_modes(migrated_app):  # noqa: F811
    """Each old outcome lands on the mode that says the same thing."""
    from recovery_network.extensions import db

    release = date(2026, 3, 10)
    with migrated_app.app_context():
        upgrade(revision="0012_verifier_may_be_erased")
        with db.engine.begin() as conn:
            insert(conn, "areas", id=1, slug="a", name="A")
            insert(conn, "venues", id=1, slug="v", area_id=1, setting="custody")
            insert(conn, "pathways", id=1, public_id="p1", reference="RN-AAAAAA", establishment_id=1,
                   release_date=release, status="open")
            for n, (on, outcome) in enumerate([(date(2026, 3, 1), "met"), (release, "met"),
                                               (date(2026, 3, 12), "not_met"), (date(2026, 3, 13), "cancelled")], 1):
                insert(conn, "contact_records", id=n, pathway_id=1, on=on, outcome=outcome)
            insert(conn, "pathway_tallies", month="2026-03", measure="opened", count=3)
        upgrade()
        with db.engine.connect() as conn:
            modes = conn.execute(text('SELECT "on", mode FROM contact_records ORDER BY id')).all()
            tallies = conn.execute(text("SELECT measure, establishment, area, count FROM pathway_tallies")).all()
        assert [(d if isinstance(d, date) else date.fromisoformat(d), m) for d, m in modes] == [
            (date(2026, 3, 1), "face_to_face"), (release, "gate"), (date(2026, 3, 12), "no_response")]
        assert tallies == [("opened", "", "", 3)]
        downgrade(revision="0012_verifier_may_be_erased")
        with db.engine.connect() as conn:
            back = conn.execute(text("SELECT outcome FROM contact_records ORDER BY id")).scalars().all()
            counts = conn.execute(text("SELECT month, measure, count FROM pathway_tallies")).all()
        assert back == ["met", "met", "not_met"] and counts == [("2026-03", "opened", 3)]
