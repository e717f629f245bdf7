"""Smoke run of bench/bot_api.py (our session against aiogram's): a few answers, so that it
keeps working and ours stays the faster; the figures are `make bench`'s business."""

import pytest

from bench import bot_api
from tests.bench.test_bench_bot import benchmark_output, last_ratio


def test_bot_api_benchmark_finds_our_session_faster(capsys: pytest.CaptureFixture[str]) -> None:
    output = benchmark_output(capsys, bot_api.main(["--answers", "40", "--every", "4"]))
    assert "ms of CPU per answer" in output, output
    # Each collection makes aiogram's session build a Message model again (milliseconds);
    # ours built it once: far more than twice as fast even over a few answers.
    assert last_ratio(output) > bot_api.TARGET, output
