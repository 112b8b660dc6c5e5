"""The person's consent to share their pathway with, or hand it to, another organisation: one row per consent.

What is shared is fixed: the minimal fields and the plan always, earlier contact notes only if ticked. A row
stays after it is withdrawn (withdrawn_at), so the history of who could see the plan is kept; erasing the
pathway deletes every row with it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recovery_network.audit.models import AUDIT_SUBJECT
from recovery_network.extensions import db
from recovery_network.organisations.models import Organisation
from recovery_network.types import UTCDateTime

SHARE = "share"
HANDOVER = "handover"


class PathwayShare(db.Model):
    """A consent to share (the receiving organisation reads) or hand over (it owns the pathway from now on)."""

    __tablename__ = "pathway_shares"
    __table_args__ = (
        CheckConstraint(f"kind IN ('{SHARE}', '{HANDOVER}')", name="kind"),
        # Only a handover leaves something behind for the organisation it came from.
        CheckConstraint(f"kind = '{HANDOVER}' OR NOT from_keeps_read", name="keeps_read_on_handover"),
        CheckConstraint("organisation_id <> from_organisation_id", name="another_organisation"),
        AUDIT_SUBJECT,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_id: Mapped[int] = mapped_column(ForeignKey("pathways.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    # Who receives it, and who owned the pathway when consent was given.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    from_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    include_contacts: Mapped[bool] = mapped_column(default=False)
    # A handover: the organisation it came from keeps reading the plan only if the person agreed to that.
    from_keeps_read: Mapped[bool] = mapped_column(default=False)
    consent_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id])
    from_organisation: Mapped[Organisation | None] = relationship(foreign_keys=[from_organisation_id])

    @property
    def live(self) -> bool:
        """Still in force: not withdrawn."""
        return self.withdrawn_at is None
