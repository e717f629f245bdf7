"""Log output in both formats an operator can choose."""

import json
import logging
from collections.abc import Iterator

import pytest

from core.config import LogFormat
from core.logs import configure_logging


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_json_format_writes_one_object_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(LogFormat.JSON)
    logging.getLogger("reviewbot.test").warning("delivery %s failed", 7)
    [line] = capsys.readouterr().err.strip().splitlines()
    record = json.loads(line)
    assert record["message"] == "delivery 7 failed"
    assert (record["levelname"], record["name"]) == ("WARNING", "reviewbot.test")


def test_console_format_is_readable(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(LogFormat.CONSOLE)
    logging.getLogger("reviewbot.test").info("checked %s versions", 3)
    line = capsys.readouterr().err.strip()
    assert line.endswith("INFO    reviewbot.test: checked 3 versions")
