"""The rule presets, one entry each: the place to add a preset (docs/presets-and-limits.md).

Each member of `RulePreset` is built from its `Preset`: the member's value (what the database
stores and the CLI accepts), the ruff selectors, the description shown in /rules and whether
it is offered as a button. Everything else (the column's CHECK constraint, `PRESETS`, the CLI
choices, the /rules screen and keyboard, ruff's `--select`) is derived from here.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Self


def N_(message: str) -> str:  # noqa: N802 - babel's default keyword for a deferred text
    """Marks an English text for the catalogue (`pybabel extract` finds `N_("...")`); it is
    translated where it is shown, with `_(text)`."""
    return message


@dataclass(frozen=True)
class Preset:
    name: str  # the value stored in the database, at most 16 characters
    selectors: tuple[str, ...]  # passed as --select; empty keeps ruff's own default rule set
    description: str  # English, marked with N_; /rules shows it translated
    built_in: bool = True  # offered as a button in /rules and as a CLI choice


PEP8_RULES = ("E", "W", "F", "I", "N")
# A superset of ruff's (0.17) default set, stable rules only (prefixes never enable preview).
STRICT_RULES = (
    *PEP8_RULES,
    *("UP", "B", "A", "C4", "SIM", "RET", "PIE", "PTH", "ASYNC", "S", "PL", "RUF", "PERF"),
    *("LOG", "G", "T10", "DTZ", "YTT", "PYI", "FURB", "EXE", "TC", "INT", "FA", "FLY"),
    *("PGH", "ISC", "BLE", "D419", "TRY", "PT"),
)


class RulePreset(StrEnum):
    """A person's choice of rules. Adding a member needs a migration of the two CHECK
    constraints (`rule_preset`, `check_preset`); tests/data/test_enum_constraints.py fails until
    it is there."""

    _value_: str
    preset: Preset

    # Each member is given as (name, selectors, description[, built_in]): see `Preset`.
    def __new__(
        cls,
        name: str,
        selectors: tuple[str, ...] = (),
        description: str = "",
        built_in: bool = True,
    ) -> Self:
        member = str.__new__(cls, name)
        member._value_ = name
        member.preset = Preset(name, selectors, description, built_in)
        return member

    DEFAULT = "default", (), N_("ruff's own defaults")
    PEP8 = "pep8", PEP8_RULES, N_("pycodestyle, pyflakes, isort and pep8-naming (E, W, F, I, N)")
    STRICT = (
        "strict",
        STRICT_RULES,
        N_(
            "a broad stable set: pep8 plus bugbear, pyupgrade, simplify, bandit, pylint, "
            "ruff's own rules and more"
        ),
    )
    # The person's own ruff configuration, which brings its own rules (never a --select).
    CUSTOM = "custom", (), N_("your own ruff configuration"), False

    @classmethod
    def built_in(cls) -> tuple["RulePreset", ...]:
        """The presets offered by name, in their order here (not `custom`)."""
        return tuple(member for member in cls if member.preset.built_in)

    @property
    def selectors(self) -> tuple[str, ...]:
        return self.preset.selectors

    @property
    def description(self) -> str:
        return self.preset.description


# name -> preset, for code that starts from the stored string.
PRESETS: Mapping[str, Preset] = MappingProxyType(
    {member.value: member.preset for member in RulePreset}
)
