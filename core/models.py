"""The data model: users, Telegram accounts, email confirmations, files, versions, checks
and their deliveries."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from core.presets import RulePreset as RulePreset  # noqa: PLC0414 - re-exported

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def enum_column(enum_class: type[StrEnum], name: str) -> Enum:
    """A portable enum column: VARCHAR plus a CHECK constraint, storing the values."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda members: [member.value for member in members],
    )


class FileStatus(StrEnum):
    NEW = "new"
    REPLACED = "replaced"
    CHECKING = "checking"
    CHECKED = "checked"
    ERROR = "error"
    DELETED = "deleted"


class FileEventKind(StrEnum):
    UPLOAD = "upload"
    REPLACE = "replace"
    DELETE = "delete"


class CheckState(StrEnum):
    """Where a version is in the check pipeline (the file's status is what a person sees)."""

    PENDING = "pending"
    CLAIMED = "claimed"
    CHECKED = "checked"
    FAILED = "failed"


class CheckResult(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"


class DeliveryChannel(StrEnum):
    EMAIL = "email"
    TELEGRAM = "telegram"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class ConfirmationPurpose(StrEnum):
    REGISTER = "register"
    LOGIN = "login"


# The id columns are INTEGER: a larger number (from forged callback data or a URL) names no row,
# and comparing one with an id column fails on PostgreSQL.
LARGEST_ID = 2**31 - 1


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on every backend (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC time")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def created_at_column() -> Mapped[datetime]:
    return mapped_column(UtcDateTime(), default=utcnow, server_default=func.now())


class User(Base):
    """A person, identified by a confirmed email address."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    email_confirmed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    rule_preset: Mapped[RulePreset] = mapped_column(
        enum_column(RulePreset, "rule_preset"), default=RulePreset.DEFAULT
    )
    # The person's own configuration (used while the preset is `custom`; kept when they go
    # back to a built-in preset) and the rules left out of their checks.
    ruff_config_hash: Mapped[str | None] = mapped_column(
        ForeignKey("review_configs.hash", ondelete="RESTRICT")
    )
    muted_rules: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    created_at: Mapped[datetime] = created_at_column()


class ReviewConfigText(Base):
    """A person's ruff configuration, normalized to a `ruff.toml` text and stored once by its
    SHA-256: users and check rows refer to it by hash."""

    __tablename__ = "review_configs"

    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()


class TelegramAccount(Base):
    """A Telegram account that has talked to the bot; linked to a user once registered."""

    __tablename__ = "telegram_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    language_code: Mapped[str] = mapped_column(String(16), default="en")
    linked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = created_at_column()


class EmailConfirmation(Base):
    """A one-time code sent to an address; only a salted hash of the code is kept."""

    __tablename__ = "email_confirmations"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, index=True)
    email: Mapped[str] = mapped_column(String(320))
    purpose: Mapped[ConfirmationPurpose] = mapped_column(
        enum_column(ConfirmationPurpose, "confirmation_purpose")
    )
    code_hash: Mapped[bytes] = mapped_column(LargeBinary(64))
    code_salt: Mapped[bytes] = mapped_column(LargeBinary(32))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class File(Base):
    """A user's file; its content lives in versions. Deleting only marks the status."""

    __tablename__ = "files"
    __table_args__ = (
        Index(
            "uq_files_active_name",
            "user_id",
            "name",
            unique=True,
            postgresql_where=text("status <> 'deleted'"),
            sqlite_where=text("status <> 'deleted'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    status: Mapped[FileStatus] = mapped_column(enum_column(FileStatus, "file_status"))
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), default=utcnow, server_default=func.now(), onupdate=utcnow
    )


class FileVersion(Base):
    """One uploaded content of a file. The bytes are stored, never executed."""

    __tablename__ = "file_versions"
    __table_args__ = (UniqueConstraint("file_id", "number", name="uq_file_versions_file_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    telegram_file_id: Mapped[str | None] = mapped_column(String(255))
    uploaded_by: Mapped[int | None] = mapped_column(
        ForeignKey("telegram_accounts.id", ondelete="SET NULL")
    )
    uploaded_at: Mapped[datetime] = created_at_column()
    check_state: Mapped[CheckState] = mapped_column(
        enum_column(CheckState, "check_state"),
        default=CheckState.PENDING,
        server_default=CheckState.PENDING.value,
        index=True,
    )
    check_after: Mapped[datetime | None] = mapped_column(UtcDateTime())
    check_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claim_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class FileEvent(Base):
    """A mark of every upload, replacement and deletion, with its time."""

    __tablename__ = "file_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int | None] = mapped_column(
        ForeignKey("file_versions.id", ondelete="SET NULL")
    )
    kind: Mapped[FileEventKind] = mapped_column(enum_column(FileEventKind, "file_event_kind"))
    telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = created_at_column()


class Check(Base):
    """The log of one ruff run on one version."""

    __tablename__ = "checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("file_versions.id", ondelete="CASCADE"), index=True
    )
    preset: Mapped[RulePreset] = mapped_column(enum_column(RulePreset, "check_preset"))
    # With preset `custom`: the configuration it ran with. Rules muted at the time, left out.
    config_hash: Mapped[str | None] = mapped_column(
        ForeignKey("review_configs.hash", ondelete="RESTRICT")
    )
    muted_rules: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    ruff_version: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime] = mapped_column(UtcDateTime())
    result: Mapped[CheckResult] = mapped_column(enum_column(CheckResult, "check_result"))
    issue_count: Mapped[int] = mapped_column(Integer)  # exact, even when `issues` is cut
    issues: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # True when `issues` holds only the first MAX_ISSUES_PER_CHECK of them, in file order.
    issues_truncated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    error: Mapped[str | None] = mapped_column(Text)
    # A check of a version under a team's rules before it goes to review (core/services/
    # gate.py): logged like every check, but never a file's "latest check" (that is the
    # person's own rules). `team_id` is cleared when the team is deleted; `gate` stays.
    gate: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    # Lines of the version checked (its bytes split as ruff splits lines): the grade's scale.
    line_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The file's baseline when the check ran (core/baseline_models.py): the number of the
    # version whose issues were accepted, and how many of this check's issues it matched (they
    # are marked `accepted` in `issues`). The result passes when every issue was matched.
    baseline_version: Mapped[int | None] = mapped_column(Integer)
    accepted_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Delivery(Base):
    """One result to send on one channel (the outbox): written with its check."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("check_id", "channel", name="uq_deliveries_check_channel"),
        Index("ix_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("checks.id", ondelete="CASCADE"))
    channel: Mapped[DeliveryChannel] = mapped_column(
        enum_column(DeliveryChannel, "delivery_channel")
    )
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_column(DeliveryStatus, "delivery_status"), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The worker whose claim this is (like a version's `claimed_by`): only it marks the
    # delivery sent, failed or released while `claimed_until` has not passed.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = created_at_column()


# The teams' tables (review by people) and the baselines live in their own modules; imported
# here so that the metadata always holds them.
from core import baseline_models as _baseline_models  # noqa: E402, F401 - registers the table
from core import team_models as _team_models  # noqa: E402, F401 - registers the tables
