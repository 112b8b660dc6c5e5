"""near-search index: meetings by venue first, covering the search's filters

Revision ID: 0007_near_search_index
Revises: 0006_feed_cache
Create Date: 2026-11-29 21:00:00

The old (visibility, status, venue_id) index led SQLite, which has no statistics unless ANALYZE is
run, to scan every public meeting and test its venue; with venue_id first it walks the venues in
the search box instead, and stops at the count's cap. The venue_id index it replaces is its prefix.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0007_near_search_index'
down_revision = '0006_feed_cache'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index(
            'ix_meetings_venue_search', ['venue_id', 'visibility', 'status', 'finishes_on'], unique=False
        )
        batch_op.drop_index('ix_meetings_public_search')
        batch_op.drop_index('ix_meetings_venue_id')


def downgrade():
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index('ix_meetings_venue_id', ['venue_id'], unique=False)
        batch_op.create_index('ix_meetings_public_search', ['visibility', 'status', 'venue_id'], unique=False)
        batch_op.drop_index('ix_meetings_venue_search')
