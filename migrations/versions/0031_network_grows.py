"""establishments with a kind, areas with coverage, listing and approval of meetings, course enrolments

Revision ID: 0031_network_grows
Revises: 0030_throughcare
Create Date: 2026-12-10 10:00:00

Issue 14: co-ordinators add prisons (with their kind) and areas (with the council areas or postcode
districts they cover); a meeting is open, closed (by referral, with a contact) or unlisted; a facilitator's
custody session waits ("awaiting") for the establishment's staff; a course has enrolments (first name or
initials only) and attendance per session. On SQLite, env.py turns foreign keys off while tables are
rebuilt; venues, meetings and enrolments keep or gain AUTOINCREMENT, as audit subjects must (0011).
"""
import sqlalchemy as sa
from alembic import op

from recovery_network.types import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0031_network_grows'
down_revision = '0030_throughcare'
branch_labels = None
depends_on = None
# Audit subjects (meetings since 0011, venues and enrolments from here) never reuse an id on SQLite.
AUTO = True


def upgrade():
    with op.batch_alter_table('venues', schema=None, table_kwargs={'sqlite_autoincrement': AUTO}) as batch_op:
        batch_op.add_column(sa.Column('establishment_kind', sa.String(length=24), nullable=True))
        batch_op.create_check_constraint(
            'establishment_kind',
            "establishment_kind IS NULL OR (setting = 'custody' AND establishment_kind IN "
            "('closed', 'open', 'young_offenders', 'women'))")
    op.create_table(
        'area_coverage',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('area_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('value', sa.String(length=80), nullable=False),
        sa.CheckConstraint("kind IN ('council', 'postcode_district')", name=op.f('ck_area_coverage_kind')),
        sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_area_coverage_area_id_areas'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_area_coverage')),
        sa.UniqueConstraint('kind', 'value', name='uq_area_coverage_kind_value'),
    )
    with op.batch_alter_table('area_coverage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_area_coverage_area_id'), ['area_id'], unique=False)

    with op.batch_alter_table('meetings', schema=None, table_kwargs={'sqlite_autoincrement': AUTO}) as batch_op:
        batch_op.add_column(sa.Column('listing', sa.String(length=16), server_default='open', nullable=False))
        batch_op.add_column(sa.Column('referral_contact', sa.String(length=200), server_default='', nullable=False))
        batch_op.drop_constraint('status', type_='check')
        batch_op.create_check_constraint('status', "status IN ('active', 'paused', 'ended', 'awaiting')")
        batch_op.create_check_constraint('listing', "listing IN ('open', 'closed', 'unlisted')")
        batch_op.create_check_constraint('closed_has_contact', "listing <> 'closed' OR referral_contact <> ''")
        # Search filters on listing too: the near-search index keeps covering every column it reads.
        batch_op.drop_index('ix_meetings_venue_search')
        batch_op.create_index('ix_meetings_venue_search',
                              ['venue_id', 'visibility', 'status', 'finishes_on', 'listing'], unique=False)

    op.create_table(
        'enrolments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=16), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=20), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('enrolled_on', sa.Date(), nullable=False),
        sa.Column('completed_on', sa.Date(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.CheckConstraint("status IN ('enrolled', 'completed', 'left')", name=op.f('ck_enrolments_status')),
        sa.CheckConstraint("(status = 'completed') = (completed_on IS NOT NULL)",
                           name=op.f('ck_enrolments_completed_has_date')),
        sa.CheckConstraint('length(name) BETWEEN 1 AND 20', name=op.f('ck_enrolments_name_length')),
        sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_enrolments_meeting_id_meetings'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolments')),
        sa.UniqueConstraint('code', name=op.f('uq_enrolments_code')),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrolments_meeting_id'), ['meeting_id'], unique=False)
    op.create_table(
        'attendances',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('enrolment_id', sa.Integer(), nullable=False),
        sa.Column('session_date', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'],
                                name=op.f('fk_attendances_enrolment_id_enrolments'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_attendances')),
        sa.UniqueConstraint('enrolment_id', 'session_date', name='uq_attendances_session'),
    )
    with op.batch_alter_table('attendances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendances_enrolment_id'), ['enrolment_id'], unique=False)


def downgrade():
    with op.batch_alter_table('attendances', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendances_enrolment_id'))
    op.drop_table('attendances')
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolments_meeting_id'))
    op.drop_table('enrolments')
    # Sessions still awaiting approval were never staffed: they end, as a declined one would.
    op.execute("UPDATE meetings SET status = 'ended' WHERE status = 'awaiting'")
    with op.batch_alter_table('meetings', schema=None, table_kwargs={'sqlite_autoincrement': AUTO}) as batch_op:
        batch_op.drop_index('ix_meetings_venue_search')
        batch_op.create_index('ix_meetings_venue_search', ['venue_id', 'visibility', 'status', 'finishes_on'],
                              unique=False)
        batch_op.drop_constraint('closed_has_contact', type_='check')
        batch_op.drop_constraint('listing', type_='check')
        batch_op.drop_constraint('status', type_='check')
        batch_op.create_check_constraint('status', "status IN ('active', 'paused', 'ended')")
        batch_op.drop_column('referral_contact')
        batch_op.drop_column('listing')
    with op.batch_alter_table('area_coverage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_area_coverage_area_id'))
    op.drop_table('area_coverage')
    with op.batch_alter_table('venues', schema=None, table_kwargs={'sqlite_autoincrement': False}) as batch_op:
        batch_op.drop_constraint('establishment_kind', type_='check')
        batch_op.drop_column('establishment_kind')
