"""The check-throughput and memory benchmarks still run: a few files each, asserting the
`ratio:` line they end with (their figures are not judged here)."""

import asyncio
import contextlib
import io
import re
from collections.abc import Callable, Sequence

import asyncpg
import pytest

from bench import checks as bench_checks
from bench import memory as bench_memory
from tests.support.databases import POSTGRES_ADMIN_URL, skip_or_fail

RATIO_LINE = re.compile(r"ratio: (\d+(?:\.\d+)?)")


async def _require_postgres() -> None:
    try:
        connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    except (OSError, asyncpg.PostgresError) as error:
        skip_or_fail(f"PostgreSQL at {POSTGRES_ADMIN_URL} is not reachable: {error}")
        return
    await connection.close()


async def _ratio_printed_by(main: Callable[[Sequence[str]], None], argv: list[str]) -> float:
    """Run a benchmark's `main` (it runs its own event loop: in a thread) and read the number
    on its last line, which must be `ratio: X`."""
    output = io.StringIO()

    def run() -> None:
        with contextlib.redirect_stdout(output):
            main(argv)

    await asyncio.to_thread(run)
    last = output.getvalue().strip().splitlines()[-1]
    matched = RATIO_LINE.fullmatch(last)
    assert matched, output.getvalue()
    return float(matched.group(1))


@pytest.mark.services
async def test_check_throughput_benchmark_runs_on_postgresql() -> None:
    await _require_postgres()  # the benchmark makes its database on the tests' server
    assert await _ratio_printed_by(bench_checks.main, ["--limit", "20"]) > 0


async def test_check_throughput_benchmark_runs_on_sqlite() -> None:
    assert await _ratio_printed_by(bench_checks.main, ["--sqlite", "--limit", "20"]) > 0


@pytest.mark.processes
@pytest.mark.services
async def test_memory_benchmark_runs() -> None:
    await _require_postgres()
    argv = ["--limit", "20", "--settle", "0.5", "--most-seconds", "60"]
    assert await _ratio_printed_by(bench_memory.main, argv) > 0
