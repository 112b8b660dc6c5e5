"""audit subjects never reuse ids: AUTOINCREMENT on SQLite for every table an audit row names

Revision ID: 0011_audit_subject_ids
Revises: 0010_plan_items
Create Date: 2026-12-02 02:00:00

SQLite gives a new row max(id) + 1, so after an erasure deleted the newest pathway the next one took
its id and inherited its audit trail. AUTOINCREMENT makes SQLite remember the highest id ever used
(sqlite_sequence); it can only be set by rebuilding the table, which batch mode does, copying every row
with its id (SQLite records the highest copied id as the sequence's start). env.py turns foreign keys off around SQLite migrations, so dropping the old table neither
cascades nor fails. PostgreSQL's sequences never reuse ids: nothing to do there.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011_audit_subject_ids'
down_revision = '0010_plan_items'
branch_labels = None
depends_on = None

TABLES = ('areas', 'people', 'meetings', 'signups', 'training_records', 'clearances', 'pathways')


def rebuild(autoincrement: bool) -> None:
    """Rebuild each audit subject table on SQLite with or without AUTOINCREMENT, keeping rows and ids."""
    if op.get_bind().dialect.name != 'sqlite':
        return
    for table in TABLES:
        with op.batch_alter_table(table, recreate='always',
                                  table_kwargs={'sqlite_autoincrement': autoincrement}):
            pass


def upgrade():
    rebuild(True)


def downgrade():
    rebuild(False)
