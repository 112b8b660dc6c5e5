"""Writing to the audit log; callers commit with the change they audit, so both land or neither does."""

from __future__ import annotations

from recovery_network.audit.models import AuditEvent
from recovery_network.extensions import db


def ids_never_reused(table_name: str) -> bool:
    """Whether a table's ids are never handed out twice (AUDIT_SUBJECT), so an audit row names one row for ever."""
    table = db.metadata.tables.get(table_name)
    return table is not None and bool(table.dialect_options["sqlite"]["autoincrement"])


def record(action: str, actor=None, obj=None, *, object_type: str = "", object_id: int | None = None,
           outcome: str = "ok", detail: str = "") -> AuditEvent:
    """Append one event; only ids and short codes, never names, emails, tokens or dates of release."""
    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = obj.id
    if object_id is not None and not ids_never_reused(object_type):
        # A programming error, caught by any test that records: the trail would attach to a later row.
        raise ValueError(f"audit rows name only AUDIT_SUBJECT tables; {object_type!r} may reuse ids")
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action[:48],
        object_type=object_type[:32],
        object_id=object_id,
        outcome=outcome[:16],
        detail=detail[:64],
    )
    db.session.add(event)
    return event
