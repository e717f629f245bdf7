"""`reviewbot` processes as an operator starts them, checked when they end: the exit code the
test expects (0 after the SIGTERM this helper sends; `KILLED` where the test kills it) and a log
without a traceback (unless the test expects one).

`reviewbot_process` for a long-running command (`run`, `bot`, `worker`) inside an `async with`;
`run_reviewbot` for a command that ends by itself (`migrate`, `healthcheck`, a refused start)."""

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from pathlib import Path

from core.config import Settings
from tests.fake_telegram import FakeTelegram
from tests.support.smtp import free_port

KILLED = -signal.SIGKILL  # the exit code of a process killed with SIGKILL (kill -9)
TRACEBACK = "Traceback"


def machine_environment() -> dict[str, str]:
    """The few variables of this machine a process needs (nothing that configures the bot)."""
    return {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}


def reviewbot_environment(settings: Settings, telegram: FakeTelegram) -> dict[str, str]:
    """The variables a `reviewbot` process needs to use these settings and the fake Telegram;
    nothing else from the machine."""
    return {
        **machine_environment(),
        "PYTHONUNBUFFERED": "1",
        "BOT_TOKEN": telegram.token,
        "TELEGRAM_API_URL": telegram.url,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "SMTP_HOST": settings.smtp_host,
        "SMTP_PORT": str(settings.smtp_port),
        "SMTP_SECURITY": settings.smtp_security.value,
        "CHECK_INTERVAL_SECONDS": str(settings.check_interval_seconds),
        "DELIVERY_INTERVAL_SECONDS": str(settings.delivery_interval_seconds),
    }


def _expected(exit_code: int | Collection[int]) -> set[int]:
    return {exit_code} if isinstance(exit_code, int) else set(exit_code)


def check_ending(
    what: str, code: int, output: str, *, exit_code: int | Collection[int], traceback: bool
) -> None:
    """Fails, with the end of the output, when the process ended otherwise than expected."""
    expected = _expected(exit_code)
    assert code in expected, (
        f"{what} exited with {code}, not {' or '.join(map(str, sorted(expected)))}:\n"
        f"{output[-6000:]}"
    )
    if not traceback:
        assert TRACEBACK not in output, f"{what} logged a traceback:\n{output[-6000:]}"


@asynccontextmanager
async def reviewbot_process(
    command: str,
    folder: Path,
    environment: dict[str, str],
    *,
    name: str | None = None,
    exit_code: int | Collection[int] = 0,
    traceback: bool = False,
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`python -m reviewbot <command>` running in `folder` (which exists), its output in
    `folder/reviewbot-<name or command>.log`; stopped with SIGTERM on leaving the block unless it
    ended already. Then its exit code must be `exit_code` (one of them, given several) and its
    log must hold no traceback unless `traceback`. When the block fails, the output is printed
    (pytest shows it) and nothing more is checked.

    Each process gets its own free METRICS_PORT unless `environment` names one, so that many
    can run at once; `name` tells apart the logs of several processes of one command."""
    what = f"reviewbot {name or command}"
    log = folder / f"reviewbot-{name or command}.log"
    if "METRICS_PORT" not in environment:
        environment = {**environment, "METRICS_PORT": str(free_port())}
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "reviewbot",
            command,
            cwd=folder,
            env=environment,
            stdout=output,
            stderr=asyncio.subprocess.STDOUT,
        )
    try:
        yield process
    except BaseException:
        print(f"--- output of {what} ---\n{log.read_text()[-6000:]}")
        raise
    finally:
        if process.returncode is None:
            process.terminate()
        await asyncio.wait_for(process.wait(), timeout=30)
    assert process.returncode is not None
    check_ending(
        what, process.returncode, log.read_text(), exit_code=exit_code, traceback=traceback
    )


async def run_reviewbot(
    folder: Path,
    *args: str,
    environment: dict[str, str],
    exit_code: int | Collection[int] | None = None,
    traceback: bool = False,
    timeout: float = 60.0,  # noqa: ASYNC109
) -> tuple[int, str]:
    """`python -m reviewbot <args>` run to its end in `folder`: its exit code and its output
    (stdout and stderr together). With `exit_code`, the code must be that one; its output must
    hold no traceback unless `traceback`."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "reviewbot",
        *args,
        cwd=folder,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=timeout)
    assert process.returncode is not None
    text = output.decode()
    expected = process.returncode if exit_code is None else exit_code
    check_ending(
        f"reviewbot {' '.join(args)}",
        process.returncode,
        text,
        exit_code=expected,
        traceback=traceback,
    )
    return process.returncode, text
