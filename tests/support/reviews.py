"""A team, and a submission to it, seeded with the core services for the Mini App's review
tests (the chat's team screens and its Send for review are tested by their own features)."""

from dataclasses import dataclass

from sqlalchemy import select

from core.models import FileVersion, TelegramAccount, User
from core.services import files as file_service
from core.services.quotas import StorageLimits
from core.services.resubmissions import NextVersion, judge_next_version
from core.services.review_comments import CommentDraft, add_comment
from core.services.submissions import submit_for_review
from core.team_models import Team, TeamMember, TeamRole
from infra.ruff.gate import RuffGateChecker
from tests.support.app import Person
from tests.support.people import seeded
from tests.support.webapp import MiniApp

# Twelve lines that pass the default rules; the reviewer comments on lines 3 and 10.
V2 = "".join(f"value_{n} = {n}\n" for n in range(1, 13)).encode()
# The next version: line 3 moved down five lines unchanged, line 10 rewritten.
_V3 = [f"value_{n} = {n}" for n in range(1, 13)]
_V3[9] = "value_10 = 10 * 2"
V3 = ("\n".join(_V3[:2] + [f"extra_{n} = {n}" for n in range(5)] + _V3[2:]) + "\n").encode()
FILE_NAME = "homework_7.py"
TEAM_NAME = "Evening «Python»"


@dataclass
class Cast:
    owner: Person
    reviewer: Person
    member: Person
    teammate: Person  # a member of the team who did not send it
    outsider: Person
    ids: dict[str, int]  # user ids by role, and "team", "file"
    submission_id: int


async def user_id(mini_app: MiniApp, person: Person) -> int:
    async with mini_app.bot_app.session_factory() as session:
        found = await session.scalar(select(User.id).where(User.email == person.email))
    assert found is not None
    return found


async def upload(mini_app: MiniApp, cast_ids: dict[str, int], content: bytes) -> int:
    """A version of the member's file, stored as an upload in chat stores it; its id."""
    async with mini_app.bot_app.session_factory() as session:
        account_id = await session.scalar(
            select(TelegramAccount.id).where(TelegramAccount.user_id == cast_ids["member"])
        )
        assert account_id is not None
        stored = await file_service.store_upload(
            session,
            file_service.Uploader(
                user_id=cast_ids["member"], account_id=account_id, telegram_id=0
            ),
            name=FILE_NAME,
            content=content,
            telegram_file_id=None,
            limits=StorageLimits(max_files=50, max_bytes=10**7),
        )
        version_id = await session.scalar(
            select(FileVersion.id).where(
                FileVersion.file_id == stored.file_id, FileVersion.number == stored.version
            )
        )
        await session.commit()
    cast_ids["file"] = stored.file_id
    assert version_id is not None
    return version_id


def gate_checker(mini_app: MiniApp) -> RuffGateChecker:
    return RuffGateChecker(mini_app.bot_app.runtime.dispatcher.workflow_data["ruff_runner"])


async def a_submission(mini_app: MiniApp, content: bytes = V2, *, language: str = "en") -> Cast:
    """Olga owns the team, Rita reviews in it, Max sent `homework_7.py` (passing the gate),
    Tim is a member too; Oscar is in no team. Their Telegram speaks `language`."""
    app = mini_app.bot_app
    people = {
        role: await seeded(app, f"{role}@example.org", language_code=language)
        for role in ("owner", "reviewer", "member", "teammate", "outsider")
    }
    ids = {role: await user_id(mini_app, person) for role, person in people.items()}
    async with app.session_factory() as session:
        team = Team(name=TEAM_NAME, invite_token="invite-token-1")
        session.add(team)
        await session.flush()
        for role, team_role, name in (
            ("owner", TeamRole.OWNER, "Olga Owner"),
            ("reviewer", TeamRole.REVIEWER, "Rita Reviewer"),
            ("member", TeamRole.MEMBER, "Max Member"),
            ("teammate", TeamRole.MEMBER, "Tim Teammate"),
        ):
            session.add(
                TeamMember(team_id=team.id, user_id=ids[role], role=team_role, display_name=name)
            )
        ids["team"] = team.id
        await session.commit()
    await upload(mini_app, ids, content)
    async with app.session_factory() as session:
        sent = await submit_for_review(
            session,
            gate_checker(mini_app),
            user_id=ids["member"],
            file_id=ids["file"],
            team_id=ids["team"],
        )
    assert sent.submission_id is not None, sent.verdict
    return Cast(**people, ids=ids, submission_id=sent.submission_id)


async def comment(mini_app: MiniApp, cast: Cast, line: int | None, body: str) -> int:
    async with mini_app.bot_app.session_factory() as session:
        added = await add_comment(
            session, cast.ids["reviewer"], cast.submission_id, CommentDraft(line, line, body)
        )
        return added.id


async def resubmit(mini_app: MiniApp, cast: Cast, content: bytes) -> None:
    """The member's next version, judged by the gate as the worker judges it."""
    version_id = await upload(mini_app, cast.ids, content)
    async with mini_app.bot_app.session_factory() as session:
        waiting = NextVersion(submission_id=cast.submission_id, version_id=version_id)
        assert await judge_next_version(session, gate_checker(mini_app), waiting)


async def a_review_of(
    mini_app: MiniApp, member: Person, reviewer: Person, file_id: int
) -> tuple[int, int]:
    """`member`'s file sent to a team `reviewer` owns (its gate lets a few issues through), and
    one comment of the reviewer's on its first line: the submission's and the comment's ids."""
    member_id, reviewer_id = await user_id(mini_app, member), await user_id(mini_app, reviewer)
    for person in (member, reviewer):  # both started the bot: a running worker may tell them
        person.chat.open_chat()
    async with mini_app.bot_app.session_factory() as session:
        team = Team(name="Team", invite_token="invite-token-2", gate_max_issues=10)
        session.add(team)
        await session.flush()
        session.add_all(
            [
                TeamMember(team_id=team.id, user_id=reviewer_id, role=TeamRole.OWNER,
                           display_name="Owner"),
                TeamMember(team_id=team.id, user_id=member_id, role=TeamRole.MEMBER,
                           display_name="Member"),
            ]
        )  # fmt: skip
        await session.commit()
        sent = await submit_for_review(
            session, gate_checker(mini_app), user_id=member_id, file_id=file_id, team_id=team.id
        )
        assert sent.submission_id is not None, sent.verdict
        added = await add_comment(
            session, reviewer_id, sent.submission_id, CommentDraft(1, 1, "A remark")
        )
        return sent.submission_id, added.id
