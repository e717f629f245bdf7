"""Logging set-up: readable lines on a console, or one JSON object per line."""

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

from core.config import LogFormat

CONSOLE_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def configure_logging(log_format: LogFormat, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if log_format is LogFormat.JSON:
        handler.setFormatter(
            JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s", timestamp=False)
        )
    else:
        handler.setFormatter(logging.Formatter(CONSOLE_FORMAT))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)
    # A wake-up during a running job is handled by the job itself (checks/worker.py), so
    # APScheduler's "skipped: maximum number of running instances" is not worth a warning.
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
    # "Running job…" / "executed successfully" twice per interval would bury everything else;
    # a job that raises is still logged (at ERROR).
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
