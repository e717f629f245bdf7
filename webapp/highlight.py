"""Python source as HTML, line by line, highlighted on the server with Pygments.

A report shows a long file in parts; a part is lexed on its own, starting from the nearest line
at or before it that begins outside a triple-quoted string (the only Python lexer state that
crosses a line break), so its colours are those of the whole file without lexing all of it:
lexing 5,000 lines costs about half a second here, a part of 300 lines about 30 ms
(docs/webapp-report.md).
"""

import bisect
import html
import re
from collections.abc import Sequence
from itertools import accumulate

from markupsafe import Markup
from pygments.lexers.python import PythonLexer
from pygments.token import STANDARD_TYPES, _TokenType

from core.source_excerpts import visible

# Outside strings: a comment, a triple quote, or a one-line string (skipped whole, so that
# quotes and `#` inside it count for nothing). Prefixes (r, b, f…) do not change where a string
# ends: a backslash before a quote keeps it in the string even in a raw one.
_OUTSIDE = re.compile(r"""#[^\n]*|'''|\"\"\"|'(?:\\.|[^'\\\n])*'?|"(?:\\.|[^"\\\n])*"?""", re.S)
_TRIPLE_END = {"'''": re.compile(r"\\.|'''", re.S), '"""': re.compile(r'\\.|"""', re.S)}


class SourceMap:
    """Where the triple-quoted strings of a source are, to find where lexing may start."""

    def __init__(self, lines: Sequence[str], until: int | None = None) -> None:
        """The strings that begin before line `until` (0-based; None: all of them) are found:
        enough for `restart` and `finish` of lines before it (a part need not scan the rest)."""
        self.lines = lines
        text = "\n".join(lines)
        # the offset of each line's start
        self._starts = list(accumulate((len(line) + 1 for line in lines[:-1]), initial=0))
        limit = len(text) if until is None or until >= len(lines) else self._starts[until]
        self._spans: list[tuple[int, int]] = []  # (opening quote, after the closing one)
        position = 0
        while (match := _OUTSIDE.search(text, position)) and match.start() < limit:
            position = match.end()
            quote = match.group()
            if quote in _TRIPLE_END:
                end = len(text)
                for inner in _TRIPLE_END[quote].finditer(text, position):
                    if inner.group() == quote:
                        end = inner.end()
                        break
                self._spans.append((match.start(), end))
                position = end
        self._span_starts = [start for start, _end in self._spans]

    def restart(self, index: int) -> int:
        """The nearest line (0-based) at or before line `index` that begins outside every
        triple-quoted string."""
        while index > 0:
            offset = self._starts[index]
            at = bisect.bisect_left(self._span_starts, offset) - 1
            if at < 0 or self._spans[at][1] <= offset:
                return index
            index = bisect.bisect_right(self._starts, self._spans[at][0]) - 1
        return 0

    def finish(self, end: int) -> int:
        """The line (0-based, exclusive) where lexing lines up to `end` may stop: past the end
        of a triple-quoted string open at the end of line `end - 1` (a docstring is lexed as one
        only when it is closed)."""
        if end <= 0 or end >= len(self.lines):
            return min(end, len(self.lines))
        offset = self._starts[end - 1] + len(self.lines[end - 1])
        at = bisect.bisect_right(self._span_starts, offset) - 1
        if at < 0 or self._spans[at][1] <= offset:
            return end
        return bisect.bisect_right(self._starts, self._spans[at][1] - 1)


_LEXER = PythonLexer(stripnl=False, ensurenl=True)
_CLASSES: dict[_TokenType, str] = {}
_EMPTY = Markup("")


def _css_class(kind: _TokenType) -> str:
    found = _CLASSES.get(kind)
    if found is None:
        parent = kind
        while parent not in STANDARD_TYPES and parent.parent is not None:
            parent = parent.parent
        found = _CLASSES[kind] = STANDARD_TYPES.get(parent, "")
    return found


def _line(pieces: list[str]) -> Markup:
    # Every piece is escaped source, or one of the fixed tags of `highlight_lines` around a
    # class name of Pygments' own (letters only).
    return Markup("".join(pieces))  # noqa: S704


def _shown(line: str) -> str:
    return line if line.isascii() and line.isprintable() else visible(line)


def highlight_lines(source: SourceMap, first: int, end: int) -> list[Markup]:
    """Lines `first`..`end - 1` (0-based) of the source as escaped HTML with `<span class>`es
    of Pygments' short names (styled by static/code.css); control characters made visible."""
    start = source.restart(first)
    text = "\n".join(_shown(line) for line in source.lines[start : source.finish(end)])
    out: list[Markup] = []
    current: list[str] = []
    for kind, value in _LEXER.get_tokens(text):
        css = _css_class(kind)
        for number, piece in enumerate(value.split("\n")):
            if number:
                out.append(_line(current))
                current = []
            if piece and css:
                current += ('<span class="', css, '">', html.escape(piece), "</span>")
            elif piece:
                current.append(html.escape(piece))
    if current:
        out.append(_line(current))
    while len(out) < end - start:  # a file ending in a line break: its empty last line
        out.append(_EMPTY)
    return out[first - start : end - start]
