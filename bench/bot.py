"""Benchmark 4, bot responsiveness: our dispatcher against a bare aiogram bot, updates/s.

One person with `--files` files (seeded as the bot stores them, PostgreSQL, Redis database 14)
sends `--updates` `/files` commands at once, then presses a file's button on each list the bot
sent (callback queries: the file's card replaces the list). Our dispatcher (every middleware and
router, as `reviewbot run` builds it) and a bare aiogram bot (one echo message handler, one
callback handler that answers the query and edits the message) poll the same fake Bot API server
in turn, with the same `--delay` per request. Prints updates/s of both for each kind, and last
`ratio: X` = ours ÷ bare for the kind where we fare worse (target ≥ 0.5).

    .venv/bin/python -m bench.bot [--updates 200] [--files 200] [--rounds 2] [--profile out.html]
"""

import argparse
import asyncio
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench._bot_drive import Bare, Kind, Ours, Rates, drive
from bench._latency_stack import (
    ServicesUnavailableError,
    flushed_redis,
    fresh_database,
    seed_people,
)
from core.config import Settings
from infra.database import build_engine, build_session_factory
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.fixtures import TEST_TOKEN

TARGET = 0.5
PERSON = 8_200_001


@dataclass(frozen=True)
class Options:
    updates: int = 200
    files: int = 200
    rounds: int = 2
    delay: float = 0.0
    profile: Path | None = None


def seeded_files(count: int) -> dict[str, bytes]:
    return {
        f"module_{number:03d}.py": f"VALUE_{number} = {number}\n".encode()
        for number in range(count)
    }


async def measure(options: Options) -> tuple[Rates, Rates]:
    """The best updates/s of each kind over the rounds: the bare bot's and ours."""
    redis_url = await flushed_redis()
    async with fresh_database("bench_bot") as database_url:
        engine = build_engine(database_url)
        try:
            await seed_people(build_session_factory(engine), [PERSON], seeded_files(options.files))
        finally:
            await engine.dispose()
        fake = FakeTelegram(token=TEST_TOKEN, delay=options.delay)
        await fake.start()
        try:
            with tempfile.TemporaryDirectory(prefix="bench-bot-") as folder:
                settings = Settings(
                    _env_file=None,
                    telegram_api_url=fake.url,
                    database_url=database_url,
                    redis_url=redis_url,
                    mail_dir=Path(folder),
                    # One person sends every update: the per-person limits would drop most.
                    updates_per_minute=1_000_000,
                )
                person = fake.user(PERSON, opened=True)
                bare, ours = Rates(), Rates()
                for round_number in range(options.rounds):
                    bare = bare.best(await drive(fake, person, Bare(), options.updates))
                    profile = options.profile if round_number == 0 else None
                    ours_now = await drive(fake, person, Ours(settings), options.updates, profile)
                    ours = ours.best(ours_now)
        finally:
            await fake.stop()
        if fake.refused:
            listing = "\n".join(f"  {request}" for request in fake.refused[:10])
            raise RuntimeError(f"Telegram would have refused {len(fake.refused)}:\n{listing}")
        return bare, ours


def report(bare: Rates, ours: Rates) -> str:
    lines = []
    ratios = []
    for kind in Kind:
        ratio = ours.of(kind) / bare.of(kind)
        ratios.append(ratio)
        lines.append(
            f"{kind.value}: ours {ours.of(kind):.1f} updates/s, bare {bare.of(kind):.1f} "
            f"updates/s, ratio {ratio:.3f}"
        )
    worst = min(ratios)
    lines.append(f"target met: {'yes' if worst >= TARGET else 'no'} (≥ {TARGET} for each kind)")
    lines.append(f"ratio: {worst:.3f}")
    return "\n".join(lines)


def parse(argv: Sequence[str]) -> Options:
    parser = argparse.ArgumentParser(prog="bench.bot", description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=Options.updates)
    parser.add_argument("--files", type=int, default=Options.files)
    parser.add_argument("--rounds", type=int, default=Options.rounds)
    parser.add_argument("--delay", type=float, default=Options.delay, help="seconds per request")
    parser.add_argument("--profile", type=Path, help="pyinstrument HTML of our first round")
    args = parser.parse_args(argv)
    return Options(args.updates, args.files, args.rounds, args.delay, args.profile)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse(sys.argv[1:] if argv is None else argv)
    try:
        bare, ours = asyncio.run(measure(options))
    except ServicesUnavailableError as error:
        print(f"cannot run: {error}", file=sys.stderr)
        return 2
    print(report(bare, ours))
    return 0


if __name__ == "__main__":
    sys.exit(main())
