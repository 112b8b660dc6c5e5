"""a handover without earlier notes closes the follow-ups read from them

Revision ID: 0037_handover_closes_follow_ups
Revises: 0036_referral_owner
Create Date: 2026-12-02 14:00:00

Issue 14 (found from outside): a pathway handed over without earlier contact notes still showed the new
owner "No response since …" from those notes. The handover now closes such follow-ups, marked "handed_over",
so the CHECK on closed_by admits that value. Downgrading marks them "ended" (the nearest older value).
"""
import sqlalchemy as sa
from alembic import op

revision = '0037_handover_closes_follow_ups'
down_revision = '0036_referral_owner'
branch_labels = None
depends_on = None

OLD = ('contact', 'back_in_custody', 'moved_away', 'withdrew_consent', 'lost_contact', 'ended')
NEW = OLD + ('handed_over',)


def closers(values) -> str:
    """The CHECK's condition for these codes."""
    return "closed_by IS NULL OR closed_by IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade():
    with op.batch_alter_table('pathway_follow_ups', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_pathway_follow_ups_closed_by'), type_='check')
        batch_op.create_check_constraint('closed_by', closers(NEW))


def downgrade():
    op.get_bind().execute(sa.text("UPDATE pathway_follow_ups SET closed_by = 'ended' WHERE closed_by = 'handed_over'"))
    with op.batch_alter_table('pathway_follow_ups', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_pathway_follow_ups_closed_by'), type_='check')
        batch_op.create_check_constraint('closed_by', closers(OLD))
