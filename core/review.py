"""What a review finds, independent of how it was produced or shown."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

# ruff reports a syntax error without a rule code; we show it under this one.
SYNTAX_ERROR_CODE = "syntax-error"


@dataclass(frozen=True)
class Issue:
    code: str
    message: str
    line: int
    column: int
    end_line: int
    end_column: int
    fixable: bool
    # ruff's page on the rule (its JSON carries it); None for syntax errors and for checks
    # stored before the link was kept.
    url: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Issue":
        return cls(
            code=str(data["code"]),
            message=str(data["message"]),
            line=int(data["line"]),
            column=int(data["column"]),
            end_line=int(data["end_line"]),
            end_column=int(data["end_column"]),
            fixable=bool(data["fixable"]),
            url=str(data["url"]) if data.get("url") else None,
        )


class FoundIssues(list[Issue]):
    """The issues kept of a check, and how many were found in all: past a cap the rest are
    counted, not kept (`total` >= len, `truncated` when some were left out)."""

    def __init__(self, kept: Iterable[Issue] = (), *, total: int | None = None) -> None:
        super().__init__(kept)
        self.total = len(self) if total is None else max(total, len(self))

    @property
    def truncated(self) -> bool:
        return self.total > len(self)


def group_by_rule(issues: list[Issue]) -> list[tuple[str, list[Issue]]]:
    """The issues by rule: the rules with most issues first (then by code), each rule's issues
    in the order given."""
    counts = Counter(issue.code for issue in issues)
    order = sorted(counts, key=lambda code: (-counts[code], code))
    by_code: dict[str, list[Issue]] = {code: [] for code in order}
    for issue in issues:
        by_code[issue.code].append(issue)
    return [(code, by_code[code]) for code in order]
