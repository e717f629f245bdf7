"""The gate's checker (`core.services.gate.GateChecker`) on a `RuffRunner`: one source, one
ruff run; ruff's own failures become the review's error."""

from core.review import FoundIssues
from core.ruff_config import ReviewConfig
from core.services.gate import GateReview
from infra.ruff.runner import RuffError, RuffRunner


class RuffGateChecker:
    def __init__(self, runner: RuffRunner) -> None:
        self.runner = runner

    async def review(self, source: bytes, config: ReviewConfig) -> GateReview:
        try:
            ruff_version = await self.runner.version()
        except RuffError as error:
            return GateReview(issues=FoundIssues(), ruff_version="", error=error.reason)
        try:
            found = await self.runner.check_batch({1: source}, config)
        except RuffError as error:
            reason = f"{error.reason}: {error.details}" if error.details else error.reason
            return GateReview(issues=FoundIssues(), ruff_version=ruff_version, error=reason)
        return GateReview(issues=found.get(1, FoundIssues()), ruff_version=ruff_version)
