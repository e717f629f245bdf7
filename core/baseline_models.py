"""A file's baseline: the version whose issues its owner accepted ("Accept current issues" on
the file card). Later versions are judged against it: only issues beyond the baseline's fail
(core/services/baselines.py). One row per file; clearing the baseline deletes it."""

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from core.models import Base, created_at_column


class FileBaseline(Base):
    __tablename__ = "file_baselines"

    file_id: Mapped[int] = mapped_column(
        ForeignKey("files.id", ondelete="CASCADE"), primary_key=True
    )
    version_id: Mapped[int] = mapped_column(
        ForeignKey("file_versions.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = created_at_column()
