"""The `reviewbot` console script: run, bot, worker, migrate, backup, check, healthcheck."""

import argparse
import asyncio
import logging
import signal
import sqlite3
import sys
import urllib.error
import urllib.request
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from core.config import ConfigError, Settings
from core.errors import first_line
from core.models import RulePreset
from infra.backup import (
    NothingToBackUpError,
    back_up_before_upgrade,
    back_up_sqlite,
    pg_dump_command,
    sqlite_file,
)
from infra.database import wait_for_database, worth_waiting_for
from infra.logs import configure_from_settings
from infra.migrate import upgrade_to_head

logger = logging.getLogger("reviewbot")

PROCESSES = {"run", "bot", "worker"}
EXIT_CONFIG = 2
EXIT_DATABASE = 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reviewbot", description="A Telegram bot reviewing Python files with ruff."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("run", help="migrate, then run the bot on one process")
    commands.add_parser(
        "bot", help="run only the Telegram side (long polling, or the webhook with WEBHOOK_URL)"
    )
    commands.add_parser("worker", help="run only the scheduler: checks and deliveries")
    commands.add_parser("migrate", help="apply database migrations (alembic upgrade head)")
    backup = commands.add_parser(
        "backup",
        help="write a copy of the SQLite database to PATH (for PostgreSQL: print the pg_dump "
        "command that does it)",
    )
    backup.add_argument("path", type=Path, metavar="PATH")
    commands.add_parser(
        "healthcheck", help="exit 0 if this machine's process answers /healthz with 200, else 1"
    )
    check = commands.add_parser("check", help="review files offline, printed here")
    check.add_argument("files", nargs="+", type=Path, metavar="FILE")
    check.add_argument(
        "--preset",
        choices=[p.value for p in RulePreset.built_in()],
        default=RulePreset.DEFAULT.value,
    )
    return parser


def _fail(message: str, code: int) -> None:
    print(f"reviewbot: {message}", file=sys.stderr)
    raise SystemExit(code)


def _load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        first = error.errors()[0]
        variable = str(first["loc"][0]).upper() if first["loc"] else "configuration"
        _fail(f"{variable} is invalid: {first['msg']}", EXIT_CONFIG)
        raise  # unreachable: _fail exits


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.command == "check":
        raise SystemExit(_check(args.files, RulePreset(args.preset)))
    settings = _load_settings()
    if args.command == "healthcheck":
        raise SystemExit(healthcheck(settings))
    if args.command == "backup":
        raise SystemExit(back_up(settings, args.path))
    configure_from_settings(settings)
    token = _checked_token(settings, args.command)
    if args.command in PROCESSES | {"migrate"}:
        _wait_for_database(settings)
    if args.command in {"run", "migrate"}:
        _migrate(settings)
    if args.command in PROCESSES:
        from bot.connect import TelegramRefusedError  # noqa: PLC0415
        from reviewbot import runtime  # noqa: PLC0415 - only the processes need the whole stack
        from reviewbot.web import CannotListenError  # noqa: PLC0415

        process = {"run": runtime.run_all, "bot": runtime.run_bot, "worker": runtime.run_worker}
        try:
            asyncio.run(process[args.command](settings, token))
        except CannotListenError as error:
            _fail(str(error), EXIT_CONFIG)
        except TelegramRefusedError as error:
            if not error.while_running:
                _fail(str(error), EXIT_CONFIG)  # one line, like any other configuration error
            logger.error("%s", error)  # noqa: TRY400 - the reason is the whole story
            raise SystemExit(EXIT_CONFIG) from None
        except KeyboardInterrupt:
            logger.info("stopped")


def _check(paths: list[Path], preset: RulePreset) -> int:
    from infra.ruff.offline import review_paths  # noqa: PLC0415
    from infra.ruff.runner import RuffRunner  # noqa: PLC0415

    return asyncio.run(review_paths(paths, preset, RuffRunner(), sys.stdout))


def _checked_token(settings: Settings, command: str) -> str:
    """The bot token a process needs ("" for other commands), once the settings it uses are
    sound (else one line and exit 2); risky defaults are warned about."""
    try:
        token = settings.require_bot_token() if command in PROCESSES else ""
        if command in {"run", "bot"}:
            settings.check_webhook()
    except ConfigError as error:
        _fail(str(error), EXIT_CONFIG)
        raise  # unreachable: _fail exits
    if command in PROCESSES:
        warn_about_unsent_mail(settings)
    return token


def warn_about_unsent_mail(settings: Settings) -> None:
    """A production-looking set-up (webhook mode or PostgreSQL) without SMTP_HOST writes the
    confirmation codes to files nobody reads: one WARNING line at start says so."""
    production = bool(settings.webhook_url) or settings.database_url.startswith("postgresql")
    if production and not settings.smtp_host:
        logger.warning(
            "SMTP_HOST is not set: confirmation codes and results are written to files in "
            "MAIL_DIR (%s) instead of being mailed; set SMTP_HOST for production",
            settings.mail_dir,
        )


def _wait_for_database(settings: Settings) -> None:
    """A process waits DATABASE_STARTUP_TIMEOUT_SECONDS for its database (it may be starting
    beside it), then gives up with one line."""
    try:
        answered = asyncio.run(
            _unless_stopped(
                wait_for_database(settings.database_url, settings.database_startup_timeout_seconds)
            )
        )
    except (OSError, SQLAlchemyError) as error:
        waited = settings.database_startup_timeout_seconds
        after = f" after waiting {waited:g} s" if waited and worth_waiting_for(error) else ""
        _fail(
            f"cannot use the database at {_shown_url(settings)}{after}: {first_line(error)}",
            EXIT_DATABASE,
        )
    if not answered:
        logger.info("stopped while waiting for the database")
        raise SystemExit(0)


async def _unless_stopped(waiting: Coroutine[Any, Any, None]) -> bool:
    """Run `waiting` to its end (True), unless SIGTERM or SIGINT comes first (False)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    task = asyncio.create_task(waiting)
    stopped = asyncio.create_task(stop.wait())
    await asyncio.wait([task, stopped], return_when=asyncio.FIRST_COMPLETED)
    for pending in (task, stopped):
        pending.cancel()
    await asyncio.wait([task, stopped])
    if stop.is_set():
        return False
    task.result()  # what made the wait give up
    return True


def _migrate(settings: Settings) -> None:
    """Upgrade to head; an existing SQLite file below head is backed up beside it first (and
    not touched if that fails)."""
    try:
        backup = back_up_before_upgrade(settings.database_url)
    except (OSError, sqlite3.Error) as error:
        _fail(
            f"not upgrading {_shown_url(settings)}: backing it up failed: {first_line(error)}",
            EXIT_DATABASE,
        )
    if backup is not None:
        logger.info("backed up the database to %s before upgrading it", backup.resolve())
    try:
        upgrade_to_head(settings.database_url)
    except (OSError, SQLAlchemyError) as error:
        _fail(
            f"cannot use the database at {_shown_url(settings)}: {first_line(error)}",
            EXIT_DATABASE,
        )
    logger.info("database at %s is up to date", _shown_url(settings))


def _shown_url(settings: Settings) -> str:
    return make_url(settings.database_url).render_as_string(hide_password=True)


def back_up(settings: Settings, target: Path) -> int:
    """`reviewbot backup PATH`: SQLite is copied to PATH (a new file: nothing is overwritten);
    for PostgreSQL, the pg_dump command is printed, without the password."""
    source = sqlite_file(settings.database_url)
    if source is None:
        print(pg_dump_command(settings.database_url, target))
        print(
            "reviewbot: run the command above; it asks for the password (or reads PGPASSWORD "
            "or ~/.pgpass). Restore with pg_restore --clean --if-exists --no-owner --dbname=...",
            file=sys.stderr,
        )
        return 0
    if target.exists():
        _fail(f"{target} exists: name a new file for the backup", EXIT_CONFIG)
    try:
        back_up_sqlite(source, target)
    except (OSError, sqlite3.Error, NothingToBackUpError) as error:
        _fail(f"cannot back up {source}: {first_line(error)}", EXIT_DATABASE)
    print(f"reviewbot: backed up {source} to {target}")
    return 0


HEALTHCHECK_TIMEOUT_SECONDS = 5.0


def healthcheck(settings: Settings) -> int:
    """GET /healthz of the process on this machine (METRICS_PORT): 0 on 200, 1 otherwise, with
    the answer (or why there is none) on one line."""
    if settings.metrics_port == 0:
        print("reviewbot: METRICS_PORT is 0: there is no /healthz to ask", file=sys.stderr)
        return 1
    host = settings.metrics_host
    if host in {"0.0.0.0", "::", ""}:  # noqa: S104 - listening everywhere: ask over loopback
        host = "127.0.0.1"
    url = f"http://{host}:{settings.metrics_port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=HEALTHCHECK_TIMEOUT_SECONDS) as answer:
            print(answer.read().decode(errors="replace").strip())
            return 0 if answer.status == 200 else 1
    except urllib.error.HTTPError as error:
        body = error.read().decode(errors="replace").strip().replace("\n", "; ")
        print(f"reviewbot: {url} answered {error.code}: {body}", file=sys.stderr)
    except (OSError, TimeoutError) as error:
        reason = error.reason if isinstance(error, urllib.error.URLError) else error
        print(f"reviewbot: no answer from {url}: {reason}", file=sys.stderr)
    return 1
