"""A team with a history, written straight into the database (the dashboard's tests are about
what it shows, not how the submissions came about): an owner, a reviewer, three members, files
with versions, gate runs on checks whose issues repeat a rule, submissions in every state with
their events, and comments (one by a reviewer since forgotten)."""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from core.models import Check, CheckResult, File, FileStatus, FileVersion, RulePreset, User
from core.team_models import (
    CommentState,
    GateRun,
    ReviewComment,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    Team,
    TeamMember,
    TeamRole,
)
from infra.database import SessionFactory
from tests.support.app import BotApp, Person
from tests.support.people import seeded

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# Markup, an ampersand and a leading "=" (a formula to a spreadsheet).
HOSTILE_FILE = "=1+1 <b>&amp;.py"
HOSTILE_NAME = "Cat <i>&</i>"
FORMULA_COMMENT = '=HYPERLINK("http://evil.example","click")'


@dataclass
class SeededTeam:
    team_id: int
    team_name: str
    owner: Person
    reviewer: Person
    bob: Person  # member: loop.py approved after three gated versions (F401 in each), util.py
    cat: Person  # member: a withdrawn and a changes-requested submission
    dan: Person  # member: blocked at the gate three times by the same rule, never submitted
    outsider: Person
    ids: dict[str, int]  # user ids by role name


def _issues(*codes: str) -> list[dict[str, Any]]:
    return [
        {
            "code": code,
            "message": f"{code} found",
            "line": line,
            "column": 1,
            "end_line": line,
            "end_column": 2,
            "fixable": False,
            "url": None,
        }
        for line, code in enumerate(codes, start=1)
    ]


class _Writer:
    def __init__(self, session: Any, team_id: int) -> None:
        self.session = session
        self.team_id = team_id
        self.tick = 0

    def at(self) -> datetime:
        self.tick += 1
        return START + timedelta(minutes=self.tick)

    async def file(self, user_id: int, name: str, versions: int) -> tuple[int, list[int]]:
        file = File(
            user_id=user_id, name=name, status=FileStatus.CHECKED, current_version=versions
        )
        self.session.add(file)
        await self.session.flush()
        ids = []
        for number in range(1, versions + 1):
            content = f"# {name} v{number}\n".encode()
            version = FileVersion(
                file_id=file.id,
                number=number,
                content=content,
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                uploaded_at=self.at(),
            )
            self.session.add(version)
            await self.session.flush()
            ids.append(version.id)
        return file.id, ids

    async def gate(
        self,
        member_id: int,
        file_id: int,
        version_id: int,
        codes: tuple[str, ...],
        *,
        passed: bool,
        submission_id: int | None = None,
    ) -> None:
        moment = self.at()
        check = Check(
            version_id=version_id,
            preset=RulePreset.DEFAULT,
            ruff_version="0.0.0",
            started_at=moment,
            finished_at=moment,
            result=CheckResult.FAILED if codes else CheckResult.PASSED,
            issue_count=len(codes),
            issues=_issues(*codes),
            gate=True,
            team_id=self.team_id,
        )
        self.session.add(check)
        await self.session.flush()
        self.session.add(
            GateRun(
                team_id=self.team_id,
                member_id=member_id,
                file_id=file_id,
                version_id=version_id,
                submission_id=submission_id,
                check_id=check.id,
                passed=passed,
                issue_count=len(codes),
                created_at=moment,
            )
        )

    async def submission(
        self,
        member_id: int,
        file_id: int,
        steps: list[tuple[SubmissionStatus, int, int | None]],
        reviewer_id: int | None = None,
    ) -> Submission:
        """`steps`: (status, version id, actor) in order; the submission ends at the last."""
        status, version_id, _actor = steps[-1]
        created = self.at()
        submission = Submission(
            team_id=self.team_id,
            file_id=file_id,
            member_id=member_id,
            version_id=version_id,
            status=status,
            reviewer_id=reviewer_id,
            created_at=created,
            updated_at=created + timedelta(hours=1),
        )
        self.session.add(submission)
        await self.session.flush()
        for step_status, step_version, actor in steps:
            self.session.add(
                SubmissionEvent(
                    submission_id=submission.id,
                    status=step_status,
                    version_id=step_version,
                    actor_id=actor,
                    created_at=self.at(),
                )
            )
        return submission


async def user_id(session_factory: SessionFactory, person: Person) -> int:
    async with session_factory() as session:
        found = await session.scalar(select(User.id).where(User.email == person.email))
    assert found is not None
    return found


async def seed_team(app: BotApp) -> SeededTeam:
    people = {
        role: await seeded(app, f"{role}@example.com")
        for role in ("owner", "reviewer", "bob", "cat", "dan", "outsider", "gone")
    }
    ids = {role: await user_id(app.session_factory, person) for role, person in people.items()}
    s, ir, ch, rs, ap, wd = (
        SubmissionStatus.SUBMITTED,
        SubmissionStatus.IN_REVIEW,
        SubmissionStatus.CHANGES_REQUESTED,
        SubmissionStatus.RESUBMITTED,
        SubmissionStatus.APPROVED,
        SubmissionStatus.WITHDRAWN,
    )
    owner, reviewer, bob, cat, dan, gone = (
        ids[r] for r in ("owner", "reviewer", "bob", "cat", "dan", "gone")
    )
    async with app.session_factory() as session:
        team = Team(name="Backend <crew>", invite_token="t" * 32, gate_max_issues=1)
        session.add(team)
        await session.flush()
        for role, name, team_role in (
            ("owner", "Olga", TeamRole.OWNER),
            ("reviewer", "Rita", TeamRole.REVIEWER),
            ("bob", "Bob", TeamRole.MEMBER),
            ("cat", HOSTILE_NAME, TeamRole.MEMBER),
            ("dan", "Dan", TeamRole.MEMBER),
        ):
            session.add(
                TeamMember(team_id=team.id, user_id=ids[role], role=team_role, display_name=name)
            )
        w = _Writer(session, team.id)

        # `gone` took util.py and has left the team since: "a former reviewer".
        # Bob's loop.py: v1 blocked (F401 twice and E711), v2 and v3 pass with one F401 each;
        # two review rounds, approved. util.py: v1 passes clean, in review.
        loop, (l1, l2, l3) = await w.file(bob, "loop.py", 3)
        await w.gate(bob, loop, l1, ("F401", "F401", "E711"), passed=False)
        approved = await w.submission(
            bob,
            loop,
            [(s, l2, bob), (ir, l2, reviewer), (ch, l2, reviewer), (rs, l3, bob), (ap, l3, owner)],
            reviewer_id=reviewer,
        )
        await w.gate(bob, loop, l2, ("F401",), passed=True, submission_id=approved.id)
        await w.gate(bob, loop, l3, ("F401",), passed=True, submission_id=approved.id)
        util, (u1,) = await w.file(bob, "util.py", 1)
        in_review = await w.submission(bob, util, [(s, u1, bob), (ir, u1, gone)], reviewer_id=gone)
        await w.gate(bob, util, u1, (), passed=True, submission_id=in_review.id)

        # Cat's hostile file: v1 blocked (E501), v2 passes, withdrawn. cat2.py: changes asked.
        hostile, (h1, h2) = await w.file(cat, HOSTILE_FILE, 2)
        await w.gate(cat, hostile, h1, ("E501", "E501"), passed=False)
        withdrawn = await w.submission(cat, hostile, [(s, h2, cat), (wd, h2, cat)])
        await w.gate(cat, hostile, h2, ("E501",), passed=True, submission_id=withdrawn.id)
        second, (c1,) = await w.file(cat, "cat2.py", 1)
        changes = await w.submission(
            cat, second, [(s, c1, cat), (ir, c1, reviewer), (ch, c1, reviewer)], reviewer
        )
        await w.gate(cat, second, c1, ("F841",), passed=True, submission_id=changes.id)

        # Dan's dan.py: three versions, each blocked by E722; nothing ever reached review.
        dan_file, dan_versions = await w.file(dan, "dan.py", 3)
        for version_id in dan_versions:
            await w.gate(dan, dan_file, version_id, ("E722",), passed=False)

        # Comments on loop.py: a line (open), a range (resolved), a general one whose author
        # has since been forgotten, and a formula on cat2.py.
        for author, version, lines, state, body in (
            (reviewer, l2, (3, 3), CommentState.OPEN, "Name this better"),
            (reviewer, l2, (10, 12), CommentState.RESOLVED, "Split <this> & that"),
            (None, l2, (None, None), CommentState.OPEN, "Overall fine"),
        ):
            created = w.at()
            session.add(
                ReviewComment(
                    submission_id=approved.id,
                    author_id=author,
                    version_id=version,
                    first_line=lines[0],
                    last_line=lines[1],
                    line_text="x = 1",
                    body=body,
                    state=state,
                    created_at=created,
                    resolved_at=created + timedelta(hours=2)
                    if state is CommentState.RESOLVED
                    else None,
                )
            )
        session.add(
            ReviewComment(
                submission_id=changes.id,
                author_id=reviewer,
                version_id=c1,
                first_line=1,
                last_line=2,
                body=FORMULA_COMMENT,
                created_at=w.at(),
            )
        )
        await session.commit()
        team_id, team_name = team.id, team.name
    return SeededTeam(
        team_id=team_id,
        team_name=team_name,
        owner=people["owner"],
        reviewer=people["reviewer"],
        bob=people["bob"],
        cat=people["cat"],
        dan=people["dan"],
        outsider=people["outsider"],
        ids=ids,
    )
