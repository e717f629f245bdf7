"""Every Russian rule card is true: ruff (the checker people get) finds the card's rule in its
bad example and not in its good one. The examples are checked the way a check runs ruff
(`--isolated`, only the rules asked for)."""

import json
import re
import subprocess
from pathlib import Path

import pytest

from core.rule_cards import LOCALES, RuleCard, read_cards, rule_cards
from infra.ruff.runner import default_ruff_path

CARDS = read_cards(LOCALES / "ru" / "rule_cards")


def _found(cards: list[RuleCard], folder: Path) -> dict[Path, set[str]]:
    """Each example written to its own folder; one ruff run over all of them with every
    card's rule selected: the codes found in each file."""
    files: list[Path] = []
    for card in cards:
        for kind, name, text in (
            ("bad", card.filename, card.bad),
            ("good", card.good_filename, card.good),
        ):
            path = folder / card.code / kind / name
            path.parent.mkdir(parents=True)
            path.write_text(text, encoding="utf-8")
            files.append(path)
    codes = ",".join(card.code for card in cards)
    args = [default_ruff_path(), "check", "--isolated", "--no-cache", "--select", codes]
    args += ["--output-format", "json", "--exit-zero", "--no-respect-gitignore"]
    output = subprocess.run(
        [*args, "--", *map(str, files)], capture_output=True, check=True, cwd=folder
    ).stdout
    found: dict[Path, set[str]] = {path.resolve(): set() for path in files}
    for diagnostic in json.loads(output):
        found[Path(diagnostic["filename"]).resolve()].add(str(diagnostic["code"]))
    return found


def test_there_are_at_least_120_russian_cards() -> None:
    assert len(CARDS) >= 120, len(CARDS)


def test_every_bad_example_triggers_its_rule_and_every_good_one_does_not(tmp_path: Path) -> None:
    cards = list(CARDS.values())
    found = _found(cards, tmp_path)
    wrong = []
    for card in cards:
        bad = (tmp_path / card.code / "bad" / card.filename).resolve()
        good = (tmp_path / card.code / "good" / card.good_filename).resolve()
        if card.code not in found[bad]:
            wrong.append(f"{card.code}: the bad example does not trigger it")
        if card.code in found[good]:
            wrong.append(f"{card.code}: the good example triggers it")
    assert not wrong, "\n".join(wrong)


def test_a_reason_is_one_short_line() -> None:
    long = [code for code, card in CARDS.items() if len(card.reason) > 160]
    assert not long, long


@pytest.mark.parametrize("language", ["ru", "ru-RU", "RU"])
def test_cards_are_found_by_language_tag(language: str) -> None:
    assert rule_cards(language) == CARDS


def test_a_language_without_cards_has_none() -> None:
    assert rule_cards("en") == {}


def test_the_readme_lists_exactly_the_rules_with_a_russian_card() -> None:
    readme = (LOCALES.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("**Russian rule cards**", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"\b[A-Z]{1,4}\d{3,4}\b", section)
    assert sorted(listed) == sorted(CARDS), "README's list of covered rules is out of date"
    assert f"({len(CARDS)} rules)" in section
