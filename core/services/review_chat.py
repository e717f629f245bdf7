"""What the chat's review screens read besides `submission_views`: the teams a file may be sent
to, and the code under review as a document. Access is that of `files` (the person's own file)
and of `submissions.visible_submission` (the member, or the team's owner and reviewers)."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import File, FileVersion
from core.services.files import FileContent, get_file_name
from core.services.submissions import TeamChoice, teams_to_submit_to, visible_submission
from core.team_errors import NotInAnyTeamError


@dataclass(frozen=True)
class SubmitChoice:
    file_id: int
    file_name: str
    teams: tuple[TeamChoice, ...]  # at least one


async def submit_choice(session: AsyncSession, user_id: int, file_id: int) -> SubmitChoice:
    """The person's active file and the teams it may be sent to; `FileNotFoundForUserError`
    for anyone else's file, `NotInAnyTeamError` with no team. Ends the session's transaction:
    no connection is held while the gate waits for a ruff slot."""
    name = await get_file_name(session, user_id, file_id)
    teams = await teams_to_submit_to(session, user_id)
    await session.commit()
    if not teams:
        raise NotInAnyTeamError
    return SubmitChoice(file_id=file_id, file_name=name, teams=tuple(teams))


async def submission_code(
    session: AsyncSession, viewer_id: int, submission_id: int
) -> FileContent:
    """The version under review, for those who may see the submission (else
    `SubmissionNotFoundError`)."""
    submission = await visible_submission(session, viewer_id, submission_id)
    row = (
        await session.execute(
            select(File.name, FileVersion.number, FileVersion.content)
            .join(File, File.id == FileVersion.file_id)
            .where(FileVersion.id == submission.version_id)
        )
    ).one()
    return FileContent(name=row.name, version=row.number, content=row.content)
