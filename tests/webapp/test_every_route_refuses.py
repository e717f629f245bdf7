"""Every route of the Mini App, walked from the app's own table (a page added later is walked
too): without launch data each answers 401, and with another person's launch data and Ann's
ids each answers 404 (or a refusal of the request itself) showing nothing of Ann's. Never a
500, and nothing of hers changes."""

import re

from sqlalchemy import select

from checks.worker import Worker
from core.models import Check, File, FileStatus, FileVersion, User
from core.team_models import (
    CommentState,
    ReviewComment,
    Submission,
    SubmissionStatus,
    Team,
    TeamMember,
    TeamRole,
)
from reviewbot.telegram_side import webapp_deps
from tests.support.people import seeded
from tests.support.results import assert_result
from tests.support.reviews import a_review_of
from tests.support.webapp import MiniApp
from webapp.build import build_webapp

SECRET_SOURCE = b"import os\nANNS_SECRET = 'tulip'\n"
# What may name one of Ann's things in a body: her file's name, her source, her address, her
# team's name.
ANNS = ("ann_private.py", "ANNS_SECRET", "tulip", "ann@example.com", "Ann's tulips")


def _routes(mini_app: MiniApp) -> list[tuple[str, str]]:
    webapp = build_webapp(webapp_deps(mini_app.bot_app.runtime, mini_app.bot_app.resources))
    prefix = mini_app.bot_app.settings.webapp_path
    found = []
    for route in webapp.routes:
        path = route.path
        if "/part/" in path or "/api/" in path:
            found.append((route.method, path[len(prefix) :]))
    return found


def _filled(pattern: str, ids: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name, _, choices = match[1].partition(":")
        return ids.get(name) or choices.split("|")[0]

    return re.sub(r"\{([^}]+)\}", value, pattern)


async def test_every_route_refuses_strangers_and_shows_nothing_of_anyone(
    mini_app: MiniApp, worker: Worker
) -> None:
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    bob = await seeded(mini_app.bot_app, "bob@example.com")
    await ann.upload("ann_private.py", SECRET_SOURCE)
    assert_result(await ann.chat.next_screen(timeout=30), "ann_private.py")
    async with mini_app.bot_app.session_factory() as session:
        file_id, check_id = (
            await session.execute(
                select(File.id, Check.id)
                .join(FileVersion, FileVersion.file_id == File.id)
                .join(Check, Check.version_id == FileVersion.id)
            )
        ).one()
        ann_id = await session.scalar(select(User.id).where(User.email == "ann@example.com"))
        assert ann_id is not None
        team = Team(name="Ann's tulips", invite_token="a" * 32)
        session.add(team)
        await session.flush()
        session.add(
            TeamMember(team_id=team.id, user_id=ann_id, role=TeamRole.OWNER, display_name="Ann")
        )
        team_id = team.id
        await session.commit()
    # Ann's file under review in a team Carol owns, with a comment of Carol's on it.
    carol = await seeded(mini_app.bot_app, "carol@example.com")
    submission_id, comment_id = await a_review_of(mini_app, ann, carol, file_id)
    ids = {
        "file_id": str(file_id),
        "check_id": str(check_id),
        "rule_code": "F401",
        "team_id": str(team_id),
        "submission_id": str(submission_id),
        "comment_id": str(comment_id),
    }
    routes = _routes(mini_app)
    assert len(routes) >= 20, routes  # the walk found the pages and actions

    for method, pattern in routes:
        suffix = _filled(pattern, ids)
        anonymous = await mini_app.request(method, suffix)
        assert anonymous.status == 401, (method, suffix, anonymous.status)
        stranger = await mini_app.request(method, suffix, bob, json={})
        assert stranger.status in {200, 400, 404, 422}, (method, suffix, stranger.status)
        for mark in ANNS:
            assert mark not in stranger.text, (method, suffix, mark)
        if "{" in pattern and "rule_code" not in pattern:
            assert stranger.status == 404, (method, suffix, stranger.status)

    async with mini_app.bot_app.session_factory() as session:
        file = await session.get_one(File, file_id)
        submission = await session.get_one(Submission, submission_id)
        remark = await session.get_one(ReviewComment, comment_id)
    assert (file.status, file.current_version) == (FileStatus.CHECKED, 1)
    assert (submission.status, remark.state) == (SubmissionStatus.SUBMITTED, CommentState.OPEN)
    mine = await mini_app.api(f"/files/{file_id}", ann)
    assert mine.json()["file"]["name"] == "ann_private.py"
