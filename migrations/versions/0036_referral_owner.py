"""a referral is addressed to an organisation from the start

Revision ID: 0036_referral_owner
Revises: 0035_staff_view
Create Date: 2026-12-02 13:05:00

Issue 14: referrals had no owner until accepted, so every co-ordinator saw every organisation's queue. Each
referral now names the organisation it is sent to. Existing ones go to the organisation that owns the pathway
they became; the rest (new or declined) to the founding organisation 0033 made, "Recovery Network", or, if
that was renamed or removed, the first organisation there is. pathway_referrals is an audit subject: its
SQLite rebuild keeps AUTOINCREMENT.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0036_referral_owner'
down_revision = '0035_staff_view'
branch_labels = None
depends_on = None
AUTO = True
FOUNDING = "Recovery Network"


def address_existing():
    """Accepted referrals go with their pathway's owner; the others to the founding (or first) organisation."""
    conn = op.get_bind()
    conn.execute(sa.text(
        "UPDATE pathway_referrals SET organisation_id = "
        "(SELECT pathways.organisation_id FROM pathways WHERE pathways.id = pathway_referrals.pathway_id) "
        "WHERE pathway_id IS NOT NULL"))
    founding = conn.execute(sa.text("SELECT id FROM organisations WHERE name = :n"), {"n": FOUNDING}).scalar()
    if founding is None:
        founding = conn.execute(sa.text("SELECT id FROM organisations ORDER BY id LIMIT 1")).scalar()
    if founding is not None:  # none at all: an empty network, or admins alone act on the old rows
        conn.execute(sa.text("UPDATE pathway_referrals SET organisation_id = :o WHERE organisation_id IS NULL"),
                     {"o": founding})


def upgrade():
    with op.batch_alter_table('pathway_referrals', schema=None, table_kwargs={'sqlite_autoincrement': AUTO}) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_pathway_referrals_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_pathway_referrals_organisation_id_organisations'), 'organisations',
                                    ['organisation_id'], ['id'])
    address_existing()


def downgrade():
    with op.batch_alter_table('pathway_referrals', schema=None, table_kwargs={'sqlite_autoincrement': AUTO}) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_pathway_referrals_organisation_id_organisations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_pathway_referrals_organisation_id'))
        batch_op.drop_column('organisation_id')
