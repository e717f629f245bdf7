"""Benchmark 1, check throughput: the check job draining the standard library against raw ruff.

Every `.py` file of the running interpreter's standard library that the bot would accept is
loaded as a pending version of one of four people into a fresh PostgreSQL database (`--sqlite`:
a SQLite file); the check job runs until nothing is pending, writing each check and its two
deliveries. In the same run, `ruff check --isolated --no-cache --output-format json` checks the
same files written into one folder (the faster of a run before and a run after ours is the
baseline). Prints files/s of both, what was written, and last `ratio: X` = ours ÷ ruff's.

    .venv/bin/python -m bench.checks [--sqlite] [--limit N] [--batch-size N]
"""

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from subprocess import PIPE

from sqlalchemy import func, select

from bench._checks_corpus import fresh_database, load_pending, pending_count, stdlib_corpus
from checks.check_job import CheckJob
from core.limits import DEFAULT_PIPELINE_LIMITS, PipelineLimits
from core.models import Check, Delivery
from infra.database import build_engine, build_session_factory
from infra.ruff.runner import RuffRunner

TARGETS = {"postgresql": 0.6, "sqlite": 0.4}


@dataclass(frozen=True)
class Written:
    checks: int
    deliveries: int
    issues: int


async def time_raw_ruff(paths: Sequence[Path], ruff_path: str) -> tuple[float, int]:
    """Seconds raw ruff takes over these files in one folder, and how many issues it found."""
    with tempfile.TemporaryDirectory(prefix="bench-ruff-") as name:
        folder = Path(name)
        for index, path in enumerate(paths):
            (folder / f"m{index:04d}.py").write_bytes(path.read_bytes())
        args = ["check", "--isolated", "--no-cache", "--output-format", "json", "--exit-zero"]
        started = time.perf_counter()
        process = await asyncio.create_subprocess_exec(
            ruff_path, *args, ".", cwd=folder, stdout=PIPE, stderr=PIPE
        )
        stdout, _stderr = await process.communicate()
        elapsed = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"raw ruff exited with {process.returncode}")
    return elapsed, len(json.loads(stdout))


async def time_check_job(database_url: str, batch_size: int | None) -> tuple[float, Written]:
    """Seconds the check job takes to drain every pending version, and what it wrote."""
    engine = build_engine(database_url)
    try:
        session_factory = build_session_factory(engine)
        job = CheckJob(
            session_factory=session_factory,
            runner=RuffRunner(),
            worker_id="bench",
            limits=PipelineLimits(
                versions_per_claim=batch_size or DEFAULT_PIPELINE_LIMITS.versions_per_claim
            ),
        )
        started = time.perf_counter()
        while await job():
            pass
        elapsed = time.perf_counter() - started
        if await pending_count(session_factory):
            raise RuntimeError("versions are still pending after the check job ran dry")
        async with session_factory() as session:
            checks = await session.scalar(select(func.count()).select_from(Check)) or 0
            issues = await session.scalar(select(func.sum(Check.issue_count))) or 0
            deliveries = await session.scalar(select(func.count()).select_from(Delivery)) or 0
    finally:
        await engine.dispose()
    return elapsed, Written(checks=checks, deliveries=deliveries, issues=issues)


async def run(*, sqlite: bool, limit: int | None, batch_size: int | None) -> float:
    paths = stdlib_corpus(limit)
    files = len(paths)
    megabytes = sum(path.stat().st_size for path in paths) / 1e6
    backend = "sqlite" if sqlite else "postgresql"
    print(f"corpus: {files} files, {megabytes:.1f} MB of the standard library; {backend}")
    ruff_path = RuffRunner().ruff_path
    ruff_before, raw_issues = await time_raw_ruff(paths, ruff_path)
    with tempfile.TemporaryDirectory(prefix="bench-checks-") as folder:
        async with fresh_database(Path(folder), sqlite=sqlite) as url:
            engine = build_engine(url)
            try:
                await load_pending(build_session_factory(engine), paths)
            finally:
                await engine.dispose()
            ours, written = await time_check_job(url, batch_size)
    ruff_after, raw_issues_again = await time_raw_ruff(paths, ruff_path)
    baseline = min(ruff_before, ruff_after)
    print(f"raw ruff:  {files / baseline:8.1f} files/s ({baseline:.2f} s, {raw_issues} issues)")
    print(f"check job: {files / ours:8.1f} files/s ({ours:.2f} s, {written.issues} issues)")
    print(f"written: {written.checks} checks, {written.deliveries} deliveries")
    assert raw_issues == raw_issues_again, (raw_issues, raw_issues_again)
    assert written.checks == files, f"{written.checks} checks for {files} files"
    assert written.deliveries == 2 * files, f"{written.deliveries} deliveries for {files} files"
    assert written.issues == raw_issues, f"{written.issues} issues, raw ruff {raw_issues}"
    ratio = baseline / ours
    print(f"target: >= {TARGETS[backend]} of raw ruff's files/s on {backend}")
    return ratio


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.checks", description=__doc__)
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file, not PostgreSQL")
    parser.add_argument("--limit", type=int, help="only the first N files of the corpus")
    parser.add_argument("--batch-size", type=int, help="the check job's batch size")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    ratio = asyncio.run(run(sqlite=args.sqlite, limit=args.limit, batch_size=args.batch_size))
    print(f"ratio: {ratio:.2f}")


if __name__ == "__main__":
    main()
