"""What a team's gate found, for its dashboard: the rules most frequent in the gate's checks,
the pass rate, and who is stuck on one rule (`core.services.dashboard` reads the runs)."""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

STUCK_VERSIONS = 3  # the same rule in this many gated versions in a row: stuck


@dataclass(frozen=True)
class RuleCount:
    code: str
    count: int  # issues of that rule in the gate's checks


@dataclass(frozen=True)
class Stuck:
    """The same rule in the gate's checks of `versions` versions of one file in a row (in the
    order of their numbers, among the versions that went through the gate): the longest such
    run per member, file and rule, when it is at least STUCK_VERSIONS long."""

    display_name: str
    file_name: str
    rule: str
    versions: int
    last_version: int  # the number of the last version of the run


@dataclass(frozen=True)
class GatedRun:
    """One gate run of a member, with the rules of its check."""

    file_id: int
    file_name: str
    version: int
    passed: bool
    rules: Counter[str]  # issues per rule of the run's check


def pass_rate(runs: list[GatedRun]) -> float | None:
    return sum(run.passed for run in runs) / len(runs) if runs else None


def rule_counts(runs: Iterable[GatedRun]) -> Counter[str]:
    total: Counter[str] = Counter()
    for run in runs:
        total.update(run.rules)
    return total


def top_rules(counts: Counter[str], most: int) -> list[RuleCount]:
    """The rules with most issues first, then by code (so ties read the same every time)."""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [RuleCount(code, count) for code, count in ordered[:most]]


def stuck_runs(names: dict[int, str], runs: dict[int, list[GatedRun]]) -> list[Stuck]:
    """Every Stuck of the members' runs (`names`: the members' names by user id), longest
    first."""
    found = []
    for member_id, member_runs in runs.items():
        versions: dict[tuple[int, str], dict[int, set[str]]] = defaultdict(dict)
        for run in member_runs:  # a version judged twice: the rules of both runs
            versions[run.file_id, run.file_name].setdefault(run.version, set()).update(run.rules)
        for (_file_id, file_name), rules_by_version in versions.items():
            for rule, (length, last) in _longest_runs(rules_by_version).items():
                if length >= STUCK_VERSIONS:
                    found.append(Stuck(names[member_id], file_name, rule, length, last))
    found.sort(key=lambda one: (-one.versions, one.display_name, one.file_name, one.rule))
    return found


def _longest_runs(rules_by_version: dict[int, set[str]]) -> dict[str, tuple[int, int]]:
    """Per rule: the longest run of gated versions in a row that all have it, and the number
    of the run's last version."""
    longest: dict[str, tuple[int, int]] = {}
    current: dict[str, int] = {}
    for number in sorted(rules_by_version):
        rules = rules_by_version[number]
        current = {rule: current.get(rule, 0) + 1 for rule in rules}
        for rule, length in current.items():
            if length > longest.get(rule, (0, 0))[0]:
                longest[rule] = (length, number)
    return longest
