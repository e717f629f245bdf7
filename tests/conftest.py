"""Fixtures: the two stacks, a real SMTP server, the fake Bot API server and the running bot."""

import os
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine

from checks.outbox import RetryPolicy
from checks.worker import Worker
from core.clock import SYSTEM_CLOCK, Clock
from core.config import Settings, SmtpSecurity
from infra.database import SessionFactory, build_engine, build_session_factory
from reviewbot.runtime import Resources, open_resources, open_worker
from tests.fake_telegram.fixtures import fake_telegram
from tests.fake_telegram.server import FakeTelegram
from tests.support.app import BotApp, running_bot_app
from tests.support.browser import SKIP_PREFIX as BROWSER_SKIP
from tests.support.browser import browser, phone_page, telegram_js
from tests.support.databases import BENCH_TEST_REDIS_URL, empty_all_tables
from tests.support.smtp import SmtpSink
from tests.support.stack import EMBEDDED, SERVICES, Stack, flush_redis, open_stack

__all__ = ["browser", "fake_telegram", "phone_page", "telegram_js"]

# Before any test module imports bench/: the benchmark smoke runs flush a Redis database of
# this worker's own (see tests/support/databases.py).
os.environ.setdefault("BENCH_REDIS_URL", BENCH_TEST_REDIS_URL)


@pytest_asyncio.fixture(scope="session", params=[EMBEDDED, SERVICES])
async def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    async with open_stack(request.param, tmp_path_factory.mktemp(request.param)) as opened:
        yield opened


@pytest_asyncio.fixture
async def engine(stack: Stack) -> AsyncIterator[AsyncEngine]:
    engine = build_engine(stack.database_url)
    await empty_all_tables(engine)
    await flush_redis(stack.redis_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def session_factory(engine: AsyncEngine) -> SessionFactory:
    return build_session_factory(engine)


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    try:
        yield sink
    finally:
        sink.down()


@pytest.fixture
def settings(
    stack: Stack, smtp_server: SmtpSink, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    return Settings(
        _env_file=None,
        bot_token=None,
        telegram_api_url="http://127.0.0.1:1",  # replaced by the fake server's address
        database_url=stack.database_url,
        redis_url=stack.redis_url,
        smtp_host="127.0.0.1",
        smtp_port=smtp_server.port,
        smtp_security=SmtpSecurity.NONE,
        smtp_timeout_seconds=5,
        check_interval_seconds=2,
        delivery_interval_seconds=1,
        # No gap between two results to one chat: only tests/pipeline/test_pacing.py is about
        # pacing, and it builds its own Pacer (a test that needs the gap sets it itself).
        telegram_chat_interval_seconds=0,
        mail_dir=tmp_path_factory.mktemp("mail"),
    )


@pytest.fixture
def clock() -> Clock:
    """The bot's clock: the system's; a module that moves time overrides this fixture with a
    `ManualClock`."""
    return SYSTEM_CLOCK


@pytest_asyncio.fixture
async def resources(
    settings: Settings, engine: AsyncEngine, fake_telegram: FakeTelegram, clock: Clock
) -> AsyncIterator[Resources]:
    settings = settings.model_copy(update={"telegram_api_url": fake_telegram.url})
    async with open_resources(settings) as opened:
        yield replace(opened, clock=clock)


@pytest_asyncio.fixture
async def bot_app(
    resources: Resources,
    session_factory: SessionFactory,
    fake_telegram: FakeTelegram,
    smtp_server: SmtpSink,
) -> AsyncIterator[BotApp]:
    """The real dispatcher polling the fake Bot API server over HTTP."""
    async with running_bot_app(resources, session_factory, fake_telegram, smtp_server) as app:
        yield app


# Deliveries retried quickly, so a test sees the second try within a second (and every later
# one within a second of the one before).
FAST_RETRY = RetryPolicy(
    base_delay=timedelta(milliseconds=300), max_delay=timedelta(seconds=1), max_attempts=4
)


@pytest_asyncio.fixture
async def worker(bot_app: BotApp) -> AsyncIterator[Worker]:
    """The check and delivery jobs running beside the bot, as in `reviewbot run`."""
    async with open_worker(
        bot_app.resources, bot_app.bot, retry=FAST_RETRY, identity="test-worker"
    ) as running:
        yield running


# Parametrizations that reach PostgreSQL or Redis: marked `services` at collection.
SERVICE_PARAMETERS = {"stack": SERVICES, "backend": "postgresql"}
# Tests in these folders start `reviewbot` processes: marked `processes` at collection.
PROCESS_FOLDERS = {"processes"}
# Tests that use this fixture (directly or through `phone_page`) drive Chromium: marked
# `browser` at collection.
BROWSER_FIXTURE = "browser"


@pytest.hookimpl(tryfirst=True)  # before `-m` selects by them
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Markers from where a test is and what it is parametrized with (see docs/testing.md)."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        parameters = callspec.params if callspec is not None else {}
        if any(parameters.get(name) == value for name, value in SERVICE_PARAMETERS.items()):
            item.add_marker(pytest.mark.services)
        if PROCESS_FOLDERS & set(item.path.relative_to(item.config.rootpath).parts[:-1]):
            item.add_marker(pytest.mark.processes)
        if BROWSER_FIXTURE in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


class _ProcessesFirst:
    """The tests that start processes (the slow ones) first, so that under xdist (which hands a
    worker one test at a time: `--maxschedchunk 1` in the Makefile) no worker is left alone
    with them at the end; a stable sort, so each group keeps its stack order. (Spreading them
    among the others, or keeping them to two workers, was slower.) Runs
    after `-m` and after pytest grouped the tests by their stack (hence a plugin of its own:
    a conftest has one hook of a name)."""

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        items.sort(key=lambda item: item.get_closest_marker("processes") is None)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(_ProcessesFirst(), "processes-first")


# `python -m reviewbot ...` started by the running test (seen by an audit hook, so it holds
# for any way of starting one): a test that starts one must be marked `processes`, or the fast
# tier (`-m "not processes"`) would quietly run it.
_started_processes: list[str] = []


def _note_reviewbot_processes(event: str, arguments: tuple[object, ...]) -> None:
    if event != "subprocess.Popen":
        return
    argv = arguments[1]
    if isinstance(argv, (list, tuple)) and [str(part) for part in argv[1:3]] == [
        "-m",
        "reviewbot",
    ]:
        _started_processes.append(" ".join(str(part) for part in argv[1:4]))


sys.addaudithook(_note_reviewbot_processes)


@pytest.fixture(autouse=True)
def _processes_are_marked(request: pytest.FixtureRequest) -> Iterator[None]:
    _started_processes.clear()
    yield
    if _started_processes and request.node.get_closest_marker("processes") is None:
        pytest.fail(
            f"this test started {_started_processes[0]!r} but is not marked `processes`: move "
            "it to tests/processes/ or mark it @pytest.mark.processes (docs/testing.md)",
            pytrace=False,
        )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say loudly when the PostgreSQL/Redis variants or the browser tests did not run."""
    _banner_services(terminalreporter)
    _banner_browser(terminalreporter)


def _skip_reasons(terminalreporter: pytest.TerminalReporter, prefix: str) -> list[str]:
    """The reason of each test skipped with `prefix` (one entry per test)."""
    return [
        str(report.longrepr[2])
        for report in terminalreporter.stats.get("skipped", [])
        if prefix in str(report.longrepr)
    ]


def _banner_browser(terminalreporter: pytest.TerminalReporter) -> None:
    browser_skips = _skip_reasons(terminalreporter, BROWSER_SKIP)
    if not browser_skips:
        return
    terminalreporter.section("BROWSER NOT TESTED", sep="!", red=True, bold=True)
    for reason in sorted(set(browser_skips)):
        terminalreporter.write_line(reason, red=True, bold=True)
    terminalreporter.write_line(
        f"{len(browser_skips)} browser tests skipped: the Mini App's pages were not tried in "
        "a browser. Install Debian's chromium, or run .ci/run, to test them.",
        red=True,
        bold=True,
    )


def _banner_services(terminalreporter: pytest.TerminalReporter) -> None:
    service_skips = _skip_reasons(terminalreporter, "SKIPPED SERVICE")
    if not service_skips:
        return
    terminalreporter.section("SERVICES NOT TESTED", sep="!", red=True, bold=True)
    for reason in sorted(set(service_skips)):
        terminalreporter.write_line(reason, red=True, bold=True)
    terminalreporter.write_line(
        f"{len(service_skips)} tests skipped for missing services: only the embedded (SQLite, "
        "in-memory) variants ran. Start PostgreSQL and Redis, or run .ci/run, to test "
        "everything.",
        red=True,
        bold=True,
    )
