"""The admins' /stats: figures that match the database, unseen by everyone else, and only in
the admins' own command menu."""

import json
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiogram.types import BotCommandScopeChat, BotCommandScopeDefault

from bot.app import set_commands
from core.clock import ManualClock
from core.config import Settings
from core.models import (
    Check,
    CheckResult,
    CheckState,
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    File,
    FileStatus,
    FileVersion,
    RulePreset,
    User,
)
from core.review import Issue
from infra.database import SessionFactory
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.fixtures import checked_telegram
from tests.processes.test_startup import embedded_database, reviewbot
from tests.support.app import BotApp, Person

ADMIN_ID = 6_900_001
RUSSIAN_ADMIN_ID = 6_900_002
NEVER_OPENED_ADMIN_ID = 6_900_003
NOW = datetime(2030, 5, 17, 0, 5, tzinfo=UTC)  # five minutes into a UTC day
MIDNIGHT = datetime(2030, 5, 17, tzinfo=UTC)
# The menu everyone sees, in its order (PRODUCT.md §3; /forget is not built yet).
ORDINARY_COMMANDS = [
    "start",
    "files",
    "report",
    "rules",
    "team",
    "reviews",
    "help",
    "login",
    "logout",
    "forget",
    "cancel",
]

SENT, PENDING, FAILED = DeliveryStatus.SENT, DeliveryStatus.PENDING, DeliveryStatus.FAILED
PASSED, FAILED_CHECK, ERROR = CheckResult.PASSED, CheckResult.FAILED, CheckResult.ERROR
ONE_OF_EACH = (
    "B006", "C901", "E501", "E711", "F811", "I001", "N802", "RUF005", "SIM108", "UP006",
    "W291", "syntax-error",
)  # fmt: skip


@dataclass(frozen=True)
class SeededFile:
    owner: str
    name: str
    status: FileStatus
    versions: int


@dataclass(frozen=True)
class SeededCheck:
    file: str
    version: int
    finished_at: datetime
    result: CheckResult
    codes: tuple[str, ...]
    email: DeliveryStatus
    chat: DeliveryStatus


USERS = ("una@example.com", "vic@example.com", "wes@example.com")
FILES = (
    SeededFile("una@example.com", "a.py", FileStatus.CHECKED, versions=2),
    SeededFile("una@example.com", "b.py", FileStatus.DELETED, versions=1),
    SeededFile("vic@example.com", "c.py", FileStatus.CHECKED, versions=1),
    SeededFile("vic@example.com", "d.py", FileStatus.CHECKED, versions=1),
)
CHECKS = (
    SeededCheck("a.py", 1, MIDNIGHT - timedelta(minutes=1), FAILED_CHECK,
                ("F401", "F401", "F401", "E711"), SENT, SENT),
    SeededCheck("a.py", 2, MIDNIGHT + timedelta(minutes=1), FAILED_CHECK,
                ("F401", "F401", "F841", "F841", "E711"), PENDING, FAILED),
    SeededCheck("b.py", 1, MIDNIGHT - timedelta(days=2), PASSED, (), SENT, SENT),
    SeededCheck("c.py", 1, MIDNIGHT - timedelta(hours=12), ERROR, (), FAILED, PENDING),
    SeededCheck("c.py", 1, MIDNIGHT, PASSED, (), SENT, FAILED),
    SeededCheck("d.py", 1, MIDNIGHT + timedelta(minutes=4), FAILED_CHECK, ONE_OF_EACH,
                PENDING, PENDING),
)  # fmt: skip


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"admin_ids": [ADMIN_ID, RUSSIAN_ADMIN_ID]})


async def seed(session_factory: SessionFactory) -> None:
    async with session_factory() as session:
        users = {email: User(email=email, email_confirmed_at=NOW) for email in USERS}
        session.add_all(users.values())
        await session.flush()
        versions: dict[tuple[str, int], FileVersion] = {}
        for seeded in FILES:
            file = File(
                user_id=users[seeded.owner].id,
                name=seeded.name,
                status=seeded.status,
                current_version=seeded.versions,
            )
            session.add(file)
            await session.flush()
            for number in range(1, seeded.versions + 1):
                version = FileVersion(
                    file_id=file.id,
                    number=number,
                    content=b"x = 1\n",
                    size=6,
                    sha256="0" * 64,
                    check_state=CheckState.CHECKED,
                )
                session.add(version)
                versions[seeded.name, number] = version
        await session.flush()
        for seeded_check in CHECKS:
            check = Check(
                version_id=versions[seeded_check.file, seeded_check.version].id,
                preset=RulePreset.DEFAULT,
                ruff_version="0.6.0",
                started_at=seeded_check.finished_at - timedelta(seconds=1),
                finished_at=seeded_check.finished_at,
                result=seeded_check.result,
                issue_count=len(seeded_check.codes),
                issues=[
                    Issue(code, "message", line, 1, line, 2, fixable=False).to_json()
                    for line, code in enumerate(seeded_check.codes, start=1)
                ],
            )
            session.add(check)
            await session.flush()
            for channel, status in (
                (DeliveryChannel.EMAIL, seeded_check.email),
                (DeliveryChannel.TELEGRAM, seeded_check.chat),
            ):
                session.add(
                    Delivery(
                        check_id=check.id,
                        channel=channel,
                        status=status,
                        attempts=0 if status is PENDING else 1,
                        sent_at=seeded_check.finished_at if status is SENT else None,
                    )
                )
        await session.commit()


def expected_lines() -> list[str]:
    """The figures worked out from the seed itself, not from the database."""
    results = Counter(check.result for check in CHECKS)
    today = sum(1 for check in CHECKS if check.finished_at >= MIDNIGHT)
    rate = 100 * results[PASSED] / (results[PASSED] + results[FAILED_CHECK])
    email = Counter(check.email for check in CHECKS)
    chat = Counter(check.chat for check in CHECKS)
    codes = Counter(code for check in CHECKS for code in check.codes)
    top = sorted(codes.items(), key=lambda item: (-item[1], item[0]))[:10]
    deleted = sum(1 for file in FILES if file.status is FileStatus.DELETED)
    return [
        "reviewbot statistics",
        f"Users: {len(USERS)}",
        f"Files: {len(FILES) - deleted} active, {deleted} deleted",
        f"Versions: {sum(file.versions for file in FILES)}",
        f"Checks: {today} today (UTC), {len(CHECKS)} in all",
        f"Results: {results[PASSED]} passed, {results[FAILED_CHECK]} failed, "
        f"{results[ERROR]} could not run",
        f"Pass rate: {rate:.1f}% (passed of passed and failed; checks that could not run are "
        "left out)",
        "",
        "Deliveries not sent yet",
        f"Email: {email[PENDING]} pending, {email[FAILED]} failed",
        f"Chat: {chat[PENDING]} pending, {chat[FAILED]} failed",
        "",
        "Most frequent rules (issues of every check)",
        *(f"{place}. {code} — {count}" for place, (code, count) in enumerate(top, start=1)),
    ]


def admin_menu(telegram: FakeTelegram, chat_id: int, language: str = "") -> list[str]:
    """What the fake keeps for that chat's scope (read directly: Telegram would refuse to
    answer getMyCommands for a chat it does not know)."""
    key = json.dumps({"type": "chat", "chat_id": chat_id}, sort_keys=True)
    return [command["command"] for command in telegram.world.commands.get((key, language), [])]


def test_the_seed_covers_what_the_figures_must_tell_apart() -> None:
    lines = expected_lines()
    assert "Checks: 3 today (UTC), 6 in all" in lines  # 23:59 yesterday is not today
    assert lines[-10:][:3] == ["1. F401 — 5", "2. E711 — 3", "3. F841 — 2"]
    assert len({code for check in CHECKS for code in check.codes}) > 10  # the cut matters


async def test_stats_answer_an_admin_with_the_figures_of_the_database(bot_app: BotApp) -> None:
    await seed(bot_app.session_factory)
    admin = Person(app=bot_app, chat=bot_app.telegram.user(ADMIN_ID), email="")
    answer = await admin.say("/stats")
    assert answer.text.splitlines() == expected_lines()
    assert answer.html.startswith("<b>reviewbot statistics</b>\n")
    assert "<code>F401</code> — 5" in answer.html


async def test_stats_speak_russian_to_a_russian_admin(bot_app: BotApp) -> None:
    await seed(bot_app.session_factory)
    user = bot_app.telegram.user(RUSSIAN_ADMIN_ID, language_code="ru")
    answer = await Person(app=bot_app, chat=user, email="").say("/stats")
    lines = answer.text.splitlines()
    assert lines[0] == "Статистика reviewbot"
    assert "Пользователи: 3" in lines
    assert "Проверки: сегодня (UTC) — 3, всего — 6" in lines
    assert any(line.startswith("Доля успешных: 40,0%") for line in lines), lines
    assert "1. F401 — 5" in lines


async def test_stats_of_an_empty_bot(bot_app: BotApp) -> None:
    admin = Person(app=bot_app, chat=bot_app.telegram.user(ADMIN_ID), email="")
    lines = (await admin.say("/stats")).text.splitlines()
    assert "Users: 0" in lines
    assert "Pass rate: no check has passed or failed yet." in lines
    assert lines[-1] == "No issues found yet."


async def test_anyone_else_gets_the_answer_to_an_unknown_command(bot_app: BotApp) -> None:
    await seed(bot_app.session_factory)
    stranger = bot_app.person("sam@example.com", language_code="ru")
    member = await bot_app.registered("mia@example.com")
    for person in (stranger, member):
        unknown = await person.say("/nosuchcommand")
        answer = await person.say("/stats")
        assert (answer.html, answer.buttons) == (unknown.html, unknown.buttons)
        assert answer.html == (await person.say("hello")).html  # the ordinary catch-all
        assert "5" not in answer.text  # no figure of the seed


async def test_only_the_admins_menu_shows_stats(
    bot_app: BotApp, caplog: pytest.LogCaptureFixture
) -> None:
    telegram, bot = bot_app.telegram, bot_app.bot
    for admin_id in (ADMIN_ID, RUSSIAN_ADMIN_ID):
        telegram.user(admin_id, opened=True)
    telegram.expect_refusal("chat not found")  # the admin who never opened the bot
    admins = [ADMIN_ID, NEVER_OPENED_ADMIN_ID, RUSSIAN_ADMIN_ID]
    with caplog.at_level(logging.WARNING, logger="bot.app"):
        await set_commands(bot, bot_app.resources.translations, admins)

    for language in (None, "ru"):
        everyone = await bot.get_my_commands(
            scope=BotCommandScopeDefault(), language_code=language
        )
        assert [command.command for command in everyone] == ORDINARY_COMMANDS
        assert "stats" not in {command.command for command in everyone}
        for admin_id in (ADMIN_ID, RUSSIAN_ADMIN_ID):
            menu = await bot.get_my_commands(
                scope=BotCommandScopeChat(chat_id=admin_id), language_code=language
            )
            assert [c.command for c in menu] == [*[c.command for c in everyone], "stats"]
    scope = BotCommandScopeChat(chat_id=ADMIN_ID)
    english = {c.command: c.description for c in await bot.get_my_commands(scope=scope)}
    russian = {
        c.command: c.description
        for c in await bot.get_my_commands(scope=scope, language_code="ru")
    }
    assert english["stats"] == "Figures of the whole bot (admins)"
    assert russian["stats"] == "Статистика всего бота (для администраторов)"

    [warning] = [r.getMessage() for r in caplog.records if str(NEVER_OPENED_ADMIN_ID) in r.message]
    assert "chat not found): they have to open the bot first" in warning
    refused = [r for r in telegram.calls("setMyCommands") if not r.ok]
    assert len(refused) == 1  # one try for that admin, not one per language


@pytest.mark.processes
async def test_an_admin_who_never_opened_the_bot_does_not_stop_start_up(tmp_path: Path) -> None:
    async with checked_telegram() as telegram, embedded_database(tmp_path):
        telegram.expect_refusal("chat not found")
        admin = telegram.user(ADMIN_ID, opened=True)
        ids = f"{NEVER_OPENED_ADMIN_ID}, {ADMIN_ID}"
        variables = {"TELEGRAM_API_URL": telegram.url, "ADMIN_IDS": ids}
        async with reviewbot(tmp_path, "bot", exit_code=0, **variables) as bot:
            await bot.wait_for_line("reviewbot is running as @")
            warning = f"no /stats in the menu of admin {NEVER_OPENED_ADMIN_ID}"
            assert len(bot.lines_with(warning)) == 1
            assert "stats" in admin_menu(telegram, ADMIN_ID)
            assert "stats" not in admin_menu(telegram, NEVER_OPENED_ADMIN_ID)
            await admin.send_text("/stats")
            answer = await admin.next_screen(timeout=30)
            assert answer.text.startswith("reviewbot statistics\nUsers: 0\n")
        assert await bot.exit_code() == 0
        assert "Traceback" not in bot.output
