"""`reviewbot check FILE...`: the bot's review of local files, printed like a linter."""

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from core.models import RulePreset
from core.review import Issue
from core.ruff_config import ReviewConfig
from infra.ruff.runner import RuffError, RuffRunner

logger = logging.getLogger(__name__)

MAX_FILE_SIZE = 1024 * 1024
EXIT_CLEAN, EXIT_ISSUES, EXIT_ERROR = 0, 1, 2


class UnreadableFileError(Exception):
    """A path that cannot be reviewed; the message says why, in a few words."""


def read_source(path: Path) -> bytes:
    """The file's bytes if it is a reviewable Python text, else UnreadableFileError."""
    try:
        if path.is_dir():
            raise UnreadableFileError("is a directory")
        if path.stat().st_size > MAX_FILE_SIZE:
            raise UnreadableFileError("larger than 1 MiB")
        source = path.read_bytes()
    except FileNotFoundError:
        raise UnreadableFileError("no such file") from None
    except OSError as error:
        raise UnreadableFileError(error.strerror or str(error)) from None
    if len(source) > MAX_FILE_SIZE:
        raise UnreadableFileError("larger than 1 MiB")
    if b"\0" in source:
        raise UnreadableFileError("contains NUL bytes")
    try:
        source.decode("utf-8")
    except UnicodeDecodeError:
        raise UnreadableFileError("not UTF-8 text") from None
    return source


def format_issue(path: Path, issue: Issue) -> str:
    fix = " [*]" if issue.fixable else ""
    return f"{path}:{issue.line}:{issue.column}: {issue.code} {issue.message}{fix}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


async def review_paths(
    paths: Sequence[Path], preset: RulePreset, runner: RuffRunner, out: TextIO
) -> int:
    """Review the files in one ruff run; 0 when clean, 1 on issues, 2 when a path is unusable."""
    sources: dict[int, bytes] = {}
    errors: dict[int, str] = {}
    for index, path in enumerate(paths):
        try:
            sources[index] = read_source(path)
        except UnreadableFileError as error:
            errors[index] = str(error)
    try:
        issues = await runner.check_batch(sources, ReviewConfig(preset=preset))
    except RuffError as error:
        logger.warning("offline review failed: %s", error.reason)
        print(f"error: {error.reason}", file=out)
        return EXIT_ERROR
    for index, path in enumerate(paths):
        if index in errors:
            print(f"{path}: cannot review: {errors[index]}", file=out)
        for issue in issues.get(index, []):
            print(format_issue(path, issue), file=out)
    found = sum(found_in_file.total for found_in_file in issues.values())  # listed: capped
    files_with_issues = sum(1 for found_in_file in issues.values() if found_in_file)
    if found:
        summary = f"Found {_plural(found, 'issue')} in {_plural(files_with_issues, 'file')}."
    else:
        summary = "No issues found."
    if errors:
        summary += f" {_plural(len(errors), 'path')} could not be reviewed."
    print(summary, file=out)
    if errors:
        return EXIT_ERROR
    return EXIT_ISSUES if found else EXIT_CLEAN
