"""one feed-token model for every private calendar (rota and plan)

Revision ID: 0032_one_feed_token
Revises: 0031_network_grows
Create Date: 2026-12-02 05:00:00

Issue 12: rota_feed_tokens and pathway_feed_tokens were the same table twice. Their rows move into
feed_tokens with the same hashes, so every private link already handed out keeps working; each row has
exactly one owner (a person or a pathway), and erasing the owner still takes its links (ON DELETE CASCADE).
Downgrade moves them back.

Also: plan items lose the kind and the statuses nothing ever set ('mentor_visit'; 'missed', 'cancelled' — a
cancelled date is its meeting's occurrence, read through the one function). Any such row, which no version of
the code wrote, becomes an inside agency visit or an item for review rather than stop the upgrade.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0032_one_feed_token'
down_revision = '0031_network_grows'
branch_labels = None
depends_on = None

COLUMNS = "token_hash, created_at, revoked_at"
KINDS = "('custody_session', 'gate_meet', 'community_meeting', 'appointment', 'agency_visit', 'leave_visit')"
OLD_KINDS = ("('custody_session', 'mentor_visit', 'gate_meet', 'community_meeting', 'appointment', 'agency_visit', "
             "'leave_visit')")
STATUSES = "('planned', 'done', 'review')"
OLD_STATUSES = "('planned', 'done', 'missed', 'cancelled', 'review')"


def _item_checks(kinds: str, statuses: str) -> None:
    """Replace pathway_items' CHECKs on kind and status."""
    with op.batch_alter_table('pathway_items', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_pathway_items_kind'), type_='check')
        batch_op.drop_constraint(op.f('ck_pathway_items_status'), type_='check')
        batch_op.create_check_constraint('kind', "kind IN " + kinds)
        batch_op.create_check_constraint('status', "status IN " + statuses)


def _old_table(name: str, owner: str, owner_table: str) -> None:
    """rota_feed_tokens (0003) or pathway_feed_tokens (0004), as they were."""
    op.create_table(
        name,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column(owner, sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint([owner], [f'{owner_table}.id'], name=op.f(f'fk_{name}_{owner}_{owner_table}'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{name}')),
        sa.UniqueConstraint('token_hash', name=op.f(f'uq_{name}_token_hash')),
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f'ix_{name}_{owner}'), [owner], unique=False)


def _drop_old_table(name: str, owner: str) -> None:
    """Drop one of the two old tables and its index."""
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f(f'ix_{name}_{owner}'))
    op.drop_table(name)


def upgrade():
    op.create_table(
        'feed_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=True),
        sa.Column('pathway_id', sa.Integer(), nullable=True),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint('(person_id IS NULL) <> (pathway_id IS NULL)', name=op.f('ck_feed_tokens_one_owner')),
        sa.ForeignKeyConstraint(['pathway_id'], ['pathways.id'], name=op.f('fk_feed_tokens_pathway_id_pathways'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_feed_tokens_person_id_people'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_tokens')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_feed_tokens_token_hash')),
    )
    with op.batch_alter_table('feed_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feed_tokens_pathway_id'), ['pathway_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feed_tokens_person_id'), ['person_id'], unique=False)
    # Oldest first, so ids keep the order links were issued in.
    op.execute(f"INSERT INTO feed_tokens (person_id, {COLUMNS}) "
               f"SELECT person_id, {COLUMNS} FROM rota_feed_tokens ORDER BY id")
    op.execute(f"INSERT INTO feed_tokens (pathway_id, {COLUMNS}) "
               f"SELECT pathway_id, {COLUMNS} FROM pathway_feed_tokens ORDER BY id")
    _drop_old_table('rota_feed_tokens', 'person_id')
    _drop_old_table('pathway_feed_tokens', 'pathway_id')
    op.execute("UPDATE pathway_items SET kind = 'agency_visit' WHERE kind = 'mentor_visit'")
    op.execute("UPDATE pathway_items SET status = 'review' WHERE status IN ('missed', 'cancelled')")
    _item_checks(KINDS, STATUSES)


def downgrade():
    _item_checks(OLD_KINDS, OLD_STATUSES)
    _old_table('rota_feed_tokens', 'person_id', 'people')
    _old_table('pathway_feed_tokens', 'pathway_id', 'pathways')
    op.execute(f"INSERT INTO rota_feed_tokens (person_id, {COLUMNS}) "
               f"SELECT person_id, {COLUMNS} FROM feed_tokens WHERE person_id IS NOT NULL ORDER BY id")
    op.execute(f"INSERT INTO pathway_feed_tokens (pathway_id, {COLUMNS}) "
               f"SELECT pathway_id, {COLUMNS} FROM feed_tokens WHERE pathway_id IS NOT NULL ORDER BY id")
    with op.batch_alter_table('feed_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feed_tokens_person_id'))
        batch_op.drop_index(batch_op.f('ix_feed_tokens_pathway_id'))
    op.drop_table('feed_tokens')
