"""delivery owners and truncated issue lists

Deliveries carry the worker that holds them (`claimed_by`), as versions do; a check row says
whether its stored issues are only the first MAX_ISSUES_PER_CHECK of them
(`issues_truncated`). Both are plain added columns: no table is recreated on SQLite.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('checks', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('issues_truncated', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_column('claimed_by')
    with op.batch_alter_table('checks', schema=None) as batch_op:
        batch_op.drop_column('issues_truncated')
