"""Smoke run of bench/webapp_report.py (the Mini App's report page of a big file against the
HTML report document): a smaller file, so that it keeps working and the page's first answer
stays the sooner; the figures are `make bench`'s business."""

import pytest

from bench import webapp_report
from tests.bench.test_bench_bot import benchmark_output, last_ratio


def test_the_report_pages_first_answer_comes_before_the_document(
    capsys: pytest.CaptureFixture[str],
) -> None:
    exit_code = webapp_report.main(["--lines", "1500", "--issues", "600", "--rounds", "1"])
    output = benchmark_output(capsys, exit_code)

    assert "report page, first answer:" in output, output
    assert "the other 5 parts:" in output, output
    # The first answer renders 100 lines and the head; the document every issue with its line.
    assert last_ratio(output) > 1, output
