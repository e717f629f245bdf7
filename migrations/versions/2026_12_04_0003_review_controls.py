"""review controls: the custom preset, own configurations, muted rules

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 15:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_PRESETS = ('default', 'pep8', 'strict')
NEW_PRESETS = (*OLD_PRESETS, 'custom')


def _preset(name: str, values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=16)


def upgrade() -> None:
    op.create_table('review_configs',
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.PrimaryKeyConstraint('hash', name=op.f('pk_review_configs'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('rule_preset', existing_type=_preset('rule_preset', OLD_PRESETS), type_=_preset('rule_preset', NEW_PRESETS), existing_nullable=False)
        batch_op.add_column(sa.Column('ruff_config_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('muted_rules', sa.JSON(), server_default='[]', nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_users_ruff_config_hash_review_configs'), 'review_configs', ['ruff_config_hash'], ['hash'], ondelete='RESTRICT')

    with op.batch_alter_table('checks', schema=None) as batch_op:
        batch_op.alter_column('preset', existing_type=_preset('check_preset', OLD_PRESETS), type_=_preset('check_preset', NEW_PRESETS), existing_nullable=False)
        batch_op.add_column(sa.Column('config_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('muted_rules', sa.JSON(), server_default='[]', nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_checks_config_hash_review_configs'), 'review_configs', ['config_hash'], ['hash'], ondelete='RESTRICT')


def downgrade() -> None:
    # Checks and choices made with a person's own configuration fall back to ruff's defaults.
    op.execute("UPDATE checks SET preset = 'default' WHERE preset = 'custom'")
    op.execute("UPDATE users SET rule_preset = 'default' WHERE rule_preset = 'custom'")
    with op.batch_alter_table('checks', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_checks_config_hash_review_configs'), type_='foreignkey')
        batch_op.drop_column('muted_rules')
        batch_op.drop_column('config_hash')
        batch_op.alter_column('preset', existing_type=_preset('check_preset', NEW_PRESETS), type_=_preset('check_preset', OLD_PRESETS), existing_nullable=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_ruff_config_hash_review_configs'), type_='foreignkey')
        batch_op.drop_column('muted_rules')
        batch_op.drop_column('ruff_config_hash')
        batch_op.alter_column('rule_preset', existing_type=_preset('rule_preset', NEW_PRESETS), type_=_preset('rule_preset', OLD_PRESETS), existing_nullable=False)

    op.drop_table('review_configs')
