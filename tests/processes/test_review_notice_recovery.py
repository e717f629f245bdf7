"""Review notices survive a worker killed with SIGKILL mid-run: after a restart every notice
arrives, in chat and by email; at most those on their way at the kill come twice."""

import asyncio
from collections import Counter
from pathlib import Path

import pytest

from core.config import Settings
from core.models import DeliveryStatus
from core.team_models import NoticeKind, ReviewNotice, TeamRole
from infra.database import SessionFactory
from tests.fake_telegram import FakeTelegram
from tests.support.pipeline import count_rows, wait_until
from tests.support.processes import KILLED, reviewbot_environment, reviewbot_process
from tests.support.review_notices import add_notices, add_user, build_scene
from tests.support.smtp import SmtpSink

REVIEWERS = 10
FILES = ("a.py", "b.py", "c.py")
TOTAL = REVIEWERS * len(FILES)  # per channel


def _chat_notices(telegram: FakeTelegram) -> Counter[tuple[int, str]]:
    """Accepted submission messages per (chat, file)."""
    found: Counter[tuple[int, str]] = Counter()
    for request in telegram.calls("sendMessage"):
        text = str(request.params.get("text", ""))
        if request.ok and text.startswith("📤 Mia sent "):
            name = text.removeprefix("📤 Mia sent <b>").split("</b>")[0]
            found[int(request.params["chat_id"]), name] += 1
    return found


def _mailed(smtp: SmtpSink) -> Counter[tuple[str, str]]:
    return Counter(
        (str(m["To"]), str(m["Subject"]))
        for m in smtp.messages
        if "sent for review" in str(m["Subject"])
    )


async def _killed(process: asyncio.subprocess.Process) -> None:
    process.kill()
    assert await asyncio.wait_for(process.wait(), timeout=10) == KILLED


@pytest.mark.timeout(240)
async def test_worker_killed_mid_notices_sends_every_notice_after_a_restart(
    settings: Settings,
    session_factory: SessionFactory,
    fake_telegram: FakeTelegram,
    smtp_server: SmtpSink,
    tmp_path: Path,
) -> None:
    smtp_server.clear()
    members: dict[str, tuple[int, TeamRole]] = {}
    for n in range(REVIEWERS):
        telegram_id = 8_700_001 + n
        fake_telegram.user(telegram_id, opened=True)
        user_id = await add_user(session_factory, f"r{n}@example.com", telegram_id=telegram_id)
        members[f"R{n}"] = (user_id, TeamRole.REVIEWER)
    mia = await add_user(session_factory, "mia@example.com", telegram_id=8_700_100)
    members["Mia"] = (mia, TeamRole.MEMBER)
    for number, name in enumerate(FILES):
        scene = await build_scene(
            session_factory, members, member="Mia", team=f"Team{number}", file_name=name
        )
        await add_notices(
            session_factory, scene, NoticeKind.SUBMITTED, to=list(members)[:REVIEWERS],
            actor="Mia",
        )  # fmt: skip
    environment = reviewbot_environment(settings, fake_telegram)  # 15 s leases, 1 s per chat
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()

    async with reviewbot_process("worker", first, environment, exit_code=KILLED) as worker:
        await wait_until(
            lambda: sum(_chat_notices(fake_telegram).values()) >= 5, "5 notices in chat", 60
        )
        await _killed(worker)
    before = sum(_chat_notices(fake_telegram).values())
    assert before < TOTAL, "every notice was sent before the kill: nothing to show"

    async with reviewbot_process("worker", second, environment):
        await wait_until(
            lambda: (
                len(_chat_notices(fake_telegram)) == TOTAL and len(_mailed(smtp_server)) == TOTAL
            ),
            "every notice in chat and by email",
            120,
        )
        await wait_until_marked(session_factory)
    chats = _chat_notices(fake_telegram)
    for n in range(REVIEWERS):  # one message per chat is on its way at a time
        repeats = sum(count - 1 for (chat, _file), count in chats.items() if chat == 8_700_001 + n)
        assert repeats <= 1, chats
    assert max(_mailed(smtp_server).values()) <= 2  # an email sent, its mark not yet written
    print(f"\nworker killed after {before} of {TOTAL} chat notices; all arrived after a restart")


async def wait_until_marked(session_factory: SessionFactory) -> None:
    deadline = asyncio.get_running_loop().time() + 30
    while (
        await count_rows(session_factory, ReviewNotice, ReviewNotice.status == DeliveryStatus.SENT)
        < 2 * TOTAL
    ):
        assert asyncio.get_running_loop().time() < deadline, "not every notice marked sent"
        await asyncio.sleep(0.1)
