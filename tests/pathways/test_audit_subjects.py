"""Audit rows name records by id, so those ids are never reused (issue 11 item 10), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from recovery_network.audit.models import AuditEvent
from recovery_network.audit.services import ids_never_reused, record
from recovery_network.extensions import db
from recovery_network.pathways.models import Pathway
from recovery_network.venues.models import GeocodeResult
from tests.pathways.conftest import open_form


def trail(object_type: str, object_id: int) -> list[str]:
    """The actions the audit log holds for one record."""
    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_type == object_type, AuditEvent.object_id == object_id).order_by(AuditEvent.id)))


def open_one(client, setting) -> Pathway:
    """Open a pathway through the form (as whoever is logged in) and return the newest."""
    response = client.post("/pathways/new", data=open_form(setting))
    assert response.status_code == 302
    return db.session.scalars(select(Pathway).order_by(Pathway.id.desc())).first()


def test_an_erased_pathways_trail_never_attaches_to_the_next_pathway(client, auth, setting):
    """Open, view and erase the newest pathway, open another: the new one's trail is its own, not the erased one's."""
    auth.login(setting["coordinator"])
    erased = open_one(client, setting)
    erased_id = erased.id
    client.get(f"/pathways/{erased.public_id}")
    client.get(f"/pathways/{erased.public_id}")
    assert client.post(f"/pathways/{erased.public_id}/erase").status_code == 303
    db.session.expire_all()

    fresh = open_one(client, setting)
    assert fresh.id != erased_id
    assert trail("pathways", fresh.id) == ["pathway.open"]
    # The erased pathway's own rows still say what happened to "a pathway", and to no living one.
    kept = trail("pathways", erased_id)
    assert kept[0] == "pathway.open" and set(kept[1:]) == {"pathway.view"} and len(kept) >= 3


def test_a_deleted_newest_person_id_is_not_handed_to_the_next_person(app_ctx, make_person):
    """People are erasable too: the next account never takes an erased account's id (and its audit trail)."""
    first = make_person("peer_mentor")
    newest = make_person("peer_mentor")
    gone = newest.id
    record("account.approve", first, newest)
    db.session.delete(newest)
    db.session.commit()
    after = make_person("peer_mentor")
    assert after.id > gone
    assert trail("people", after.id) == []


def test_every_table_an_audit_row_can_name_never_reuses_ids(app_ctx):
    """The tables the app audits by id are all AUDIT_SUBJECTs, and the database was built that way."""
    audited = {"people", "pathways", "training_records", "clearances", "meetings", "signups", "areas"}
    assert all(ids_never_reused(name) for name in audited)
    if db.engine.dialect.name == "sqlite":
        for name in audited:
            sql = db.session.execute(text("SELECT sql FROM sqlite_master WHERE name = :n"), {"n": name}).scalar()
            assert "AUTOINCREMENT" in sql, name


def test_record_refuses_to_name_a_row_whose_id_may_be_reused(app_ctx):
    """A new audited table without AUDIT_SUBJECT fails in the first test that records it, not in production."""
    # Venues became an audit subject with issue 14 (establishments are added and audited); geocoder answers are not.
    cached = GeocodeResult(query="perth")
    db.session.add(cached)
    db.session.flush()
    with pytest.raises(ValueError, match="may reuse ids"):
        record("geocode.change", None, cached)
    record("establishment.view", None, object_type="venues")  # a type without an id names no row: fine
