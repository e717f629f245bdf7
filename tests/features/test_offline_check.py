"""`reviewbot check FILE...`: the user reviews local files without the bot."""

import io
from pathlib import Path

import pytest
from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

from core.models import RulePreset
from infra.ruff.offline import review_paths
from infra.ruff.runner import RuffRunner

CLEAN = b'"""Nothing to say."""\n\nANSWER = 42\n'
WITH_ISSUES = b"import os\n\nprint(undefined_name)\n"


@pytest.fixture(scope="module")
def runner() -> RuffRunner:
    return RuffRunner()


async def review(*paths: Path, runner: RuffRunner) -> tuple[int, list[str]]:
    out = io.StringIO()
    code = await review_paths(list(paths), RulePreset.DEFAULT, runner, out)
    return code, out.getvalue().splitlines()


async def test_a_clean_file_passes(runner: RuffRunner, tmp_path: Path) -> None:
    clean = tmp_path / "clean.py"
    clean.write_bytes(CLEAN)

    assert await review(clean, runner=runner) == (0, ["No issues found."])


async def test_issues_are_printed_with_the_users_path(runner: RuffRunner, tmp_path: Path) -> None:
    messy = tmp_path / "my code" / "messy.py"
    messy.parent.mkdir()
    messy.write_bytes(WITH_ISSUES)
    clean = tmp_path / "clean.py"
    clean.write_bytes(CLEAN)

    code, lines = await review(messy, clean, runner=runner)

    assert code == 1
    assert lines == [
        f"{messy}:1:8: F401 `os` imported but unused [*]",
        f"{messy}:3:7: F821 Undefined name `undefined_name`",
        "Found 2 issues in 1 file.",
    ]


async def test_unreadable_paths_are_reported_and_the_rest_reviewed(
    runner: RuffRunner, tmp_path: Path
) -> None:
    missing = tmp_path / "missing.py"
    latin1 = tmp_path / "latin1.py"
    latin1.write_bytes("name = 'café'\n".encode("latin-1"))
    binary = tmp_path / "binary.py"
    binary.write_bytes(b"x = 1\0\n")
    huge = tmp_path / "huge.py"
    huge.write_bytes(b"x = 1\n" * 200_000)
    messy = tmp_path / "messy.py"
    messy.write_bytes(WITH_ISSUES)

    code, lines = await review(missing, tmp_path, latin1, binary, huge, messy, runner=runner)

    assert code == 2
    assert lines == [
        f"{missing}: cannot review: no such file",
        f"{tmp_path}: cannot review: is a directory",
        f"{latin1}: cannot review: not UTF-8 text",
        f"{binary}: cannot review: contains NUL bytes",
        f"{huge}: cannot review: larger than 1 MiB",
        f"{messy}:1:8: F401 `os` imported but unused [*]",
        f"{messy}:3:7: F821 Undefined name `undefined_name`",
        "Found 2 issues in 1 file. 5 paths could not be reviewed.",
    ]


async def test_only_unreadable_paths_still_exit_2(runner: RuffRunner, tmp_path: Path) -> None:
    missing = tmp_path / "missing.py"

    assert await review(missing, runner=runner) == (
        2,
        [
            f"{missing}: cannot review: no such file",
            "No issues found. 1 path could not be reviewed.",
        ],
    )


async def test_several_files_are_reviewed_in_one_ruff_run(tmp_path: Path) -> None:
    log = tmp_path / "runs.log"
    wrapper = tmp_path / "ruff"
    wrapper.write_text(f'#!/bin/sh\necho run >> "{log}"\nexec "{find_ruff_bin()}" "$@"\n')
    wrapper.chmod(0o755)
    paths = []
    for index in range(5):
        path = tmp_path / f"file {index}.py"
        path.write_bytes(WITH_ISSUES if index % 2 else CLEAN)
        paths.append(path)

    code, lines = await review(*paths, runner=RuffRunner(ruff_path=str(wrapper)))

    assert code == 1
    assert log.read_text().splitlines() == ["run"]
    assert [line.split(":")[0] for line in lines[:-1]] == [str(paths[i]) for i in (1, 1, 3, 3)]
    assert lines[-1] == "Found 4 issues in 2 files."


async def test_a_failing_ruff_is_an_error_line(tmp_path: Path) -> None:
    wrapper = tmp_path / "ruff"
    wrapper.write_text("#!/bin/sh\necho 'ruff: exploded' >&2\nexit 2\n")
    wrapper.chmod(0o755)
    clean = tmp_path / "clean.py"
    clean.write_bytes(CLEAN)

    code, lines = await review(clean, runner=RuffRunner(ruff_path=str(wrapper)))

    assert (code, lines) == (2, ["error: ruff failed with exit code 2: ruff: exploded"])
