"""a verified training record survives the erasure of the co-ordinator who verified it

Revision ID: 0012_verifier_may_be_erased
Revises: 0011_audit_subject_ids
Create Date: 2026-12-02 02:30:00

Erasing an account sets verified_by_id to NULL on the training records that person verified; the old
check (verified needs a verifier) then refused the erasure with a 500. Verified now needs only the
date it was verified.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012_verifier_may_be_erased'
down_revision = '0011_audit_subject_ids'
branch_labels = None
depends_on = None


def upgrade():
    # Keep AUTOINCREMENT (0011) when SQLite rebuilds the table: audit subjects never reuse ids.
    with op.batch_alter_table('training_records', schema=None, table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.drop_constraint(op.f('ck_training_records_verified_has_verifier'), type_='check')
        batch_op.create_check_constraint('verified_has_date', "status <> 'verified' OR verified_at IS NOT NULL")


def downgrade():
    # Records whose verifier was erased cannot satisfy the old rule; they go back to pending.
    op.execute("UPDATE training_records SET status = 'pending' WHERE status = 'verified' AND verified_by_id IS NULL")
    # Keep AUTOINCREMENT (0011) when SQLite rebuilds the table: audit subjects never reuse ids.
    with op.batch_alter_table('training_records', schema=None, table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.drop_constraint(op.f('ck_training_records_verified_has_date'), type_='check')
        batch_op.create_check_constraint(
            'verified_has_verifier', "status <> 'verified' OR (verified_by_id IS NOT NULL AND verified_at IS NOT NULL)")
