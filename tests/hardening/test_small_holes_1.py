"""Smaller holes of issue 18: formulas in CSV exports, configurations that make ruff fix or
print otherwise, button data beyond the database's integers, and deeply nested TOML."""

import csv
import io
import logging
from datetime import UTC, datetime

import pytest

from checks.worker import Worker
from core.errors import ConfigRefusal, ConfigRefusedError
from core.exports import FIELDS, log_csv
from core.models import CheckResult, DeliveryStatus, RulePreset
from core.ruff_config import ConfigKind, ReviewConfig, read_own_config
from core.services.check_log import LogDelivery, LogEntry
from infra.ruff.runner import RuffRunner
from tests.support.app import BotApp
from tests.support.presses import press_data
from tests.support.results import PASSED, assert_result

MOMENT = datetime(2026, 1, 31, 9, 5, tzinfo=UTC)


def _entry(name: str) -> LogEntry:
    sent = LogDelivery(status=DeliveryStatus.SENT, attempts=1, sent_at=MOMENT, failing=False)
    return LogEntry(
        check_id=1,
        file_name=name,
        file_deleted=False,
        version=1,
        preset=RulePreset.DEFAULT,
        config_hash=None,
        muted_rules=(),
        ruff_version="0.17.6",
        started_at=MOMENT,
        finished_at=MOMENT,
        result=CheckResult.PASSED,
        issue_count=0,
        email=sent,
        chat=sent,
    )


def test_csv_export_never_writes_a_formula() -> None:
    names = ["=HYPERLINK(1).py", "+1.py", "-2.py", "@SUM(A1).py", "\tx.py", "\rx.py", "ok=.py"]
    document = log_csv([_entry(name) for name in names], {f: f for f in FIELDS})
    _header, *rows = csv.reader(io.StringIO(document.decode("utf-8-sig"), newline=""))
    written = [row[1] for row in rows]
    assert written == [f"'{name}" for name in names[:-1]] + ["ok=.py"]
    assert rows[0][0] == "1"  # numbers and times stay as they were
    assert rows[0][7] == "2026-01-31T09:05:00Z"


@pytest.mark.parametrize(
    "key", ["fix", "fix-only", "unsafe-fixes", "show-fixes", "output-format", "force-exclude"]
)
def test_settings_that_make_ruff_fix_or_print_otherwise_are_refused(key: str) -> None:
    value = '"concise"' if key == "output-format" else "true"
    for raw, kind in [
        (f"{key} = {value}\n".encode(), ConfigKind.RUFF),
        (f"[tool.ruff]\n{key} = {value}\n".encode(), ConfigKind.PYPROJECT),
    ]:
        with pytest.raises(ConfigRefusedError) as refused:
            read_own_config(raw, kind)
        assert (refused.value.refusal, refused.value.detail) == (
            ConfigRefusal.OUTPUT_SETTINGS,
            key,
        )


async def test_a_stored_fix_only_configuration_checks_without_fixing() -> None:
    """A configuration stored before such settings were refused still gets a report."""
    config = ReviewConfig(preset=RulePreset.CUSTOM, custom="fix-only = true\n")
    issues = await RuffRunner().check_batch({1: b"import os\n"}, config)
    assert [issue.code for issue in issues[1]] == ["F401"]


async def test_a_fix_only_configuration_is_refused_with_its_reason(bot_app: BotApp) -> None:
    dee = await bot_app.registered("dee@example.com")
    await dee.click(await dee.say("/rules"), "📄 Use my configuration")
    answer = await dee.upload("ruff.toml", b'fix-only = true\noutput-format = "full"\n')
    assert "These settings change what ruff writes or prints" in answer.text, answer.text
    assert "fix-only, output-format." in answer.text
    assert answer.text.endswith("Send a corrected one, or /cancel.")


DEEP = [
    b"a = " + b"[" * 5000 + b"]" * 5000 + b"\n",
    b"a = " + b"{b = " * 3000 + b"1" + b"}" * 3000 + b"\n",
    b"a" + b".b" * 5000 + b" = 1\n",
    b"[" + b".".join([b"t"] * 5000) + b"]\nx = 1\n",
    b"[tool.ruff]\n" + b"[tool.ruff.lint" + b".b" * 20 + b"]\nx = 1\n",
]


@pytest.mark.parametrize("raw", DEEP, ids=range(len(DEEP)))
def test_deeply_nested_toml_is_refused(raw: bytes) -> None:
    with pytest.raises(ConfigRefusedError) as refused:
        read_own_config(raw, None)
    assert (refused.value.refusal, refused.value.detail) == (ConfigRefusal.TOO_DEEP, "16")


def test_an_ordinary_nested_configuration_is_kept() -> None:
    raw = b'[tool.ruff.lint.flake8-tidy-imports.banned-api]\n"os.system".msg = "no"\n'
    assert "banned-api" in read_own_config(raw, None).normalized


async def test_a_deeply_nested_configuration_gets_its_reason(bot_app: BotApp) -> None:
    dee = await bot_app.registered("dee@example.com")
    await dee.click(await dee.say("/rules"), "📄 Use my configuration")
    answer = await dee.upload("ruff.toml", DEEP[0])
    assert "This configuration is nested too deeply" in answer.text, answer.text


async def test_button_ids_beyond_the_database_integers_are_not_found(
    bot_app: BotApp, worker: Worker, caplog: pytest.LogCaptureFixture
) -> None:
    forger = await bot_app.registered("forger@example.com")
    await forger.upload("mine.py", b"x = 1\n")
    # The result first, so that it does not arrive in the middle of the presses below.
    assert_result(await forger.chat.next_screen(), "mine.py", 1, PASSED)
    base = await forger.files()
    huge = "99999999999"
    with caplog.at_level(logging.WARNING):
        for data, expected in [
            (f"f:o:{huge}:0", "File not found."),
            (f"f:y:{huge}:0", "File not found."),
            (f"f:w:{-int(huge)}:0", "File not found."),
            (f"h:{huge}:0:0", "File not found."),
            (f"f:o:{'9' * 40}:0", "File not found."),
        ]:
            answer = await press_data(forger, data, on=base)
            assert (answer.kind, answer.text) == ("callback_answer", expected), data
        for data in [f"k:o:{huge}:0:", f"x:p:{huge}:0:0", f"g:p:{huge}", f"l:{huge}"]:
            answer = await press_data(forger, data, on=base)
            assert "Something went wrong" not in answer.text, data
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]
