"""Highlighting a part of a file gives the colours of the whole file (webapp/highlight.py), and
static/code.css is what `python -m webapp.code_css` writes."""

import sysconfig
from pathlib import Path

from markupsafe import Markup

from core.diffs import source_lines
from webapp.code_css import PATH, code_css
from webapp.highlight import SourceMap, highlight_lines

STDLIB = Path(sysconfig.get_paths()["stdlib"])
PART = 300


def test_every_part_of_a_file_is_coloured_as_in_the_whole_file() -> None:
    # Modules with long docstrings, raw and byte strings, and triple quotes inside strings.
    for name in ("doctest.py", "pickletools.py", "calendar.py", "gzip.py"):
        lines = source_lines((STDLIB / name).read_bytes())
        source = SourceMap(lines)
        whole = highlight_lines(source, 0, len(lines))
        assert len(whole) == len(lines)
        for first in [*range(0, len(lines), PART), *range(17, len(lines), 997)]:
            end = min(first + PART, len(lines))
            part = highlight_lines(SourceMap(lines, until=end), first, end)
            assert part == whole[first:end], (name, first)


def test_a_line_inside_a_docstring_starts_lexing_at_its_opening() -> None:
    lines = ["x = 1", "def f():", '    """Doc', "    it's <b>", '    """', "    return 'x'"]
    source = SourceMap(lines)

    assert source.restart(3) == 2  # the line of the opening quotes
    assert source.restart(4) == 2
    assert source.restart(5) == 5
    (line,) = highlight_lines(source, 3, 4)
    assert line == Markup('<span class="sd">    it&#x27;s &lt;b&gt;</span>')


def test_control_characters_are_made_visible() -> None:
    (line,) = highlight_lines(SourceMap(["x = 1  # \u202eevil"]), 0, 1)

    assert "\u202e" not in line
    assert "\ufffd" in line


def test_code_css_is_generated_for_both_schemes() -> None:
    css = PATH.read_text(encoding="utf-8")

    assert css == code_css(), "run: python -m webapp.code_css"
    assert ':root[data-scheme="dark"] .code .k {' in css
    assert ":root .code .k {" in css
    assert "background" not in css
