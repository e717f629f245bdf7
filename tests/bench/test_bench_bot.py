"""Smoke runs of the latency and bot benchmarks (bench/latency.py, bench/bot.py): tiny numbers,
so they keep working; the figures themselves are `make bench`'s business."""

import math
import re

import pytest

from bench import bot, latency
from tests.support.databases import skip_or_fail

RATIO = re.compile(r"ratio: (\S+)")
UPLOADS = re.compile(r"uploads: (\d+) \(results: (\d+), missing: (\d+)\)")


def benchmark_output(capsys: pytest.CaptureFixture[str], exit_code: int) -> str:
    """What the benchmark printed (skipped without the services)."""
    captured = capsys.readouterr()
    if exit_code == 2:
        skip_or_fail(captured.err.strip())
    assert exit_code == 0, captured.err
    return captured.out


def last_ratio(output: str) -> float:
    """The number on the benchmark's last line, `ratio: X`: finite and positive, or it failed
    to measure (a lost result makes a latency infinite; nothing measured makes it 0 or nan)."""
    found = RATIO.fullmatch(output.strip().splitlines()[-1])
    assert found is not None, output
    ratio = float(found.group(1))
    assert math.isfinite(ratio), output
    assert ratio > 0, output
    return ratio


@pytest.mark.processes
@pytest.mark.services
def test_latency_benchmark_measures_two_people_uploading(
    capsys: pytest.CaptureFixture[str],
) -> None:
    exit_code = latency.main(["--users", "2", "--seconds", "4"])
    output = benchmark_output(capsys, exit_code)
    # Two people, one upload every 2 s for 4 s each: four uploads, and every result arrived.
    counts = UPLOADS.search(output)
    assert counts is not None, output
    assert counts.groups() == ("4", "4", "0"), output
    last_ratio(output)


@pytest.mark.services
def test_bot_benchmark_compares_our_dispatcher_with_a_bare_bot(
    capsys: pytest.CaptureFixture[str],
) -> None:
    exit_code = bot.main(["--updates", "20", "--files", "20", "--rounds", "1"])
    last_ratio(benchmark_output(capsys, exit_code))
