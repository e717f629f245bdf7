"""The review use cases below the chat: the gate, each step and who may take it, comments that
follow the code, and the notices each step leaves in the outbox. Real ruff, both stacks."""

import asyncio

import pytest
from sqlalchemy import func, select, update

from core.models import (
    Check,
    CheckState,
    FileVersion,
    RulePreset,
    TelegramAccount,
    User,
    utcnow,
)
from core.services import files as file_service
from core.services.privacy import forget_user
from core.services.quotas import StorageLimits
from core.services.reports import latest_check_summary
from core.services.resubmissions import judge_next_version, waiting_versions
from core.services.review_comments import (
    CommentDraft,
    add_comment,
    parse_comment,
    resolve_comment,
)
from core.services.submission_views import file_reviews, review_lists, submission_view
from core.services.submissions import (
    approve,
    request_changes,
    submit_for_review,
    take,
    withdraw,
)
from core.team_errors import (
    AlreadySubmittedError,
    CommentLinesError,
    OwnSubmissionError,
    SubmissionNotFoundError,
    SubmissionStatusError,
    TeamNotFoundError,
)
from core.team_models import (
    CommentState,
    GateRun,
    NoticeKind,
    ReviewComment,
    ReviewNotice,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    Team,
    TeamMember,
    TeamRole,
)
from infra.database import SessionFactory
from infra.ruff.gate import RuffGateChecker
from infra.ruff.runner import RuffRunner

FAILING = b"import os\nimport sys\n\nprint(undefined)\n"
# Twelve lines; line 3 and line 10 are what the reviewer comments on.
V2 = b"".join(f"value_{n} = {n}\n".encode() for n in range(1, 13))
# Line 3 moved down five lines unchanged, line 10 rewritten.
V3_LINES = [f"value_{n} = {n}" for n in range(1, 13)]
V3_LINES[9] = "value_10 = 10 * 2"
STRICT_ONLY = b"def f(x):\n    if x == None:\n        return 1\n    return 2\n"
V3 = "\n".join(V3_LINES[:2] + [f"extra_{n} = {n}" for n in range(5)] + V3_LINES[2:]) + "\n"


@pytest.fixture
def checker() -> RuffGateChecker:
    return RuffGateChecker(RuffRunner())


async def _people(factory: SessionFactory) -> dict[str, int]:
    async with factory() as session:
        ids = {}
        for name in ("owner", "reviewer", "member", "outsider"):
            user = User(email=f"{name}@example.org", email_confirmed_at=utcnow())
            session.add(user)
            await session.flush()
            ids[name] = user.id
            account = TelegramAccount(telegram_id=1000 + user.id, chat_id=1000 + user.id)
            account.user_id = user.id
            session.add(account)
            await session.flush()
            ids[f"{name}_account"] = account.id
        team = Team(name="Team «A»", preset=RulePreset.DEFAULT, invite_token="tok")
        session.add(team)
        await session.flush()
        for name, role in (
            ("owner", TeamRole.OWNER),
            ("reviewer", TeamRole.REVIEWER),
            ("member", TeamRole.MEMBER),
        ):
            session.add(
                TeamMember(team_id=team.id, user_id=ids[name], role=role, display_name=name)
            )
        ids["team"] = team.id
        await session.commit()
        return ids


async def _upload(factory: SessionFactory, ids: dict[str, int], content: bytes) -> int:
    async with factory() as session:
        stored = await file_service.store_upload(
            session,
            file_service.Uploader(
                user_id=ids["member"], account_id=ids["member_account"], telegram_id=0
            ),
            name="work.py",
            content=content,
            telegram_file_id=None,
            limits=StorageLimits(max_files=50, max_bytes=10**7),
        )
        # The worker's usual check, as far as the gate needs it: the version is checked.
        await session.execute(
            update(FileVersion)
            .where(FileVersion.file_id == stored.file_id)
            .values(check_state=CheckState.CHECKED)
        )
        await session.commit()
        return stored.file_id


async def _notices(factory: SessionFactory) -> list[tuple[NoticeKind, int | None]]:
    async with factory() as session:
        rows = await session.execute(
            select(ReviewNotice.kind, ReviewNotice.recipient_id).order_by(ReviewNotice.id)
        )
        found = {(kind, recipient) for kind, recipient in rows}
    return sorted(found, key=lambda row: (row[0], row[1] or 0))


async def test_the_whole_way_from_a_blocked_file_to_approval(
    session_factory: SessionFactory, checker: RuffGateChecker
) -> None:
    ids = await _people(session_factory)
    file_id = await _upload(session_factory, ids, FAILING)
    async with session_factory() as session:
        blocked = await submit_for_review(
            session, checker, user_id=ids["member"], file_id=file_id, team_id=ids["team"]
        )
    assert blocked.submission_id is None
    assert not blocked.verdict.passed
    assert sorted(issue.code for issue in blocked.verdict.issues) == ["F401", "F401", "F821"]
    assert await _notices(session_factory) == []  # nothing was sent

    await _upload(session_factory, ids, V2)
    async with session_factory() as session:
        sent = await submit_for_review(
            session, checker, user_id=ids["member"], file_id=file_id, team_id=ids["team"]
        )
    assert sent.submission_id is not None
    assert sent.verdict.passed
    assert sent.version == 2
    submission_id = sent.submission_id
    assert await _notices(session_factory) == [
        (NoticeKind.SUBMITTED, ids["owner"]),
        (NoticeKind.SUBMITTED, ids["reviewer"]),
    ]
    async with session_factory() as session:
        with pytest.raises(AlreadySubmittedError):
            await submit_for_review(
                session, checker, user_id=ids["member"], file_id=file_id, team_id=ids["team"]
            )
        with pytest.raises(OwnSubmissionError):
            await take(session, ids["member"], submission_id)
        with pytest.raises(SubmissionNotFoundError):
            await take(session, ids["outsider"], submission_id)
        await take(session, ids["reviewer"], submission_id)
        with pytest.raises(SubmissionStatusError):
            await take(session, ids["owner"], submission_id)
        for line in (3, 10):
            await add_comment(
                session, ids["reviewer"], submission_id, parse_comment(f"{line}: look here")
            )
        with pytest.raises(CommentLinesError):
            await add_comment(session, ids["reviewer"], submission_id, CommentDraft(13, 13, "x"))
        await request_changes(session, ids["reviewer"], submission_id)

    await _upload(session_factory, ids, V3.encode())
    async with session_factory() as session:
        waiting = await waiting_versions(session)
        assert len(waiting) == 1
        assert await judge_next_version(session, checker, waiting[0])
    async with session_factory() as session:
        assert await waiting_versions(session) == []  # judged once
        view = await submission_view(session, ids["reviewer"], submission_id)
    assert view.status is SubmissionStatus.RESUBMITTED
    assert view.version == 3
    at = {(c.state, c.first_line) for c in view.comments}
    assert at == {(CommentState.OPEN, 8), (CommentState.CHANGED, 15)}
    changed = next(c for c in view.comments if c.state is CommentState.CHANGED)
    async with session_factory() as session:
        await resolve_comment(session, ids["reviewer"], submission_id, changed.comment_id)
        await approve(session, ids["reviewer"], submission_id)
        view = await submission_view(session, ids["member"], submission_id)
        reviews = await file_reviews(session, ids["member"], file_id)
    assert [event.status for event in view.events] == [
        SubmissionStatus.SUBMITTED,
        SubmissionStatus.IN_REVIEW,
        SubmissionStatus.CHANGES_REQUESTED,
        SubmissionStatus.RESUBMITTED,
        SubmissionStatus.APPROVED,
    ]
    assert [(r.team_name, r.status, r.version) for r in reviews] == [
        ("Team «A»", SubmissionStatus.APPROVED, 3)
    ]
    kinds = {kind for kind, _ in await _notices(session_factory)}
    assert kinds == {
        NoticeKind.SUBMITTED,
        NoticeKind.IN_REVIEW,
        NoticeKind.CHANGES_REQUESTED,
        NoticeKind.RESUBMITTED,
        NoticeKind.APPROVED,
    }
    async with session_factory() as session:
        runs = await session.scalar(select(func.count()).select_from(GateRun))
    assert runs == 3  # blocked v1, v2 sent, v3 resubmitted


async def test_a_gate_under_other_rules_logs_a_check_of_its_own_and_keeps_the_latest(
    session_factory: SessionFactory, checker: RuffGateChecker
) -> None:
    ids = await _people(session_factory)
    async with session_factory() as session:
        team = await session.get_one(Team, ids["team"])
        team.preset = RulePreset.STRICT
        team.gate_max_issues = 100
        await session.commit()
    file_id = await _upload(session_factory, ids, STRICT_ONLY)
    async with session_factory() as session:
        outcome = await submit_for_review(
            session, checker, user_id=ids["member"], file_id=file_id, team_id=ids["team"]
        )
    assert outcome.verdict.passed
    assert outcome.verdict.issue_count > 0
    async with session_factory() as session:
        check = await session.get_one(Check, outcome.verdict.check_id)
        assert check.gate
        assert check.team_id == ids["team"]
        assert check.preset is RulePreset.STRICT
        versions = await session.scalar(
            select(func.count()).select_from(FileVersion).where(FileVersion.file_id == file_id)
        )
        assert versions == 1
        latest = await latest_check_summary(session, ids["member"], file_id)
    assert latest is None  # the gate's check is not the file's own latest check


async def test_withdraw_is_the_members_and_leaving_ends_access(
    session_factory: SessionFactory, checker: RuffGateChecker
) -> None:
    ids = await _people(session_factory)
    file_id = await _upload(session_factory, ids, V2)
    async with session_factory() as session:
        sent = await submit_for_review(
            session, checker, user_id=ids["member"], file_id=file_id, team_id=ids["team"]
        )
        assert sent.submission_id is not None
        with pytest.raises(SubmissionNotFoundError):
            await withdraw(session, ids["reviewer"], sent.submission_id)
        lists = await review_lists(session, ids["reviewer"])
        assert [line.submission_id for line in lists.to_review] == [sent.submission_id]
        member = await session.scalar(
            select(TeamMember).where(TeamMember.user_id == ids["reviewer"])
        )
        await session.delete(member)
        await session.commit()
        with pytest.raises(SubmissionNotFoundError):
            await submission_view(session, ids["reviewer"], sent.submission_id)
        with pytest.raises(TeamNotFoundError):  # a team the member is not in
            await submit_for_review(
                session, checker, user_id=ids["member"], file_id=file_id, team_id=10**6
            )
        await withdraw(session, ids["member"], sent.submission_id)
        with pytest.raises(SubmissionStatusError):
            await withdraw(session, ids["member"], sent.submission_id)


def test_a_reply_names_a_line_a_range_or_nothing() -> None:
    assert parse_comment("12: use a constant") == CommentDraft(12, 12, "use a constant")
    assert parse_comment(" 12-14 :  three lines") == CommentDraft(12, 14, "three lines")
    assert parse_comment("12\u201314: dash") == CommentDraft(12, 14, "dash")
    assert parse_comment("Looks good overall") == CommentDraft(None, None, "Looks good overall")


async def test_forget_takes_the_members_reviews_and_keeps_others_comments_nameless(
    session_factory: SessionFactory, checker: RuffGateChecker
) -> None:
    ids = await _people(session_factory)
    file_id = await _upload(session_factory, ids, V2)
    async with session_factory() as session:
        sent = await submit_for_review(
            session, checker, user_id=ids["member"], file_id=file_id, team_id=ids["team"]
        )
        assert sent.submission_id is not None
        await take(session, ids["reviewer"], sent.submission_id)
        await add_comment(session, ids["reviewer"], sent.submission_id, parse_comment("3: hm"))
    async with session_factory() as session:
        await forget_user(session, ids["reviewer"])
    async with session_factory() as session:
        view = await submission_view(session, ids["member"], sent.submission_id)
        assert [c.author for c in view.comments] == [None]  # "a former reviewer"
        assert view.reviewer is None
        await forget_user(session, ids["member"])
    async with session_factory() as session:
        for table in (Submission, ReviewComment, SubmissionEvent, GateRun, ReviewNotice):
            assert await session.scalar(select(func.count()).select_from(table)) == 0, table
        members = await session.scalars(select(TeamMember.user_id))
        assert sorted(members) == [ids["owner"]]
        await forget_user(session, ids["owner"])
    async with session_factory() as session:
        # The last one out: the team goes with them, its gate checks' rows stay unowned.
        assert await session.scalar(select(func.count()).select_from(Team)) == 0


async def test_deleting_the_file_withdraws_its_review_and_tells_the_reviewers(
    session_factory: SessionFactory, checker: RuffGateChecker
) -> None:
    ids = await _people(session_factory)
    file_id = await _upload(session_factory, ids, V2)
    async with session_factory() as session:
        sent = await submit_for_review(
            session, checker, user_id=ids["member"], file_id=file_id, team_id=ids["team"]
        )
        assert sent.submission_id is not None
        await file_service.delete_file(session, ids["member"], file_id, telegram_id=1)
    async with session_factory() as session:
        submission = await session.get_one(Submission, sent.submission_id)
        assert submission.status is SubmissionStatus.WITHDRAWN
    assert (NoticeKind.WITHDRAWN, ids["reviewer"]) in await _notices(session_factory)


async def test_a_version_failing_the_gate_leaves_the_review_and_its_comments_where_they_were(
    session_factory: SessionFactory, checker: RuffGateChecker
) -> None:
    ids = await _people(session_factory)
    file_id = await _upload(session_factory, ids, V2)
    async with session_factory() as session:
        sent = await submit_for_review(
            session, checker, user_id=ids["member"], file_id=file_id, team_id=ids["team"]
        )
        assert sent.submission_id is not None
        await add_comment(session, ids["reviewer"], sent.submission_id, parse_comment("3: x"))
        await request_changes(session, ids["reviewer"], sent.submission_id)
    await _upload(session_factory, ids, b"import os\n" + V3.encode())  # fails: F401
    async with session_factory() as session:
        [waiting] = await waiting_versions(session)
        assert await judge_next_version(session, checker, waiting)
        view = await submission_view(session, ids["reviewer"], sent.submission_id)
    assert (view.status, view.version) == (SubmissionStatus.CHANGES_REQUESTED, 1)
    assert [(c.state, c.first_line) for c in view.comments] == [(CommentState.OPEN, 3)]
    assert (NoticeKind.BLOCKED, ids["member"]) in await _notices(session_factory)

    await _upload(session_factory, ids, V3.encode())
    async with session_factory() as session:
        [waiting] = await waiting_versions(session)
        assert await judge_next_version(session, checker, waiting)
        view = await submission_view(session, ids["reviewer"], sent.submission_id)
    assert (view.status, view.version) == (SubmissionStatus.RESUBMITTED, 3)
    assert [(c.state, c.first_line) for c in view.comments] == [(CommentState.OPEN, 8)]


async def test_two_workers_judging_the_same_next_version_leave_one_judgement(
    session_factory: SessionFactory, checker: RuffGateChecker
) -> None:
    ids = await _people(session_factory)
    async with session_factory() as session:
        team = await session.get_one(Team, ids["team"])
        team.preset = RulePreset.STRICT  # a gate check of its own: each worker runs ruff
        team.gate_max_issues = 999
        await session.commit()
    file_id = await _upload(session_factory, ids, V2)
    async with session_factory() as session:
        sent = await submit_for_review(
            session, checker, user_id=ids["member"], file_id=file_id, team_id=ids["team"]
        )
        assert sent.submission_id is not None
        await request_changes(session, ids["reviewer"], sent.submission_id)
    await _upload(session_factory, ids, V3.encode())
    async with session_factory() as session:
        [waiting] = await waiting_versions(session)

    async def judge() -> bool:
        async with session_factory() as session:
            return await judge_next_version(session, checker, waiting)

    outcomes = await asyncio.gather(judge(), judge())
    assert sorted(outcomes) == [False, True]
    async with session_factory() as session:
        runs = await session.scalar(
            select(func.count())
            .select_from(GateRun)
            .where(GateRun.version_id == waiting.version_id)
        )
        gate_checks = await session.scalar(
            select(func.count()).select_from(Check).where(Check.version_id == waiting.version_id)
        )
        events = await session.scalar(
            select(func.count())
            .select_from(SubmissionEvent)
            .where(SubmissionEvent.status == SubmissionStatus.RESUBMITTED)
        )
    assert (runs, gate_checks, events) == (1, 1, 1)  # the loser left no check behind
