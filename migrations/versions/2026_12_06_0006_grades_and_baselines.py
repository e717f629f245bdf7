"""line counts for grades, and files' baselines

A check keeps the number of lines of the version it checked (`line_count`, the scale of its
grade), and the baseline it was judged against (`baseline_version`, `accepted_count`). A
file's baseline is a row of the new `file_baselines`. The columns are plain added ones (no
table is recreated on SQLite); `line_count` is filled for every existing check from its
version's bytes, 500 checks at a time.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 10:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 500


def upgrade() -> None:
    op.create_table(
        "file_baselines",
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["files.id"],
            name=op.f("fk_file_baselines_file_id_files"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["file_versions.id"],
            name=op.f("fk_file_baselines_version_id_file_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("file_id", name=op.f("pk_file_baselines")),
    )
    with op.batch_alter_table("file_baselines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_file_baselines_version_id"), ["version_id"], unique=False
        )

    with op.batch_alter_table("checks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("line_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("baseline_version", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("accepted_count", sa.Integer(), server_default="0", nullable=False)
        )
    _fill_line_counts()


def _fill_line_counts() -> None:
    """Each check's `line_count` from its version's bytes, split as `bytes.splitlines` splits
    (\\n, \\r\\n and a lone \\r end a line, as in ruff)."""
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(
            sa.text(
                "SELECT checks.id, file_versions.content FROM checks"
                " JOIN file_versions ON file_versions.id = checks.version_id"
                " WHERE checks.id > :last ORDER BY checks.id LIMIT :batch"
            ),
            {"last": last, "batch": _BATCH},
        ).all()
        if not rows:
            return
        bind.execute(
            sa.text("UPDATE checks SET line_count = :lines WHERE id = :id"),
            [{"id": row[0], "lines": len(bytes(row[1]).splitlines())} for row in rows],
        )
        last = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("checks", schema=None) as batch_op:
        batch_op.drop_column("accepted_count")
        batch_op.drop_column("baseline_version")
        batch_op.drop_column("line_count")

    with op.batch_alter_table("file_baselines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_file_baselines_version_id"))

    op.drop_table("file_baselines")
