"""What each ruff rule checks and why: `ruff rule --all`, asked once per process and kept.

The texts are ruff's own (English Markdown); nothing is fetched from the network.
"""

import asyncio
import json
import logging
from collections.abc import Mapping
from typing import Any

from core.ports import Rule
from infra.ruff.runner import RuffError, RuffRunner

logger = logging.getLogger(__name__)


def parse_rules(output: bytes) -> dict[str, Rule]:
    """The rules in `ruff rule --all --output-format json`, by code; entries that do not
    look like rules are left out."""
    entries = json.loads(output)
    found = map(_rule, entries if isinstance(entries, list) else [])
    return {rule.code: rule for rule in found if rule is not None}


def _rule(entry: Any) -> Rule | None:
    if not isinstance(entry, dict) or not entry.get("code") or not entry.get("name"):
        return None
    return Rule(
        code=str(entry["code"]),
        name=str(entry["name"]),
        linter=str(entry.get("linter") or ""),
        summary=str(entry.get("summary") or ""),
        explanation=str(entry.get("explanation") or ""),
        fix=str(entry.get("fix") or ""),
    )


class RuleCatalog:
    """Implements `core.ports.RuleCatalog`: every rule of the installed ruff, read on first
    use. A failure is logged and leaves the catalogue empty for that call (reports then show
    codes without names)."""

    def __init__(self, runner: RuffRunner | None = None) -> None:
        self._runner = runner
        self._rules: dict[str, Rule] | None = None
        self._lock = asyncio.Lock()

    async def rules(self) -> Mapping[str, Rule]:
        if self._rules is None:
            async with self._lock:
                if self._rules is None:
                    self._rules = await self._load()
        return self._rules if self._rules is not None else {}

    async def rule(self, code: str) -> Rule | None:
        return (await self.rules()).get(code)

    async def _load(self) -> dict[str, Rule] | None:
        try:
            runner = self._runner = self._runner or RuffRunner()
            rules = parse_rules(await runner.rule_descriptions())
        except (RuffError, OSError, ValueError) as error:
            logger.warning("cannot read ruff's rules: %s", error)
            return None
        logger.info("read %s rule descriptions from ruff", len(rules))
        return rules
