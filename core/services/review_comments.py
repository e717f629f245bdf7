"""Line comments on a submission: written by the team's reviewers on the version under review
(in chat by replying `12: text` or `12-14: text` to the submission's message, in the Mini App by
tapping a line), resolved by them, and carried to each next version of the file
(core/comment_carry.py)."""

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.comment_carry import carry_comment, code_lines
from core.models import DeliveryChannel, FileVersion, utcnow
from core.services.notice_rows import REVIEWING_ROLES
from core.services.submissions import (
    visible_submission,
)
from core.team_errors import (
    CommentLinesError,
    CommentNotFoundError,
    CommentRefusedError,
    NotACommentReplyError,
    OwnSubmissionError,
    SubmissionNotFoundError,
    SubmissionStatusError,
)
from core.team_models import (
    CommentState,
    ReviewComment,
    ReviewNotice,
    Submission,
    TeamMember,
)

MAX_COMMENT_LENGTH = 2000
MAX_LINES_PER_COMMENT = 200
_LINES = re.compile(r"\s*(\d{1,9})\s*(?:[-\u2013\u2014]\s*(\d{1,9}))?\s*:(.*)", re.DOTALL)


@dataclass(frozen=True)
class CommentDraft:
    """A comment as typed: its lines (None: general) and its text."""

    first_line: int | None
    last_line: int | None
    body: str


def parse_comment(text: str) -> CommentDraft:
    """`12: text`, `12-14: text` (or an en/em dash), else the whole text as a general comment."""
    matched = _LINES.fullmatch(text)
    if matched is None:
        return CommentDraft(None, None, text.strip())
    first = int(matched.group(1))
    last = int(matched.group(2)) if matched.group(2) else first
    return CommentDraft(first, last, matched.group(3).strip())


async def add_comment(
    session: AsyncSession, reviewer_id: int, submission_id: int, draft: CommentDraft
) -> ReviewComment:
    """A reviewer's comment on the version under review."""
    submission = await _for_commenting(session, reviewer_id, submission_id)
    body = draft.body.replace("\x00", "").strip()
    if not body or len(body) > MAX_COMMENT_LENGTH:
        raise CommentRefusedError(MAX_COMMENT_LENGTH)
    line_text = ""
    if draft.first_line is not None:
        last = draft.last_line if draft.last_line is not None else draft.first_line
        content = await session.scalar(
            select(FileVersion.content).where(FileVersion.id == submission.version_id)
        )
        lines = code_lines(content or b"")
        if not (
            1 <= draft.first_line <= last <= len(lines)
            and last - draft.first_line < MAX_LINES_PER_COMMENT
        ):
            raise CommentLinesError(line_count=len(lines))
        line_text = "\n".join(lines[draft.first_line - 1 : last]).replace("\x00", "")
    comment = ReviewComment(
        submission_id=submission.id,
        author_id=reviewer_id,
        version_id=submission.version_id,
        first_line=draft.first_line,
        last_line=draft.last_line if draft.last_line is not None else draft.first_line,
        line_text=line_text,
        body=body,
        state=CommentState.OPEN,
        at_version_id=submission.version_id,
        at_first_line=draft.first_line,
        at_last_line=draft.last_line if draft.last_line is not None else draft.first_line,
    )
    session.add(comment)
    await session.commit()
    return comment


async def submission_replied_to(
    session: AsyncSession, reviewer_id: int, chat_id: int, message_id: int
) -> int:
    """The submission whose notice (sent to this reviewer in this chat) is `message_id`."""
    submission_id = await session.scalar(
        select(ReviewNotice.submission_id).where(
            ReviewNotice.recipient_id == reviewer_id,
            ReviewNotice.channel == DeliveryChannel.TELEGRAM,
            ReviewNotice.chat_id == chat_id,
            ReviewNotice.message_id == message_id,
        )
    )
    if submission_id is None:
        raise NotACommentReplyError
    return submission_id


async def comment_by_reply(
    session: AsyncSession,
    reviewer_id: int,
    *,
    chat_id: int,
    message_id: int,
    text: str,
    shown_submission_id: int | None = None,
) -> ReviewComment:
    """A comment replied to a submission's notice, or to a message that shows the submission
    (`shown_submission_id`: its screen, whose buttons name it). Replying to a message that
    shows a submission the person cannot comment on (their own) is no comment at all."""
    try:
        submission_id = await submission_replied_to(session, reviewer_id, chat_id, message_id)
    except NotACommentReplyError:
        if shown_submission_id is None:
            raise
        try:
            await _for_commenting(session, reviewer_id, shown_submission_id)
        except (OwnSubmissionError, SubmissionNotFoundError) as error:
            raise NotACommentReplyError from error
        submission_id = shown_submission_id
    return await add_comment(session, reviewer_id, submission_id, parse_comment(text))


async def resolve_comment(
    session: AsyncSession, reviewer_id: int, submission_id: int, comment_id: int
) -> ReviewComment:
    await _for_commenting(session, reviewer_id, submission_id)
    comment = await session.scalar(
        select(ReviewComment).where(
            ReviewComment.id == comment_id, ReviewComment.submission_id == submission_id
        )
    )
    if comment is None:
        raise CommentNotFoundError
    if comment.state is not CommentState.RESOLVED:
        comment.state = CommentState.RESOLVED
        comment.resolved_at = utcnow()
        comment.resolved_by = reviewer_id
    await session.commit()
    return comment


async def carry_comments(session: AsyncSession, submission_id: int, version_id: int) -> None:
    """Carry every unresolved comment of the submission to `version_id` (a later version of its
    file): open where the same lines stand, changed where they were rewritten, outdated where
    they are gone. Comments already there are left as they are, so running it twice is the
    same as once. Does not commit."""
    comments = list(
        await session.scalars(
            select(ReviewComment).where(
                ReviewComment.submission_id == submission_id,
                ReviewComment.state.in_([CommentState.OPEN, CommentState.CHANGED]),
                ReviewComment.at_version_id != version_id,
            )
        )
    )
    if not comments:
        return
    new_lines = await _lines(session, version_id)
    old_sources: dict[int, list[str]] = {}
    for comment in comments:
        if comment.at_first_line is None or comment.at_version_id is None:
            comment.at_version_id = version_id  # a general comment goes along as it is
            continue
        if comment.at_version_id not in old_sources:
            old_sources[comment.at_version_id] = await _lines(session, comment.at_version_id)
        carried = carry_comment(
            old_sources[comment.at_version_id],
            new_lines,
            comment.at_first_line,
            comment.at_last_line or comment.at_first_line,
        )
        state = carried.state
        if comment.state is CommentState.CHANGED and state is CommentState.OPEN:
            state = CommentState.CHANGED  # still waiting for the reviewer's "resolve"
        comment.state = state
        comment.at_version_id = version_id
        comment.at_first_line = carried.first_line
        comment.at_last_line = carried.last_line


async def _lines(session: AsyncSession, version_id: int) -> list[str]:
    content = await session.scalar(select(FileVersion.content).where(FileVersion.id == version_id))
    return code_lines(content or b"")


async def _for_commenting(
    session: AsyncSession, reviewer_id: int, submission_id: int
) -> Submission:
    submission = await visible_submission(session, reviewer_id, submission_id)
    if submission.member_id == reviewer_id:
        raise OwnSubmissionError
    role = await session.scalar(
        select(TeamMember.role).where(
            TeamMember.team_id == submission.team_id, TeamMember.user_id == reviewer_id
        )
    )
    if role not in REVIEWING_ROLES:
        raise SubmissionNotFoundError
    if not submission.status.open:
        raise SubmissionStatusError(submission.status)
    return submission
