"""custody slugs end in random letters

Revision ID: 0008_custody_slugs
Revises: 0007_near_search_index
Create Date: 2026-12-02 02:00:00

A public meeting whose title matched a custody session's slug was given "-2", which told its
facilitator that the custody slug existed. Custody slugs are now the title plus ten random hex
letters (meetings.services.custody_slug), so no public title can collide with one; this gives the
custody sessions already stored the same form. Downgrade leaves them: the old form was the leak.
"""
import re
import secrets

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008_custody_slugs'
down_revision = '0007_near_search_index'
branch_labels = None
depends_on = None

SUFFIX = re.compile(r"-[0-9a-f]{10}$")


def upgrade():
    meetings = sa.table('meetings', sa.column('id', sa.Integer), sa.column('slug', sa.String),
                        sa.column('visibility', sa.String))
    bind = op.get_bind()
    rows = bind.execute(sa.select(meetings.c.id, meetings.c.slug).where(meetings.c.visibility == 'custody')).all()
    for meeting_id, slug in rows:
        if not SUFFIX.search(slug):
            new = f"{slug[:60].rstrip('-')}-{secrets.token_hex(5)}"
            bind.execute(meetings.update().where(meetings.c.id == meeting_id).values(slug=new))


def downgrade():
    pass
