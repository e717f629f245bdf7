"""teams and review by people

Teams with their members, rules and gate; submissions of a file's version to a team, their
status history, line comments, the gate's runs and the review notices (an outbox of their own).
Checks gain `gate` and `team_id`: a check under a team's rules is logged like every other but is
never a file's latest check. New tables only, plus two columns on `checks` (rebuilt on SQLite
with foreign keys off, see infra/migrate.py); no row changes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 07:40:47.563050
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('preset', sa.Enum('default', 'pep8', 'strict', 'custom', name='team_preset', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('config_hash', sa.String(length=64), nullable=True),
    sa.Column('gate_max_issues', sa.Integer(), server_default='0', nullable=False),
    sa.Column('invite_token', sa.String(length=32), nullable=False),
    sa.Column('group_chat_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['config_hash'], ['review_configs.hash'], name=op.f('fk_teams_config_hash_review_configs'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teams')),
    sa.UniqueConstraint('group_chat_id', name=op.f('uq_teams_group_chat_id')),
    sa.UniqueConstraint('invite_token', name=op.f('uq_teams_invite_token'))
    )
    op.create_table('team_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('owner', 'reviewer', 'member', name='team_role', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('display_name', sa.String(length=64), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_members_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_team_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team_members')),
    sa.UniqueConstraint('team_id', 'user_id', name='uq_team_members_team_user')
    )
    with op.batch_alter_table('team_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_members_user_id'), ['user_id'], unique=False)

    op.create_table('submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('submitted', 'in_review', 'changes', 'resubmitted', 'approved', 'withdrawn', name='submission_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['files.id'], name=op.f('fk_submissions_file_id_files'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['users.id'], name=op.f('fk_submissions_member_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_submissions_reviewer_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_submissions_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['file_versions.id'], name=op.f('fk_submissions_version_id_file_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submissions'))
    )
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submissions_file_id'), ['file_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_team_id'), ['team_id'], unique=False)
        batch_op.create_index('uq_submissions_open', ['team_id', 'file_id'], unique=True, postgresql_where=sa.text("status NOT IN ('approved', 'withdrawn')"), sqlite_where=sa.text("status NOT IN ('approved', 'withdrawn')"))

    op.create_table('gate_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=True),
    sa.Column('check_id', sa.Integer(), nullable=True),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('issue_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['check_id'], ['checks.id'], name=op.f('fk_gate_runs_check_id_checks'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['file_id'], ['files.id'], name=op.f('fk_gate_runs_file_id_files'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['users.id'], name=op.f('fk_gate_runs_member_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_gate_runs_submission_id_submissions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_gate_runs_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['file_versions.id'], name=op.f('fk_gate_runs_version_id_file_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gate_runs')),
    sa.UniqueConstraint('submission_id', 'version_id', name='uq_gate_runs_submission_version')
    )
    with op.batch_alter_table('gate_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gate_runs_team_id'), ['team_id'], unique=False)

    op.create_table('review_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('first_line', sa.Integer(), nullable=True),
    sa.Column('last_line', sa.Integer(), nullable=True),
    sa.Column('line_text', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('open', 'changed', 'outdated', 'resolved', name='comment_state', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('at_version_id', sa.Integer(), nullable=True),
    sa.Column('at_first_line', sa.Integer(), nullable=True),
    sa.Column('at_last_line', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['at_version_id'], ['file_versions.id'], name=op.f('fk_review_comments_at_version_id_file_versions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_review_comments_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['resolved_by'], ['users.id'], name=op.f('fk_review_comments_resolved_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_review_comments_submission_id_submissions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['file_versions.id'], name=op.f('fk_review_comments_version_id_file_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_comments'))
    )
    with op.batch_alter_table('review_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_comments_submission_id'), ['submission_id'], unique=False)

    op.create_table('submission_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('submitted', 'in_review', 'changes', 'resubmitted', 'approved', 'withdrawn', name='event_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_submission_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_submission_events_submission_id_submissions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['file_versions.id'], name=op.f('fk_submission_events_version_id_file_versions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submission_events'))
    )
    with op.batch_alter_table('submission_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_events_submission_id'), ['submission_id'], unique=False)

    op.create_table('review_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('gate_run_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('submitted', 'in_review', 'changes', 'resubmitted', 'approved', 'withdrawn', 'blocked', name='notice_kind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.Enum('email', 'telegram', name='notice_channel', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('status', sa.Enum('pending', 'sent', 'failed', name='notice_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('chat_id', sa.BigInteger(), nullable=True),
    sa.Column('message_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['submission_events.id'], name=op.f('fk_review_notices_event_id_submission_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['gate_run_id'], ['gate_runs.id'], name=op.f('fk_review_notices_gate_run_id_gate_runs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_review_notices_recipient_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_review_notices_submission_id_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_notices'))
    )
    with op.batch_alter_table('review_notices', schema=None) as batch_op:
        batch_op.create_index('ix_review_notices_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_notices_recipient_id'), ['recipient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_notices_submission_id'), ['submission_id'], unique=False)

    with op.batch_alter_table('checks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gate', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('team_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_checks_team_id_teams'), 'teams', ['team_id'], ['id'], ondelete='SET NULL')



def downgrade() -> None:
    with op.batch_alter_table('checks', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_checks_team_id_teams'), type_='foreignkey')
        batch_op.drop_column('team_id')
        batch_op.drop_column('gate')

    with op.batch_alter_table('review_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_notices_submission_id'))
        batch_op.drop_index(batch_op.f('ix_review_notices_recipient_id'))
        batch_op.drop_index('ix_review_notices_due')

    op.drop_table('review_notices')
    with op.batch_alter_table('submission_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submission_events_submission_id'))

    op.drop_table('submission_events')
    with op.batch_alter_table('review_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_comments_submission_id'))

    op.drop_table('review_comments')
    with op.batch_alter_table('gate_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gate_runs_team_id'))

    op.drop_table('gate_runs')
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index('uq_submissions_open', postgresql_where=sa.text("status NOT IN ('approved', 'withdrawn')"), sqlite_where=sa.text("status NOT IN ('approved', 'withdrawn')"))
        batch_op.drop_index(batch_op.f('ix_submissions_team_id'))
        batch_op.drop_index(batch_op.f('ix_submissions_member_id'))
        batch_op.drop_index(batch_op.f('ix_submissions_file_id'))

    op.drop_table('submissions')
    with op.batch_alter_table('team_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_members_user_id'))

    op.drop_table('team_members')
    op.drop_table('teams')
