"""What a review finds, independent of how it was produced or shown."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal

# ruff reports a syntax error without a rule code; we show it under this one.
SYNTAX_ERROR_CODE = "syntax-error"

# How sure ruff is of a fix: `safe` ones `ruff check --fix` applies, `unsafe` ones only with
# `--unsafe-fixes`, `display-only` ones never (a suggestion to apply by hand).
Applicability = Literal["safe", "unsafe", "display-only"]
_APPLICABILITY: dict[str, Applicability] = {
    "safe": "safe",
    "unsafe": "unsafe",
    "displayonly": "display-only",  # ruff's spelling
    "display-only": "display-only",
}
# A fix whose replacement texts are longer than this is kept without its edits (its message and
# applicability only): a report shows a small before → after, not a rewritten file.
MAX_FIX_TEXT = 2000


@dataclass(frozen=True)
class Edit:
    """One replacement of a fix: the text from (line, column) up to (end_line, end_column),
    1-based, columns in characters as ruff counts them, replaced by `content`."""

    content: str
    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class Fix:
    """ruff's fix of an issue: how safe it is, its message, and its edits (empty when they
    were too long to keep)."""

    applicability: Applicability
    message: str | None
    edits: tuple[Edit, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "applicability": self.applicability,
            "message": self.message,
            "edits": [asdict(edit) for edit in self.edits],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Fix | None":
        applicability = _APPLICABILITY.get(str(data.get("applicability")))
        if applicability is None:
            return None
        edits = tuple(
            Edit(
                content=str(edit["content"]),
                line=int(edit["line"]),
                column=int(edit["column"]),
                end_line=int(edit["end_line"]),
                end_column=int(edit["end_column"]),
            )
            for edit in data.get("edits") or ()
        )
        message = data.get("message")
        return cls(applicability, str(message) if message else None, edits)

    @property
    def line_delta(self) -> int:
        """How many lines applying it adds (negative: removes); 0 when its edits were not kept."""
        return sum(edit.content.count("\n") - (edit.end_line - edit.line) for edit in self.edits)


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
    # ruff's fix, kept since fixes are shown (older checks have none even when `fixable`).
    fix: Fix | None = None
    # Matched by the file's baseline: an issue accepted when the baseline was set, not new.
    accepted: bool = False

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["fix"] = self.fix.to_json() if self.fix is not None else None
        return data

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
            fix=Fix.from_json(data["fix"]) if isinstance(data.get("fix"), dict) else None,
            accepted=bool(data.get("accepted", False)),
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
