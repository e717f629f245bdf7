"""A member's next version is judged by the gate exactly once, even when the worker judging it is
killed with SIGKILL while the gate's ruff runs: after a restart the version goes back to review
once, with one gate run, one gate check, one status change and one notice per channel."""

import asyncio
import contextlib
import hashlib
import os
import signal
from pathlib import Path
from typing import Any

import pytest
from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]
from sqlalchemy import func, select

from core.config import Settings
from core.models import Check, CheckState, DeliveryStatus, File, FileVersion
from core.team_models import (
    GateRun,
    NoticeKind,
    ReviewNotice,
    SubmissionEvent,
    SubmissionStatus,
    Team,
    TeamRole,
)
from infra.database import SessionFactory
from tests.fake_telegram import FakeTelegram
from tests.support.pipeline import wait_until
from tests.support.processes import KILLED, reviewbot_environment, reviewbot_process
from tests.support.review_notices import add_user, build_scene

NEXT = b"total = 1\n"
ROB_CHAT = 8_800_001


def _held_ruff(folder: Path) -> tuple[str, Path, Path]:
    """A ruff whose checks wait (the worker is killed meanwhile, and the test then ends the
    wait by its pid file); it logs each call."""
    log, pid = folder / "ruff-calls.log", folder / "ruff-held.pid"
    wrapper = folder / "ruff-held.sh"
    wrapper.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> "{log}"\n'
        f'if [ "$1" = check ]; then echo $$ > "{pid}"; exec sleep 600; fi\n'
        f'exec "{find_ruff_bin()}" "$@"\n'
    )
    wrapper.chmod(0o755)
    return str(wrapper), log, pid


async def _count(session_factory: SessionFactory, model: Any, *where: Any) -> int:
    async with session_factory() as session:
        found = await session.scalar(select(func.count()).select_from(model).where(*where))
    return found or 0


@pytest.mark.timeout(180)
async def test_a_worker_killed_while_the_gate_runs_judges_the_version_once_after_a_restart(
    settings: Settings,
    session_factory: SessionFactory,
    fake_telegram: FakeTelegram,
    tmp_path: Path,
) -> None:
    fake_telegram.user(ROB_CHAT, opened=True)
    rob = await add_user(session_factory, "rob@example.com", telegram_id=ROB_CHAT)
    mia = await add_user(session_factory, "mia@example.com", telegram_id=None)
    scene = await build_scene(
        session_factory,
        {"Rob": (rob, TeamRole.REVIEWER), "Mia": (mia, TeamRole.MEMBER)},
        member="Mia",
        versions=1,
        status=SubmissionStatus.CHANGES_REQUESTED,
    )
    async with session_factory() as session:  # Mia's next version, checked as usual
        team = await session.get_one(Team, scene.team_id)
        team.gate_max_issues = 999  # it passes whatever strict finds
        file = await session.get_one(File, scene.file_id)
        file.current_version = 2
        version = FileVersion(
            file_id=file.id,
            number=2,
            content=NEXT,
            size=len(NEXT),
            sha256=hashlib.sha256(NEXT).hexdigest(),
            check_state=CheckState.CHECKED,
        )
        session.add(version)
        await session.commit()
        next_id = version.id
    environment = reviewbot_environment(settings, fake_telegram)
    held, calls, held_pid = _held_ruff(tmp_path)
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()

    async with reviewbot_process(
        "worker", first, {**environment, "RUFF_PATH": held}, exit_code=KILLED
    ) as worker:
        await wait_until(
            lambda: calls.exists() and "check" in calls.read_text(), "the gate's ruff run", 60
        )
        worker.kill()
        assert await asyncio.wait_for(worker.wait(), timeout=10) == KILLED
    with contextlib.suppress(ProcessLookupError):  # the orphaned ruff of the killed worker
        os.kill(int(held_pid.read_text()), signal.SIGKILL)
    assert await _count(session_factory, GateRun, GateRun.version_id == next_id) == 0

    async with reviewbot_process("worker", second, environment):
        deadline = asyncio.get_running_loop().time() + 60
        while not await _count(
            session_factory,
            ReviewNotice,
            ReviewNotice.kind == NoticeKind.RESUBMITTED,
            ReviewNotice.status == DeliveryStatus.SENT,
        ):
            assert asyncio.get_running_loop().time() < deadline, "no resubmission sent"
            await asyncio.sleep(0.1)
        await asyncio.sleep(2)  # a second judgement, if there were one, would be on its way
    assert await _count(session_factory, GateRun, GateRun.version_id == next_id) == 1
    assert await _count(session_factory, Check, Check.version_id == next_id) == 1
    resubmitted = SubmissionEvent.status == SubmissionStatus.RESUBMITTED
    assert await _count(session_factory, SubmissionEvent, resubmitted) == 1
    kinds = ReviewNotice.kind == NoticeKind.RESUBMITTED
    assert await _count(session_factory, ReviewNotice, kinds) == 2  # Rob: chat and email
    sent = [
        call
        for call in fake_telegram.calls("sendMessage")
        if call.ok and "again to" in str(call.params.get("text", ""))
    ]
    assert [int(call.params["chat_id"]) for call in sent] == [ROB_CHAT]
