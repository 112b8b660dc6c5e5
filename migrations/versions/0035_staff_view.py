"""the pack-ready mark on a pathway, an enrolment's link to a pathway, and a meeting's room

Revision ID: 0035_staff_view
Revises: 0033_organisations
Create Date: 2026-12-02 05:00:00

Issue 14: establishment staff see whether a releasing person's pack is ready to leave at the gate (a mark
the mentor sets; the plan being made and printed is shown beside it), and a closed course is offered to a
pathway only when the person's enrolment is tied to it. Both tables are audit subjects: their SQLite
rebuilds keep AUTOINCREMENT (0011). A meeting gains its room, for the gate's day sheet.
"""
import sqlalchemy as sa
from alembic import op

from recovery_network.types import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0035_staff_view'
down_revision = '0033_organisations'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meetings', schema=None, table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.add_column(sa.Column('room', sa.String(length=60), server_default='', nullable=False))
    with op.batch_alter_table('pathways', schema=None, table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.add_column(sa.Column('pack_ready_at', UTCDateTime(), nullable=True))
    with op.batch_alter_table('enrolments', schema=None, table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.add_column(sa.Column('pathway_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_enrolments_pathway_id_pathways'), 'pathways', ['pathway_id'],
                                    ['id'], ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_enrolments_pathway_id'), ['pathway_id'], unique=False)


def downgrade():
    with op.batch_alter_table('enrolments', schema=None, table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolments_pathway_id'))
        batch_op.drop_constraint(batch_op.f('fk_enrolments_pathway_id_pathways'), type_='foreignkey')
        batch_op.drop_column('pathway_id')
    with op.batch_alter_table('pathways', schema=None, table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.drop_column('pack_ready_at')
    with op.batch_alter_table('meetings', schema=None, table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.drop_column('room')
