"""The append-only audit log: who did what to which record, in ids and codes, never personal values."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, ForeignKey, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from recovery_network.extensions import db
from recovery_network.types import UTCDateTime, utcnow

# Table options for every table an audit row names by id. SQLite without AUTOINCREMENT hands a deleted
# row's id to the next row (max(id) + 1), so an erased pathway's trail would describe the next pathway;
# with it, ids are never reused. PostgreSQL's sequences never reuse ids anyway. audit.services.record
# refuses to name a row of any other table.
AUDIT_SUBJECT = {"sqlite_autoincrement": True}


class AuditEvent(db.Model):
    """One security-relevant event: a login, a role change, an approval, a clearance move, a restricted view."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # SET NULL keeps the trail when a person is erased; the row never held their name anyway.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(48))
    object_type: Mapped[str] = mapped_column(String(32), default="")
    object_id: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16), default="ok")
    detail: Mapped[str] = mapped_column(String(64), default="")


# The database itself refuses to change or delete audit rows (SQLite and PostgreSQL triggers).
# Erasure sets actor_id to NULL through the foreign key, so that one update is allowed.
APPEND_ONLY_SQLITE = [
    "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
    "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
    "WHEN NOT (NEW.actor_id IS NULL AND OLD.actor_id IS NOT NULL AND NEW.id = OLD.id AND NEW.action = OLD.action "
    "AND NEW.object_type = OLD.object_type AND NEW.at = OLD.at AND NEW.detail = OLD.detail AND NEW.outcome = OLD.outcome "
    "AND NEW.object_id IS OLD.object_id) "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
]
APPEND_ONLY_POSTGRES = [
    """CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL AND OLD.actor_id IS NOT NULL
     AND (NEW.id, NEW.at, NEW.action, NEW.object_type, NEW.outcome, NEW.detail)
         = (OLD.id, OLD.at, OLD.action, OLD.object_type, OLD.outcome, OLD.detail)
     AND NEW.object_id IS NOT DISTINCT FROM OLD.object_id THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only';
END;
$$ LANGUAGE plpgsql""",
    "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
]

for statement in APPEND_ONLY_SQLITE:
    event.listen(AuditEvent.__table__, "after_create", DDL(statement).execute_if(dialect="sqlite"))
for statement in APPEND_ONLY_POSTGRES:
    event.listen(AuditEvent.__table__, "after_create", DDL(statement).execute_if(dialect="postgresql"))
