"""Smoke runs of the latency and bot benchmarks (bench/latency.py, bench/bot.py): tiny numbers,
so they keep working; the figures themselves are `make bench`'s business."""

import re

import pytest

from bench import bot, latency
from tests.support.databases import skip_or_fail

RATIO = re.compile(r"ratio: (\S+)")


def last_ratio(capsys: pytest.CaptureFixture[str], exit_code: int) -> float:
    """The number on the benchmark's last line, `ratio: X` (skipped without the services)."""
    captured = capsys.readouterr()
    if exit_code == 2:
        skip_or_fail(captured.err.strip())
    assert exit_code == 0, captured.err
    found = RATIO.fullmatch(captured.out.strip().splitlines()[-1])
    assert found is not None, captured.out
    return float(found.group(1))


@pytest.mark.processes
@pytest.mark.services
def test_latency_benchmark_measures_two_people_uploading(
    capsys: pytest.CaptureFixture[str],
) -> None:
    exit_code = latency.main(["--users", "2", "--seconds", "4"])
    assert last_ratio(capsys, exit_code) > 0


@pytest.mark.services
def test_bot_benchmark_compares_our_dispatcher_with_a_bare_bot(
    capsys: pytest.CaptureFixture[str],
) -> None:
    exit_code = bot.main(["--updates", "20", "--files", "20", "--rounds", "1"])
    assert last_ratio(capsys, exit_code) > 0
