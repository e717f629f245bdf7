"""Smoke run of bench/webapp_report.py (the Mini App's report page of a big file against the
HTML report document): a smaller file, so that it keeps working and the page's first answer
stays the lighter; the figures are `make bench`'s business."""

import math
import re

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
    # Times are `make bench`'s (one cold round here is noise, seen in CI); the weight is not:
    # the first answer holds 100 lines and the head, the document every issue with its line.
    first = re.search(r"first answer: [\d.]+ ms, ([\d,]+) bytes", output)
    document = re.search(r"HTML report document: [\d.]+ ms, ([\d,]+) bytes", output)
    assert first is not None, output
    assert document is not None, output
    assert int(first[1].replace(",", "")) < int(document[1].replace(",", "")), output
    assert math.isfinite(last_ratio(output)), output
