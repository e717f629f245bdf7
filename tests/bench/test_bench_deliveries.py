"""The delivery-throughput benchmark still runs: ten results of three people, every one sent
by email over STARTTLS with a login and into the chat, paced, and the `ratio:` line it ends with
(its figures are not judged here)."""

import asyncio
import contextlib
import io
import re

import asyncpg
import pytest

from bench import deliveries as bench_deliveries
from tests.support.databases import POSTGRES_ADMIN_URL, skip_or_fail

RATIO_LINE = re.compile(r"ratio: (\d+(?:\.\d+)?)")


@pytest.mark.services
async def test_delivery_benchmark_sends_everything_and_prints_its_ratio() -> None:
    try:
        connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    except (OSError, asyncpg.PostgresError) as error:
        skip_or_fail(f"PostgreSQL at {POSTGRES_ADMIN_URL} is not reachable: {error}")
        return
    await connection.close()
    output = io.StringIO()

    def run() -> int:  # the benchmark runs its own event loop
        with contextlib.redirect_stdout(output):
            return bench_deliveries.main(["--checks", "10", "--users", "3"])

    exit_code = await asyncio.to_thread(run)
    lines = output.getvalue().strip().splitlines()
    assert exit_code == 0, output.getvalue()  # every result sent, within Telegram's limits
    assert "pacing within Telegram's limits: yes" in lines
    matched = RATIO_LINE.fullmatch(lines[-1])
    assert matched, output.getvalue()
    assert float(matched.group(1)) > 0
