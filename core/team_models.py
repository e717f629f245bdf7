"""Review by people: teams and their members, submissions of a file's version to a team's
reviewers, the status history, line comments, the gate's runs, and the review notices (an outbox
of their own, like the results' deliveries)."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.models import (
    Base,
    DeliveryChannel,
    DeliveryStatus,
    RulePreset,
    UtcDateTime,
    created_at_column,
    enum_column,
    utcnow,
)


class TeamRole(StrEnum):
    OWNER = "owner"  # created the team (or took it over); also reviews
    REVIEWER = "reviewer"
    MEMBER = "member"


class SubmissionStatus(StrEnum):
    """submitted → in review → changes requested → resubmitted → … → approved, or withdrawn
    by the member at any step before approval."""

    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes"
    RESUBMITTED = "resubmitted"
    APPROVED = "approved"
    WITHDRAWN = "withdrawn"

    @property
    def open(self) -> bool:
        return self not in {SubmissionStatus.APPROVED, SubmissionStatus.WITHDRAWN}


class CommentState(StrEnum):
    OPEN = "open"  # at its line (carried to where the same text stands now)
    CHANGED = "changed"  # its line changed in a later version: "changed — resolve?"
    OUTDATED = "outdated"  # its line is gone
    RESOLVED = "resolved"


class NoticeKind(StrEnum):
    """What a review notice tells: a status change (the event's status), or that a new version
    did not pass the team's gate (`blocked`, to the member only)."""

    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes"
    RESUBMITTED = "resubmitted"
    APPROVED = "approved"
    WITHDRAWN = "withdrawn"
    BLOCKED = "blocked"


class Team(Base):
    """A group of people who review each other's files: its rules and its gate."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    # The rules a version is checked with before review (as a person's `/rules`).
    preset: Mapped[RulePreset] = mapped_column(
        enum_column(RulePreset, "team_preset"), default=RulePreset.DEFAULT
    )
    config_hash: Mapped[str | None] = mapped_column(
        ForeignKey("review_configs.hash", ondelete="RESTRICT")
    )
    # The gate: a version goes to review with at most this many issues (0: none).
    gate_max_issues: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The secret of the invite link `https://t.me/<bot>?start=join_<token>`; a new one
    # replaces it (the old link stops working).
    invite_token: Mapped[str] = mapped_column(String(32), unique=True)
    # A group chat that gets one line per status change (no code, no issues, no comments).
    group_chat_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    created_at: Mapped[datetime] = created_at_column()


class TeamMember(Base):
    __tablename__ = "team_members"
    __table_args__ = (UniqueConstraint("team_id", "user_id", name="uq_team_members_team_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[TeamRole] = mapped_column(enum_column(TeamRole, "team_role"))
    # How the team sees the person (their Telegram name when they joined; never the email).
    display_name: Mapped[str] = mapped_column(String(64))
    joined_at: Mapped[datetime] = created_at_column()


class Submission(Base):
    """A member's file sent to a team for review: one open submission per team and file; the
    version under review moves on with each resubmission."""

    __tablename__ = "submissions"
    __table_args__ = (
        Index(
            "uq_submissions_open",
            "team_id",
            "file_id",
            unique=True,
            postgresql_where=text("status NOT IN ('approved', 'withdrawn')"),
            sqlite_where=text("status NOT IN ('approved', 'withdrawn')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("file_versions.id", ondelete="CASCADE"))
    status: Mapped[SubmissionStatus] = mapped_column(
        enum_column(SubmissionStatus, "submission_status")
    )
    reviewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )  # who took it
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), default=utcnow, server_default=func.now(), onupdate=utcnow
    )


class SubmissionEvent(Base):
    """One status change: what it became, for which version, who made it (None: a person
    since forgotten) and when."""

    __tablename__ = "submission_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[SubmissionStatus] = mapped_column(enum_column(SubmissionStatus, "event_status"))
    version_id: Mapped[int | None] = mapped_column(
        ForeignKey("file_versions.id", ondelete="SET NULL")
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()


class GateRun(Base):
    """A version judged by a team's gate: the check it was judged on (the person's own when
    the rules are the same, else a check of its own) and whether it passed."""

    __tablename__ = "gate_runs"
    __table_args__ = (
        # A resubmission is judged once per version, whichever worker gets there first.
        UniqueConstraint("submission_id", "version_id", name="uq_gate_runs_submission_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("file_versions.id", ondelete="CASCADE"))
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE")
    )
    check_id: Mapped[int | None] = mapped_column(ForeignKey("checks.id", ondelete="SET NULL"))
    passed: Mapped[bool] = mapped_column(Boolean)
    issue_count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = created_at_column()


class ReviewComment(Base):
    """A reviewer's comment on a line or a range of a version (a general one has no lines),
    with the text of those lines, and where it stands in the latest version."""

    __tablename__ = "review_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    # None once the reviewer is forgotten: "a former reviewer".
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version_id: Mapped[int] = mapped_column(ForeignKey("file_versions.id", ondelete="CASCADE"))
    first_line: Mapped[int | None] = mapped_column(Integer)
    last_line: Mapped[int | None] = mapped_column(Integer)
    line_text: Mapped[str] = mapped_column(Text, default="")  # the lines, as written on
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[CommentState] = mapped_column(
        enum_column(CommentState, "comment_state"), default=CommentState.OPEN
    )
    # Where it stands now: the latest version it was carried to, and its lines there.
    at_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("file_versions.id", ondelete="SET NULL")
    )
    at_first_line: Mapped[int | None] = mapped_column(Integer)
    at_last_line: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = created_at_column()
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ReviewNotice(Base):
    """One review notice to send on one channel (an outbox like `deliveries`): to a person
    (`recipient_id`) or, with no recipient, one line to the team's group chat."""

    __tablename__ = "review_notices"
    __table_args__ = (Index("ix_review_notices_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("submission_events.id", ondelete="CASCADE")
    )
    gate_run_id: Mapped[int | None] = mapped_column(ForeignKey("gate_runs.id", ondelete="CASCADE"))
    kind: Mapped[NoticeKind] = mapped_column(enum_column(NoticeKind, "notice_kind"))
    recipient_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[DeliveryChannel] = mapped_column(
        enum_column(DeliveryChannel, "notice_channel")
    )
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_column(DeliveryStatus, "notice_status"), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Where a chat notice went: a reviewer replies to it with `12: text` to comment.
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = created_at_column()
