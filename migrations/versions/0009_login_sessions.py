"""login sessions: one row per login, so a plain logout ends that login on the server

Revision ID: 0009_login_sessions
Revises: 0008_custody_slugs
Create Date: 2026-12-01 10:00:00

The session and remember cookies name a login by a random nonce (its SHA-256 is kept here); logging
out deletes the row, so copies of either cookie made before stop working. Existing sessions, which
name no login, end once at this upgrade.
"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0009_login_sessions'
down_revision = '0008_custody_slugs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('nonce_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_login_sessions_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions')),
    sa.UniqueConstraint('nonce_hash', name=op.f('uq_login_sessions_nonce_hash'))
    )
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_sessions_person_id'), ['person_id'], unique=False)


def downgrade():
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_sessions_person_id'))
    op.drop_table('login_sessions')
