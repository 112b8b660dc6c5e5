"""plan items follow their occurrences; appointments get real times; holiday dates can be confirmed

Revision ID: 0010_plan_items
Revises: 0009_login_sessions
Create Date: 2026-12-02 02:30:00

Pathway items gain: agency and place (appointments), all_day (a date without a time yet), chosen
(picked by hand, kept when the plan is re-based), told_sequence (the change the mentor has passed on),
and the status 'review' (a chosen date a new release date left outside the window). Meeting changes
gain the kind 'confirmed' (a public-holiday date the facilitator says is on).
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010_plan_items'
down_revision = '0009_login_sessions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pathway_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agency', sa.String(length=80), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('place', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('all_day', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('chosen', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('told_sequence', sa.Integer(), nullable=False, server_default='0'))
        batch_op.drop_constraint(op.f('ck_pathway_items_status'), type_='check')
        batch_op.create_check_constraint(
            'status', "status IN ('planned', 'done', 'missed', 'cancelled', 'review')")
    with op.batch_alter_table('meeting_changes', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_meeting_changes_kind'), type_='check')
        batch_op.drop_constraint(op.f('ck_meeting_changes_moved_has_time'), type_='check')
        batch_op.create_check_constraint('kind', "kind IN ('cancelled', 'moved', 'confirmed')")
        batch_op.create_check_constraint('moved_has_time', "kind <> 'moved' OR new_start IS NOT NULL")


def downgrade():
    op.execute("DELETE FROM meeting_changes WHERE kind = 'confirmed'")
    op.execute("UPDATE pathway_items SET status = 'planned' WHERE status = 'review'")
    with op.batch_alter_table('meeting_changes', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_meeting_changes_kind'), type_='check')
        batch_op.drop_constraint(op.f('ck_meeting_changes_moved_has_time'), type_='check')
        batch_op.create_check_constraint('kind', "kind IN ('cancelled', 'moved')")
        batch_op.create_check_constraint('moved_has_time', "kind = 'cancelled' OR new_start IS NOT NULL")
    with op.batch_alter_table('pathway_items', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_pathway_items_status'), type_='check')
        batch_op.create_check_constraint('status', "status IN ('planned', 'done', 'missed', 'cancelled')")
        batch_op.drop_column('told_sequence')
        batch_op.drop_column('chosen')
        batch_op.drop_column('all_day')
        batch_op.drop_column('place')
        batch_op.drop_column('agency')
