"""The checker: real ruff, one isolated process per batch, the code parsed and never run."""

import asyncio
import json
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

from core.models import RulePreset
from core.review import SYNTAX_ERROR_CODE, Edit, Fix, Issue
from core.ruff_config import ReviewConfig
from infra.ruff.runner import RuffError, RuffRunner

RUFF = str(find_ruff_bin())

WITH_ISSUES = b"import os\nimport sys\n\nprint(undefined_name)\nif sys.argv == None:\n    pass\n"
CLEAN = b'"""Nothing to say."""\n\n\ndef add(a: int, b: int) -> int:\n    return a + b\n'
BROKEN = b"def ok():\n    return 1\n\n\ndef broken(:\n    pass\n"
NON_ASCII = "import os\n# Привет, мир 😀\nname = 'Ωmega 😀'; print(nаme)\nx = 1 ;\n".encode()
PRESETS_DIFFER = b"""import sys, os


def MyFunc(items, mode):
    for i in range(3):
        pass
    if items == None:
        return sys.argv
    return open(mode, "r").read()
"""

SAMPLES = {1: WITH_ISSUES, 2: CLEAN, 3: BROKEN, 4: NON_ASCII, 5: PRESETS_DIFFER}


def _fix(fix: dict[str, Any] | None) -> Fix | None:
    """ruff's fix as the runner keeps it (ruff spells display-only `displayonly`)."""
    if fix is None:
        return None
    edits = tuple(
        Edit(
            content=edit["content"],
            line=edit["location"]["row"],
            column=edit["location"]["column"],
            end_line=edit["end_location"]["row"],
            end_column=edit["end_location"]["column"],
        )
        for edit in fix["edits"]
    )
    spelled = {"displayonly": "display-only"}
    return Fix(spelled.get(fix["applicability"], fix["applicability"]), fix["message"], edits)


def ruff_directly(source: bytes, directory: Path, *args: str) -> list[Issue]:
    """What the ruff binary itself reports on a copy of the source, as sorted Issues."""
    directory.mkdir(parents=True, exist_ok=True)
    copy = directory / "sample.py"
    copy.write_bytes(source)
    command = [RUFF, "check", "--isolated", "--no-cache", "--output-format", "json", *args]
    result = subprocess.run([*command, str(copy)], capture_output=True, cwd=directory, check=False)
    assert result.returncode in {0, 1}, result.stderr
    issues = [
        Issue(
            code=SYNTAX_ERROR_CODE if item["code"] in {None, "invalid-syntax"} else item["code"],
            message=item["message"],
            line=item["location"]["row"],
            column=item["location"]["column"],
            end_line=item["end_location"]["row"],
            end_column=item["end_location"]["column"],
            fixable=item["fix"] is not None,
            url=item["url"],
            fix=_fix(item["fix"]),
        )
        for item in json.loads(result.stdout)
    ]
    return sorted(issues, key=lambda issue: (issue.line, issue.column, issue.code))


def ruff_output(cwd: Path, *args: str) -> str:
    """ruff run plainly, as a user would in that directory."""
    return subprocess.run(
        [RUFF, *args], capture_output=True, text=True, cwd=cwd, check=False
    ).stdout


def is_running(pid: int) -> bool:
    """Whether the process exists and is not a zombie waiting to be reaped."""
    status = Path(f"/proc/{pid}/stat")
    return status.exists() and status.read_text().rsplit(")", 1)[-1].split()[0] != "Z"


def codes(issues: list[Issue]) -> list[str]:
    return [issue.code for issue in issues]


def write_wrapper(path: Path, body: str) -> str:
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return str(path)


@pytest.fixture(scope="module")
def runner() -> RuffRunner:
    return RuffRunner()


@pytest.mark.parametrize("preset", RulePreset.built_in())
async def test_batch_matches_what_ruff_prints_itself(
    runner: RuffRunner, preset: RulePreset, tmp_path: Path
) -> None:
    select = ["--select", ",".join(preset.selectors)] if preset.selectors else []
    result = await runner.check_batch(SAMPLES, ReviewConfig(preset=preset))

    assert result.keys() == SAMPLES.keys()
    for key, source in SAMPLES.items():
        assert result[key] == ruff_directly(source, tmp_path / str(key), *select), key


async def test_known_issues_are_found_where_they_are(runner: RuffRunner) -> None:
    result = await runner.check_batch(
        {7: WITH_ISSUES, 8: CLEAN}, ReviewConfig(preset=RulePreset.PEP8)
    )

    found = {(issue.code, issue.line, issue.column) for issue in result[7]}
    assert found == {("F401", 1, 8), ("F821", 4, 7), ("E711", 5, 16)}
    assert result[8] == []
    unused = next(issue for issue in result[7] if issue.code == "F401")
    assert unused.fixable
    assert unused.message == "`os` imported but unused"


async def test_a_syntax_error_is_an_issue_not_an_exception(runner: RuffRunner) -> None:
    result = await runner.check_batch({1: BROKEN}, ReviewConfig(preset=RulePreset.DEFAULT))

    assert result[1]
    assert result[1][0].code == SYNTAX_ERROR_CODE
    assert result[1][0].line == 5
    assert {issue.code for issue in result[1]} == {SYNTAX_ERROR_CODE}


async def test_non_ascii_columns_count_characters(runner: RuffRunner) -> None:
    result = await runner.check_batch({1: NON_ASCII}, ReviewConfig(preset=RulePreset.PEP8))

    undefined = next(issue for issue in result[1] if issue.code == "F821")
    assert (undefined.line, undefined.column) == (3, 25)  # characters, not bytes (29)


async def test_presets_find_more_the_stricter_they_are(runner: RuffRunner) -> None:
    by_preset = {
        preset: set(
            codes((await runner.check_batch({1: PRESETS_DIFFER}, ReviewConfig(preset=preset)))[1])
        )
        for preset in RulePreset.built_in()
    }

    assert {"E401", "E711", "N802"}.isdisjoint(by_preset[RulePreset.DEFAULT])
    assert {"E401", "E711", "N802", "F401", "I001"} <= by_preset[RulePreset.PEP8]
    assert by_preset[RulePreset.PEP8] < by_preset[RulePreset.STRICT]
    assert by_preset[RulePreset.DEFAULT] < by_preset[RulePreset.STRICT]
    assert {"B007", "UP015", "PTH123"} <= by_preset[RulePreset.STRICT]


async def test_configuration_on_disk_and_in_environment_is_ignored(
    runner: RuffRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    baseline = await runner.check_batch(SAMPLES, ReviewConfig(preset=RulePreset.PEP8))
    select_all = '[lint]\nselect = ["ALL"]\n'
    ignore_f401 = '[tool.ruff.lint]\nignore = ["F401", "E711"]\n'
    working = tmp_path / "working"
    temporary = tmp_path / "temporary"
    config_home = tmp_path / "home" / ".config" / "ruff"
    for directory in (working, temporary, config_home):
        directory.mkdir(parents=True)
    (working / "ruff.toml").write_text(select_all)
    (temporary / "pyproject.toml").write_text(ignore_f401)
    (config_home / "ruff.toml").write_text(select_all)
    # The configurations are live: ruff without --isolated obeys them.
    (temporary / "probe.py").write_bytes(WITH_ISSUES)
    probe = ruff_output(temporary, "check", "--no-cache", "probe.py")
    assert "F401" not in probe
    assert "F821" in probe
    (working / "probe.py").write_bytes(CLEAN)
    assert "D103" in ruff_output(working, "check", "--no-cache", "probe.py")
    monkeypatch.chdir(working)
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    monkeypatch.setenv("RUFF_OUTPUT_FORMAT", "concise")
    monkeypatch.setenv("RUFF_OUTPUT_FILE", str(tmp_path / "diverted.txt"))

    assert await runner.check_batch(SAMPLES, ReviewConfig(preset=RulePreset.PEP8)) == baseline
    assert not (tmp_path / "diverted.txt").exists()


async def test_files_are_checked_even_under_excluded_directory_names(
    runner: RuffRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    excluded = tmp_path / ".venv" / "build" / "site-packages"
    excluded.mkdir(parents=True)
    (tmp_path / ".gitignore").write_text("*\n")
    monkeypatch.setattr(tempfile, "tempdir", str(excluded))

    result = await runner.check_batch({1: WITH_ISSUES}, ReviewConfig(preset=RulePreset.DEFAULT))

    assert "F401" in codes(result[1])


async def test_a_batch_is_one_ruff_process(tmp_path: Path) -> None:
    log = tmp_path / "runs.log"
    wrapper = write_wrapper(tmp_path / "ruff", f'echo run >> "{log}"\nexec "{RUFF}" "$@"')
    sources = {
        key: ("import os\n\n" + "x = 1\n" * key + f"print(undefined_{key})\n").encode()
        for key in range(50)
    }

    result = await RuffRunner(ruff_path=wrapper).check_batch(
        sources, ReviewConfig(preset=RulePreset.DEFAULT)
    )

    assert log.read_text().splitlines() == ["run"]
    assert result.keys() == sources.keys()
    for key, issues in result.items():
        assert [(issue.code, issue.line) for issue in issues] == [
            ("F401", 1),
            ("F821", key + 3),
        ]
        assert f"undefined_{key}" in issues[1].message


async def test_empty_batch_runs_nothing(tmp_path: Path) -> None:
    log = tmp_path / "runs.log"
    wrapper = write_wrapper(tmp_path / "ruff", f'echo run >> "{log}"\nexec "{RUFF}" "$@"')

    assert (
        await RuffRunner(ruff_path=wrapper).check_batch({}, ReviewConfig(preset=RulePreset.STRICT))
        == {}
    )
    assert not log.exists()


async def test_a_hanging_ruff_is_killed_with_its_children(tmp_path: Path) -> None:
    pid_file = tmp_path / "sleep.pid"
    wrapper = write_wrapper(tmp_path / "ruff", f'sleep 300 &\necho $! > "{pid_file}"\nwait')
    runner = RuffRunner(ruff_path=wrapper, timeout_seconds=2)

    started = time.monotonic()
    with pytest.raises(RuffError, match=r"timed out after 2 s"):
        await runner.check_batch({1: CLEAN}, ReviewConfig(preset=RulePreset.DEFAULT))
    took = time.monotonic() - started

    # Killed, not waited for: its child would have slept for five minutes.
    assert took < 60, f"check_batch returned after {took:.1f} s"
    child = int(pid_file.read_text())
    assert await _ends_within(child, seconds=10), f"ruff's child {child} still runs"


async def _ends_within(pid: int, *, seconds: float) -> bool:
    """Whether the process is gone (or a zombie) within `seconds`."""
    for _ in range(int(seconds / 0.05)):
        if not is_running(pid):
            return True
        await asyncio.sleep(0.05)
    return not is_running(pid)


async def test_a_failing_ruff_gives_its_message(tmp_path: Path) -> None:
    wrapper = write_wrapper(tmp_path / "ruff", "echo 'ruff: exploded here' >&2\nexit 2")

    with pytest.raises(RuffError, match="exploded here") as raised:
        await RuffRunner(ruff_path=wrapper).check_batch(
            {1: CLEAN}, ReviewConfig(preset=RulePreset.DEFAULT)
        )

    assert "\n" not in raised.value.reason


async def test_unparsable_output_is_an_error(tmp_path: Path) -> None:
    wrapper = write_wrapper(tmp_path / "ruff", "echo 'this is not json'")

    with pytest.raises(RuffError, match="unparsable"):
        await RuffRunner(ruff_path=wrapper).check_batch(
            {1: CLEAN}, ReviewConfig(preset=RulePreset.DEFAULT)
        )


async def test_a_missing_binary_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RuffError, match="cannot start ruff"):
        await RuffRunner(ruff_path=str(tmp_path / "nope")).version()


async def test_uploaded_code_is_never_executed(runner: RuffRunner, tmp_path: Path) -> None:
    marker = tmp_path / "executed.marker"
    hostile = (
        f"import os\nopen({str(marker)!r}, 'w').write('ran')\n"
        f"os.system('touch {marker}')\n"
        f"if __name__ == '__main__':\n    open({str(marker)!r}, 'w')\n"
    ).encode()

    result = await runner.check_batch(
        {1: hostile, 2: hostile}, ReviewConfig(preset=RulePreset.STRICT)
    )

    assert "S605" in codes(result[1])  # ruff saw the shell call, and that is all it did
    assert not marker.exists()


async def test_version_is_what_ruff_prints(runner: RuffRunner, tmp_path: Path) -> None:
    printed = ruff_output(tmp_path, "--version")

    version = await runner.version()

    assert printed.split() == ["ruff", version]
    assert await runner.version() is version
