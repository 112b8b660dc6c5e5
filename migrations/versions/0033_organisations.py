"""organisations own meetings and pathways; a pathway is shared with, or handed to, another with consent

Revision ID: 0033_organisations
Revises: 0032_one_feed_token
Create Date: 2026-12-02 04:25:41

Issue 14 items 3 and 4. People belong to organisations (a prison's recovery team, a mentoring charity, a
throughcare service, a recovery community); meetings and pathways have an owning organisation, whose
co-ordinators act on them; pathway_shares records the person's consent to share a pathway with, or hand it
to, another organisation. So that nothing already saved loses its owner, a database that holds anything gets
one organisation, "Recovery Network", owning every meeting and pathway and holding every co-ordinator, peer
mentor and facilitator. meetings and pathways are audit subjects: their SQLite rebuilds keep AUTOINCREMENT.
"""
import secrets

import sqlalchemy as sa
from alembic import op

from recovery_network.types import UTCDateTime, utcnow

# revision identifiers, used by Alembic.
revision = '0033_organisations'
down_revision = '0032_one_feed_token'
branch_labels = None
depends_on = None
AUTO = True
FOUNDING = "Recovery Network"


def found_existing_owner():
    """One organisation owns everything saved before organisations existed, and holds its volunteers and staff."""
    conn = op.get_bind()
    has_data = any(conn.execute(sa.text(f"SELECT 1 FROM {table} LIMIT 1")).first()
                   for table in ("meetings", "pathways", "person_roles"))
    if not has_data:
        return  # a new, empty database: an admin adds the first organisation
    organisations = sa.table('organisations', sa.column('id', sa.Integer), sa.column('public_id', sa.String),
                             sa.column('name', sa.String), sa.column('kind', sa.String),
                             sa.column('created_at', UTCDateTime()))
    conn.execute(organisations.insert().values(public_id=secrets.token_urlsafe(12), name=FOUNDING, kind='mentoring',
                                               created_at=utcnow()))
    founding = conn.execute(sa.select(organisations.c.id).where(organisations.c.name == FOUNDING)).scalar_one()
    conn.execute(sa.text("UPDATE meetings SET organisation_id = :o"), {"o": founding})
    conn.execute(sa.text("UPDATE pathways SET organisation_id = :o"), {"o": founding})
    members = conn.execute(sa.text(
        "SELECT DISTINCT person_id FROM person_roles WHERE role IN ('coordinator', 'peer_mentor', 'facilitator')"
    )).scalars().all()
    if members:
        table = sa.table('organisation_members', sa.column('organisation_id', sa.Integer),
                         sa.column('person_id', sa.Integer), sa.column('added_at', UTCDateTime()))
        now = utcnow()
        conn.execute(table.insert(), [{"organisation_id": founding, "person_id": p, "added_at": now} for p in members])


def upgrade():
    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=24), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('prison_team', 'mentoring', 'throughcare', 'community')", name=op.f('ck_organisations_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
    sa.UniqueConstraint('name', name=op.f('uq_organisations_name')),
    sa.UniqueConstraint('public_id', name=op.f('uq_organisations_public_id')),
    sqlite_autoincrement=True
    )
    op.create_table('organisation_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('added_at', UTCDateTime(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['added_by_id'], ['people.id'], name=op.f('fk_organisation_members_added_by_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_organisation_members_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_organisation_members_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_members')),
    sa.UniqueConstraint('organisation_id', 'person_id', name='uq_organisation_members_person')
    )
    with op.batch_alter_table('organisation_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_members_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisation_members_person_id'), ['person_id'], unique=False)

    op.create_table('pathway_shares',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pathway_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('from_organisation_id', sa.Integer(), nullable=True),
    sa.Column('include_contacts', sa.Boolean(), nullable=False),
    sa.Column('from_keeps_read', sa.Boolean(), nullable=False),
    sa.Column('consent_recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('consent_at', UTCDateTime(), nullable=False),
    sa.Column('withdrawn_at', UTCDateTime(), nullable=True),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind = 'handover' OR NOT from_keeps_read", name=op.f('ck_pathway_shares_keeps_read_on_handover')),
    sa.CheckConstraint("kind IN ('share', 'handover')", name=op.f('ck_pathway_shares_kind')),
    sa.CheckConstraint('organisation_id <> from_organisation_id', name=op.f('ck_pathway_shares_another_organisation')),
    sa.ForeignKeyConstraint(['consent_recorded_by_id'], ['people.id'], name=op.f('fk_pathway_shares_consent_recorded_by_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['from_organisation_id'], ['organisations.id'], name=op.f('fk_pathway_shares_from_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_pathway_shares_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['pathway_id'], ['pathways.id'], name=op.f('fk_pathway_shares_pathway_id_pathways'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['people.id'], name=op.f('fk_pathway_shares_withdrawn_by_id_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pathway_shares')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('pathway_shares', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pathway_shares_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pathway_shares_pathway_id'), ['pathway_id'], unique=False)

    with op.batch_alter_table('meetings', schema=None, table_kwargs={'sqlite_autoincrement': AUTO}) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_meetings_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_meetings_organisation_id_organisations'), 'organisations', ['organisation_id'], ['id'])

    with op.batch_alter_table('pathways', schema=None, table_kwargs={'sqlite_autoincrement': AUTO}) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_pathways_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_pathways_organisation_id_organisations'), 'organisations', ['organisation_id'], ['id'])

    found_existing_owner()



def downgrade():
    with op.batch_alter_table('pathways', schema=None, table_kwargs={'sqlite_autoincrement': AUTO}) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_pathways_organisation_id_organisations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_pathways_organisation_id'))
        batch_op.drop_column('organisation_id')

    with op.batch_alter_table('meetings', schema=None, table_kwargs={'sqlite_autoincrement': AUTO}) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_meetings_organisation_id_organisations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_meetings_organisation_id'))
        batch_op.drop_column('organisation_id')

    with op.batch_alter_table('pathway_shares', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pathway_shares_pathway_id'))
        batch_op.drop_index(batch_op.f('ix_pathway_shares_organisation_id'))

    op.drop_table('pathway_shares')
    with op.batch_alter_table('organisation_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_members_person_id'))
        batch_op.drop_index(batch_op.f('ix_organisation_members_organisation_id'))

    op.drop_table('organisation_members')
    op.drop_table('organisations')
