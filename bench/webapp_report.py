"""Benchmark 7, the Mini App's report page of a big file: its first answer against the whole HTML
report document of the chat and emails (core/report_document.py).

A 5,000-line module (the standard library's code) with 2,000 issues over ten rules, spread over
the file, made in memory (no database: the figures are the server's rendering, what the
page's view does once the check is loaded). Renders, `--rounds` times each and keeps the
fastest: the report page's first answer (the head, the rules, the first part of the listing),
every further part (`?from=N`, as the page loads them while scrolling), and the document.
Prints the time and the bytes of each, and last `ratio: X` = the document's time ÷ the first
answer's (how many times sooner the page shows something than the document would; target ≥ 3).

    .venv/bin/python -m bench.webapp_report [--lines 5000] [--issues 2000] [--rounds 3]
"""

import argparse
import sys
import sysconfig
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from bot.app import Catalogues
from bot.shared.texts import size_label
from core.i18n import load_translations
from core.models import CheckResult, DeliveryChannel, DeliveryStatus, RulePreset
from core.ports import Rule
from core.report_document import render_report_document
from core.review import Issue
from core.services.reports import CheckReport, DeliveryMark, OwnedCheck
from infra.mail.emails import EmailTemplates
from webapp.pages.report import FIRST_LINES, PART_LINES, report_data, template_context
from webapp.rendering import Templates

TARGET = 3.0
LOCALE = "en"
BASE = "/app"
# (code, name, message, fixable): ten rules, as ruff words them.
RULES = [
    ("E501", "line-too-long", "Line too long (120 > 88)", False),
    ("F401", "unused-import", "`os` imported but unused", True),
    ("F841", "unused-variable", "Local variable `x` is assigned to but never used", True),
    ("E711", "none-comparison", "Comparison to `None` should be `cond is None`", True),
    (
        "B006",
        "mutable-argument-default",
        "Do not use mutable data structures for argument defaults",
        True,
    ),
    ("UP004", "useless-object-inheritance", "Class `C` inherits from `object`", True),
    (
        "SIM108",
        "if-else-block-instead-of-if-exp",
        "Use ternary operator instead of `if`-`else`-block",
        True,
    ),
    (
        "PLR2004",
        "magic-value-comparison",
        "Magic value used in comparison, consider replacing `3` with a constant variable",
        False,
    ),
    (
        "C408",
        "unnecessary-collection-call",
        "Unnecessary `dict()` call (rewrite as a literal)",
        True,
    ),
    (
        "B008",
        "function-call-in-default-argument",
        "Do not perform function call `f` in argument defaults",
        False,
    ),
]


def source_lines(count: int) -> list[str]:
    """`count` lines of real Python: standard library modules one after another."""
    root = Path(sysconfig.get_paths()["stdlib"])
    lines: list[str] = []
    for name in ("typing.py", "inspect.py", "argparse.py", "dataclasses.py", "pathlib.py"):
        lines += (root / name).read_text(encoding="utf-8").splitlines()
        if len(lines) >= count:
            break
    while len(lines) < count:
        lines += lines
    return [*lines[:count], ""]  # the file ends with a line break


def big_check(line_count: int, issue_count: int) -> OwnedCheck:
    lines = source_lines(line_count)
    step = line_count / issue_count
    issues = []
    for number in range(issue_count):
        code, _name, message, fixable = RULES[(number * 7) % len(RULES)]
        line = 1 + int(number * step)
        issues.append(Issue(code, message, line, 5, line, 9, fixable, None))
    sent = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)
    report = CheckReport(
        check_id=1,
        file_id=1,
        file_name="big_module.py",
        version=1,
        preset=RulePreset.DEFAULT,
        config_hash=None,
        muted_rules=(),
        ruff_version="0.14.0",
        result=CheckResult.FAILED,
        issues=issues,
        error=None,
        finished_at=sent,
        deliveries={
            channel: DeliveryMark(channel, DeliveryStatus.SENT, 1, sent, None)
            for channel in DeliveryChannel
        },
    )
    return OwnedCheck(report=report, file_active=True, lines=tuple(lines))


class Pages:
    """The report page's answers, rendered as its view renders them (webapp/pages/report.py)."""

    def __init__(self, check: OwnedCheck) -> None:
        translations = load_translations()
        self.check = check
        self.i18n = Catalogues(translations)
        self.templates = Templates(
            translations, {"base": BASE, "telegram_js": "", "size_label": size_label}
        )
        self.environment = EmailTemplates(
            sender="bench@example.com", translations=translations
        ).environment(LOCALE)
        self.names = {code: name for code, name, _message, _fixable in RULES}
        self.rules = {code: Rule(code, name, "", "", "", "") for code, name in self.names.items()}

    def page(self, start: int | None) -> str:
        with self.i18n.context(), self.i18n.use_locale(LOCALE):
            data = report_data(self.check, self.rules, None)
            extra = template_context(self.check, data, start, f"{BASE}/checks/1")
            template = "report/part.html" if start is not None else "report/page.html"
            return self.templates.render(LOCALE, template, page=data, **extra)

    def document(self) -> bytes:
        with self.i18n.context(), self.i18n.use_locale(LOCALE):
            return render_report_document(self.environment, LOCALE, self.check, self.names)


def fastest(render: Callable[[], object], rounds: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(rounds):
        started = time.perf_counter()
        result = render()
        best = min(best, time.perf_counter() - started)
    return best, result


def measure(lines: int, issues: int, rounds: int) -> list[str]:
    pages = Pages(big_check(lines, issues))
    pages.page(None), pages.page(1 + FIRST_LINES), pages.document()  # templates compiled once
    first_time, first = fastest(lambda: pages.page(None), rounds)
    parts_time, parts_bytes, part_count = 0.0, 0, 0
    for start in range(1 + FIRST_LINES, lines + 1, PART_LINES):
        spent, part = fastest(lambda start=start: pages.page(start), rounds)  # type: ignore[misc]
        parts_time += spent
        parts_bytes += len(str(part).encode())
        part_count += 1
    document_time, document = fastest(pages.document, rounds)
    first_bytes = len(str(first).encode())
    document_bytes = len(document) if isinstance(document, bytes) else 0
    ratio = document_time / first_time
    return [
        f"a file of {lines:,} lines with {issues:,} issues, the fastest of {rounds} rounds",
        f"report page, first answer: {first_time * 1000:.1f} ms, {first_bytes:,} bytes",
        f"report page, the other {part_count} parts: {parts_time * 1000:.1f} ms, "
        f"{parts_bytes:,} bytes ({parts_time / max(part_count, 1) * 1000:.1f} ms each)",
        f"report page, all of it: {(first_time + parts_time) * 1000:.1f} ms, "
        f"{first_bytes + parts_bytes:,} bytes",
        f"HTML report document: {document_time * 1000:.1f} ms, {document_bytes:,} bytes",
        f"target met: {'yes' if ratio >= TARGET else 'no'} "
        f"(the first answer ≥ {TARGET} times sooner than the document)",
        f"ratio: {ratio:.2f}",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bench.webapp_report", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--issues", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    print("\n".join(measure(args.lines, args.issues, args.rounds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
