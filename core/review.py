"""What a review finds, independent of how it was produced or shown."""

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
        )
