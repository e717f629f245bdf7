"""bench/rule_frequencies.py counts what ruff finds under a preset: per rule, its issues and the
files it fires in, most frequent first; a file ruff cannot parse is counted apart."""

from pathlib import Path

import pytest

from bench import rule_frequencies


def _table(output: str) -> dict[str, tuple[int, int]]:
    rows = [line.split() for line in output.splitlines()[3:] if line.strip()]
    return {code: (int(issues), int(files)) for code, issues, files in rows}


def test_each_rule_shows_its_issues_and_files_under_the_preset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "first.py").write_text("import os\n\nexit()\nexit()\n", encoding="utf-8")
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "second.py").write_text("quit()\n", encoding="utf-8")
    (tmp_path / "broken.py").write_text("def (:\n", encoding="utf-8")

    assert rule_frequencies.main([str(tmp_path), "--preset", "strict"]) == 0
    strict = capsys.readouterr().out
    assert strict.splitlines()[0] == ("3 files, 4 issues of 2 rules, 1 files ruff cannot parse"), (
        strict
    )
    assert _table(strict) == {"PLR1722": (3, 2), "F401": (1, 1)}
    assert strict.index("PLR1722") < strict.index("F401")  # the most issues first

    assert rule_frequencies.main([str(tmp_path), "--preset", "pep8", "--markdown"]) == 0
    pep8 = capsys.readouterr().out
    assert "| 1 | F401 | 1 | 1 |" in pep8, pep8
    assert "PLR1722" not in pep8  # pylint's rules are not in pep8
