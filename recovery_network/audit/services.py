"""Writing to the audit log; callers commit with the change they audit, so both land or neither does."""

from __future__ import annotations

from recovery_network.audit.models import AuditEvent
from recovery_network.extensions import db


def record(action: str, actor=None, obj=None, *, object_type: str = "", object_id: int | None = None,
           outcome: str = "ok", detail: str = "") -> AuditEvent:
    """Append one event; only ids and short codes, never names, emails, tokens or dates of release."""
    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = obj.id
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
