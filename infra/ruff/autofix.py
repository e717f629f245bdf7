"""ruff's fixes of one stored version, computed in a temporary folder and never applied to
anything stored: `ruff check --fix` (safe fixes, or unsafe ones too when asked), then
`ruff format`, with the rules the version was checked with. The code is parsed, never run."""

import asyncio
import json
import tempfile
from pathlib import Path

from core.review import Issue
from core.ruff_config import ReviewConfig
from core.services.fixes import FixOutcome
from infra.ruff.output import to_issue
from infra.ruff.runner import (
    RuffError,
    RuffRunner,
    check_arguments,
    config_arguments,
    file_name,
)


class RuffFixer:
    """Implements `core.services.fixes.Fixer` with a `RuffRunner`."""

    def __init__(self, runner: RuffRunner) -> None:
        self.runner = runner

    async def fix(
        self, key: int, source: bytes, config: ReviewConfig, *, unsafe: bool
    ) -> FixOutcome:
        with tempfile.TemporaryDirectory(prefix="reviewbot-fix-") as name:
            directory = Path(name)
            target = directory / file_name(key)
            await asyncio.to_thread(target.write_bytes, source)
            before = await self._issues(config, directory, target)
            fix_args = check_arguments(config, directory, [target.name])
            fix_args[fix_args.index("--no-fix")] = "--fix"
            fix_args.insert(1, "--unsafe-fixes" if unsafe else "--no-unsafe-fixes")
            await self.runner.run_in(fix_args, directory)
            formatted = await self._format(config, directory, target)
            after = await self._issues(config, directory, target)
            fixed = await asyncio.to_thread(target.read_bytes)
        return FixOutcome(
            fixed=fixed,
            issues_before=len(before),
            remaining=[issue for issue, _ in after],
            unsafe_available=sum(1 for _, applicability in after if applicability == "unsafe"),
            formatted=formatted,
        )

    async def _issues(
        self, config: ReviewConfig, directory: Path, target: Path
    ) -> list[tuple[Issue, str | None]]:
        """The file's issues with each one's fix applicability ("safe", "unsafe", None)."""
        stdout = await self.runner.run_in(
            check_arguments(config, directory, [target.name]), directory
        )
        return await asyncio.to_thread(_parsed, stdout)

    async def _format(self, config: ReviewConfig, directory: Path, target: Path) -> bool:
        """`ruff format` the file in place; False when it cannot (a syntax error)."""
        args = ["format", *config_arguments(config, directory, lint=False), "--no-cache"]
        args += ["--", target.name]
        try:
            await self.runner.run_in(args, directory)
        except RuffError:
            return False
        return True


def _parsed(stdout: bytes) -> list[tuple[Issue, str | None]]:
    """ruff's JSON output as issues with their fix applicability (run off the event loop: the
    output of a long file is large)."""
    try:
        return [
            (to_issue(d), (d.get("fix") or {}).get("applicability")) for d in json.loads(stdout)
        ]
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise RuffError(f"ruff printed unparsable output: {error!r}") from error
