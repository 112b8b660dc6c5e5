"""throughcare: integration plan, contact modes, follow-ups, referrals, home leave, extensions, split tallies

Revision ID: 0030_throughcare
Revises: 0012_verifier_may_be_erased
Create Date: 2026-12-02 02:01:38.066302

New tables, each erased with its pathway: pathway_plan_areas (the community integration plan),
pathway_follow_ups (non-response acted upon), pathway_home_leave, pathway_extensions, pathway_referrals.
Pathways gain a community mentor (no clearance needed) and how they closed. Pathway items gain the kinds
'agency_visit' and 'leave_visit'. Contact records say how the contact happened (mode) instead of an
outcome: 'met' becomes face to face (or 'gate' when it was on the release day), 'not_met' becomes "tried,
no response"; a 'cancelled' record said nothing about the person and is dropped. Tallies gain the
establishment and destination area they count (empty for counts kept before this).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0030_throughcare'
down_revision = '0012_verifier_may_be_erased'
branch_labels = None
depends_on = None

MODES = "('face_to_face', 'phone', 'video', 'gate', 'agency_visit', 'no_response')"
CLOSE_REASONS = "('ended', 'back_in_custody', 'moved_away', 'withdrew_consent', 'lost_contact')"
OLD_KINDS = "('custody_session', 'mentor_visit', 'gate_meet', 'community_meeting', 'appointment')"
KINDS = OLD_KINDS[:-1] + ", 'agency_visit', 'leave_visit')"


def upgrade():
    op.create_table('pathway_extensions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pathway_id', sa.Integer(), nullable=False),
    sa.Column('agreed_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=24), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("reason IN ('agreed_more_support', 'housing_not_settled', 'awaiting_service', 'handover')", name=op.f('ck_pathway_extensions_reason')),
    sa.ForeignKeyConstraint(['by_id'], ['people.id'], name=op.f('fk_pathway_extensions_by_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['pathway_id'], ['pathways.id'], name=op.f('fk_pathway_extensions_pathway_id_pathways'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pathway_extensions'))
    )
    with op.batch_alter_table('pathway_extensions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pathway_extensions_pathway_id'), ['pathway_id'], unique=False)

    op.create_table('pathway_follow_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pathway_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('escalated_on', sa.Date(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('closed_by', sa.String(length=24), nullable=True),
    sa.CheckConstraint("closed_by IS NULL OR closed_by IN ('contact', 'back_in_custody', 'moved_away', 'withdrew_consent', 'lost_contact', 'ended')", name=op.f('ck_pathway_follow_ups_closed_by')),
    sa.CheckConstraint("reason IN ('no_response', 'silent')", name=op.f('ck_pathway_follow_ups_reason')),
    sa.CheckConstraint('(closed_on IS NULL) = (closed_by IS NULL)', name=op.f('ck_pathway_follow_ups_closed_together')),
    sa.ForeignKeyConstraint(['pathway_id'], ['pathways.id'], name=op.f('fk_pathway_follow_ups_pathway_id_pathways'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pathway_follow_ups'))
    )
    with op.batch_alter_table('pathway_follow_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pathway_follow_ups_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_pathway_follow_ups_pathway_id'), ['pathway_id'], unique=False)

    op.create_table('pathway_home_leave',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pathway_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_pathway_home_leave_ends_after_start')),
    sa.ForeignKeyConstraint(['pathway_id'], ['pathways.id'], name=op.f('fk_pathway_home_leave_pathway_id_pathways'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pathway_home_leave'))
    )
    with op.batch_alter_table('pathway_home_leave', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pathway_home_leave_pathway_id'), ['pathway_id'], unique=False)

    op.create_table('pathway_plan_areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pathway_id', sa.Integer(), nullable=False),
    sa.Column('area', sa.String(length=16), nullable=False),
    sa.Column('agreed', sa.String(length=120), nullable=False),
    sa.Column('who', sa.String(length=8), nullable=False),
    sa.Column('agency', sa.String(length=80), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.CheckConstraint("(who = 'agency') = (agency <> '')", name=op.f('ck_pathway_plan_areas_agency_named')),
    sa.CheckConstraint("area IN ('housing', 'income', 'health', 'treatment', 'recovery', 'work', 'family', 'justice')", name=op.f('ck_pathway_plan_areas_area')),
    sa.CheckConstraint("status IN ('to_do', 'in_hand', 'done', 'not_needed')", name=op.f('ck_pathway_plan_areas_status')),
    sa.CheckConstraint("who IN ('person', 'mentor', 'agency')", name=op.f('ck_pathway_plan_areas_who')),
    sa.ForeignKeyConstraint(['pathway_id'], ['pathways.id'], name=op.f('fk_pathway_plan_areas_pathway_id_pathways'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pathway_plan_areas')),
    sa.UniqueConstraint('pathway_id', 'area', name='uq_pathway_plan_areas_area')
    )
    with op.batch_alter_table('pathway_plan_areas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pathway_plan_areas_pathway_id'), ['pathway_id'], unique=False)

    op.create_table('pathway_referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=24), nullable=False),
    sa.Column('first_name', sa.String(length=40), nullable=False),
    sa.Column('establishment_id', sa.Integer(), nullable=False),
    sa.Column('release_date', sa.Date(), nullable=False),
    sa.Column('destination', sa.String(length=60), nullable=False),
    sa.Column('destination_latitude', sa.Float(), nullable=False),
    sa.Column('destination_longitude', sa.Float(), nullable=False),
    sa.Column('referrer_org', sa.String(length=80), nullable=False),
    sa.Column('consent_taken_by', sa.String(length=60), nullable=False),
    sa.Column('consent_on', sa.Date(), nullable=False),
    sa.Column('consent_how', sa.String(length=12), nullable=False),
    sa.Column('referred_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('decline_reason', sa.String(length=24), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('pathway_id', sa.Integer(), nullable=True),
    sa.Column('purge_after', sa.Date(), nullable=True),
    sa.CheckConstraint("consent_how IN ('in_person', 'phone', 'video', 'letter')", name=op.f('ck_pathway_referrals_consent_how')),
    sa.CheckConstraint("decline_reason IS NULL OR decline_reason IN ('not_eligible', 'declined_service', 'release_too_soon', 'no_capacity', 'duplicate')", name=op.f('ck_pathway_referrals_decline_reason')),
    sa.CheckConstraint("status <> 'declined' OR decline_reason IS NOT NULL", name=op.f('ck_pathway_referrals_declined_has_reason')),
    sa.CheckConstraint("status IN ('new', 'accepted', 'declined')", name=op.f('ck_pathway_referrals_status')),
    sa.CheckConstraint('length(first_name) <= 40', name=op.f('ck_pathway_referrals_first_name_short')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['people.id'], name=op.f('fk_pathway_referrals_decided_by_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['establishment_id'], ['venues.id'], name=op.f('fk_pathway_referrals_establishment_id_venues')),
    sa.ForeignKeyConstraint(['pathway_id'], ['pathways.id'], name=op.f('fk_pathway_referrals_pathway_id_pathways'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['referred_by_id'], ['people.id'], name=op.f('fk_pathway_referrals_referred_by_id_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pathway_referrals')),
    sa.UniqueConstraint('pathway_id', name=op.f('uq_pathway_referrals_pathway_id')),
    sa.UniqueConstraint('public_id', name=op.f('uq_pathway_referrals_public_id')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('pathway_referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pathway_referrals_purge_after'), ['purge_after'], unique=False)

    with op.batch_alter_table('contact_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mode', sa.String(length=16), nullable=False, server_default='face_to_face'))
    # A cancelled arrangement is not a contact, and with no narrative kept it records nothing about the person.
    op.execute("DELETE FROM contact_records WHERE outcome = 'cancelled'")
    op.execute("UPDATE contact_records SET mode = 'no_response' WHERE outcome = 'not_met'")
    # A meeting on the release day was the gate meeting (the only one planned for that day).
    op.execute("UPDATE contact_records SET mode = 'gate' WHERE outcome = 'met' AND \"on\" = "
               "(SELECT release_date FROM pathways WHERE pathways.id = contact_records.pathway_id)")
    with op.batch_alter_table('contact_records', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_contact_records_outcome'), type_='check')
        batch_op.drop_column('outcome')
        batch_op.alter_column('mode', server_default=None)
        batch_op.create_check_constraint('mode', "mode IN " + MODES)

    with op.batch_alter_table('pathway_tallies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('establishment', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('area', sa.String(length=120), nullable=False, server_default=''))
        batch_op.drop_constraint(batch_op.f('uq_pathway_tallies_month_measure'), type_='unique')
        batch_op.create_unique_constraint('uq_pathway_tallies_cell', ['month', 'measure', 'establishment', 'area'])
    with op.batch_alter_table('pathway_tallies', schema=None) as batch_op:
        batch_op.alter_column('establishment', server_default=None)
        batch_op.alter_column('area', server_default=None)

    with op.batch_alter_table('pathways', schema=None) as batch_op:
        batch_op.add_column(sa.Column('community_mentor_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('close_reason', sa.String(length=24), nullable=True))
        batch_op.create_index(batch_op.f('ix_pathways_community_mentor_id'), ['community_mentor_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_pathways_community_mentor_id_people'), 'people', ['community_mentor_id'], ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint('close_reason', "close_reason IS NULL OR close_reason IN " + CLOSE_REASONS)
    with op.batch_alter_table('pathway_items', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_pathway_items_kind'), type_='check')
        batch_op.create_check_constraint('kind', "kind IN " + KINDS)



def downgrade():
    op.execute("DELETE FROM pathway_items WHERE kind IN ('agency_visit', 'leave_visit')")
    with op.batch_alter_table('pathway_items', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_pathway_items_kind'), type_='check')
        batch_op.create_check_constraint('kind', "kind IN " + OLD_KINDS)
    with op.batch_alter_table('pathways', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_pathways_close_reason'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_pathways_community_mentor_id_people'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_pathways_community_mentor_id'))
        batch_op.drop_column('close_reason')
        batch_op.drop_column('community_mentor_id')

    # Counts split by prison and area fold back into one per month and measure.
    op.execute("CREATE TABLE tallies_folded AS SELECT month, measure, SUM(count) AS total FROM pathway_tallies "
               "GROUP BY month, measure")
    op.execute("DELETE FROM pathway_tallies")
    with op.batch_alter_table('pathway_tallies', schema=None) as batch_op:
        batch_op.drop_constraint('uq_pathway_tallies_cell', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_pathway_tallies_month_measure'), ['month', 'measure'])
        batch_op.drop_column('area')
        batch_op.drop_column('establishment')
    op.execute("INSERT INTO pathway_tallies (month, measure, count) SELECT month, measure, total FROM tallies_folded")
    op.execute("DROP TABLE tallies_folded")

    with op.batch_alter_table('contact_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome', sa.VARCHAR(length=16), nullable=False, server_default='met'))
    op.execute("UPDATE contact_records SET outcome = 'not_met' WHERE mode = 'no_response'")
    with op.batch_alter_table('contact_records', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_contact_records_mode'), type_='check')
        batch_op.drop_column('mode')
        batch_op.alter_column('outcome', server_default=None)
        batch_op.create_check_constraint('outcome', "outcome IN ('met', 'not_met', 'cancelled')")

    with op.batch_alter_table('pathway_referrals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pathway_referrals_purge_after'))

    op.drop_table('pathway_referrals')
    with op.batch_alter_table('pathway_plan_areas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pathway_plan_areas_pathway_id'))

    op.drop_table('pathway_plan_areas')
    with op.batch_alter_table('pathway_home_leave', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pathway_home_leave_pathway_id'))

    op.drop_table('pathway_home_leave')
    with op.batch_alter_table('pathway_follow_ups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pathway_follow_ups_pathway_id'))
        batch_op.drop_index(batch_op.f('ix_pathway_follow_ups_due_on'))

    op.drop_table('pathway_follow_ups')
    with op.batch_alter_table('pathway_extensions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pathway_extensions_pathway_id'))

    op.drop_table('pathway_extensions')
