"""What a check runs with, and a person's own ruff configuration read safely.

A person's configuration (a `pyproject.toml`, `ruff.toml` or `.ruff.toml`, or the same text
pasted) is only parsed as TOML here, never executed or imported. Only ruff's settings are kept
(the `[tool.ruff]` table of a pyproject), written back as a `ruff.toml` text: that normalized
text is what is stored, hashed and given to ruff. Settings that name paths or file patterns
are refused, so a configuration can never make ruff read anything but the file it checks.
"""

import hashlib
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Any

import tomli_w

from core.errors import ConfigRefusal, ConfigRefusedError
from core.models import RulePreset

MAX_CONFIG_BYTES = 64 * 1024
# A ruff rule code: letters then digits ("E501", "PLR0913", "ASYNC100"); nothing else is ever
# muted or passed to ruff as a rule.
RULE_CODE = re.compile(r"[A-Z]{1,8}[0-9]{1,6}")

# Settings that name files, folders or file patterns, wherever they appear: `extend` would make
# ruff read another file, the others point at paths of our machine or match file names that
# mean nothing for a single uploaded file.
PATH_SETTINGS = frozenset(
    {
        "extend",
        "cache-dir",
        "src",
        "include",
        "exclude",
        "extend-include",
        "extend-exclude",
        "namespace-packages",
        "per-file-ignores",
        "extend-per-file-ignores",
        "per-file-target-version",
        "include-dependencies",
    }
)


# Top-level settings that change what ruff writes or prints: `fix-only` makes ruff rewrite the
# file and report nothing, `output-format` and `show-fixes` change the output the bot reads.
# A check never fixes (the fixes are the Fix button's, with flags of its own).
OUTPUT_SETTINGS = frozenset(
    {"fix", "fix-only", "unsafe-fixes", "show-fixes", "output-format", "force-exclude"}
)
# Tables and arrays inside one another, at most: ruff's deepest settings are four tables down
# in a pyproject (`tool.ruff.lint.flake8-...`) holding an array; thousands of levels would
# exhaust Python's recursion while reading or writing the TOML.
MAX_CONFIG_DEPTH = 16


class ConfigKind(StrEnum):
    PYPROJECT = "pyproject.toml"
    RUFF = "ruff.toml"


CONFIG_FILE_NAMES = {
    "pyproject.toml": ConfigKind.PYPROJECT,
    "ruff.toml": ConfigKind.RUFF,
    ".ruff.toml": ConfigKind.RUFF,
}


@dataclass(frozen=True)
class ReviewConfig:
    """The rules one check runs with: a built-in preset, or a person's own configuration (the
    normalized `ruff.toml` text), less the rules they muted. Equal configurations are checked
    in one ruff run."""

    preset: RulePreset = RulePreset.DEFAULT
    muted: tuple[str, ...] = ()  # sorted rule codes
    custom: str | None = None  # the ruff.toml text, with preset CUSTOM

    def __post_init__(self) -> None:
        if (self.preset is RulePreset.CUSTOM) != (self.custom is not None):
            raise ValueError("a custom configuration needs its text, and only it")

    @classmethod
    def stored(
        cls, preset: RulePreset, muted: list[str] | None, custom: str | None
    ) -> "ReviewConfig":
        """The configuration from what a user or a check row stores: a custom preset without
        its text (the foreign key forbids it) falls back to ruff's defaults, and only rule
        codes are kept of the muted ones."""
        codes = tuple(sorted({code for code in muted or () if RULE_CODE.fullmatch(code)}))
        if preset is RulePreset.CUSTOM and custom is None:
            return cls(muted=codes)
        return cls(
            preset=preset, muted=codes, custom=custom if preset is RulePreset.CUSTOM else None
        )

    @cached_property
    def config_hash(self) -> str | None:
        return config_hash(self.custom) if self.custom is not None else None

    def describe(self) -> str:
        """For logs: "strict", "custom 1a2b3c4d", with the muted rules."""
        name = f"custom {self.config_hash[:8]}" if self.config_hash else self.preset.value
        return f"{name} muting {','.join(self.muted)}" if self.muted else name


def config_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class OwnConfig:
    """A person's configuration, read: the text as they sent it (for ruff to validate, so its
    reasons name their own lines), its kind, and the normalized ruff settings to store."""

    original: str
    kind: ConfigKind
    normalized: str

    @property
    def hash(self) -> str:
        return config_hash(self.normalized)


@dataclass(frozen=True)
class ConfigSummary:
    """What a configuration selects and ignores, as it says (None: not set, ruff's default)."""

    select: tuple[str, ...] | None
    extend_select: tuple[str, ...]
    ignore: tuple[str, ...]


def read_own_config(raw: bytes, kind: ConfigKind | None) -> OwnConfig:
    """Parse a person's configuration; `kind` None for pasted text (a `[tool.ruff]` table makes
    it a pyproject). Raises ConfigRefusedError with the reason."""
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigRefusedError(ConfigRefusal.TOO_LARGE, str(MAX_CONFIG_BYTES // 1024))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigRefusedError(ConfigRefusal.NOT_UTF8) from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigRefusedError(ConfigRefusal.NOT_TOML, str(error)) from None
    except RecursionError:
        raise ConfigRefusedError(ConfigRefusal.TOO_DEEP, str(MAX_CONFIG_DEPTH)) from None
    if _depth(document) > MAX_CONFIG_DEPTH:
        raise ConfigRefusedError(ConfigRefusal.TOO_DEEP, str(MAX_CONFIG_DEPTH))
    if kind is None:
        kind = ConfigKind.PYPROJECT if isinstance(document.get("tool"), dict) else ConfigKind.RUFF
    settings: Any = document
    if kind is ConfigKind.PYPROJECT:
        settings = (
            document.get("tool", {}).get("ruff")
            if isinstance(document.get("tool"), dict)
            else None
        )
        if not isinstance(settings, dict):
            raise ConfigRefusedError(ConfigRefusal.NO_RUFF_SECTION)
    pointing = sorted(set(_path_settings(settings)))
    if pointing:
        raise ConfigRefusedError(ConfigRefusal.PATH_SETTINGS, ", ".join(pointing))
    writing = sorted(OUTPUT_SETTINGS & set(settings))
    if writing:
        raise ConfigRefusedError(ConfigRefusal.OUTPUT_SETTINGS, ", ".join(writing))
    return OwnConfig(original=text, kind=kind, normalized=tomli_w.dumps(_sorted(settings)))


def _depth(document: Mapping[str, Any]) -> int:
    """How many tables and arrays lie inside one another, counted without recursion."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        deepest = max(deepest, depth)
        if depth > MAX_CONFIG_DEPTH:
            break
        children = value.values() if isinstance(value, dict) else value
        pending += [(c, depth + 1) for c in children if isinstance(c, dict | list)]
    return deepest


def _sorted(table: Mapping[str, Any]) -> dict[str, Any]:
    """The settings with their keys in order: the same settings always make the same text."""
    return {
        key: _sorted(value) if isinstance(value, dict) else value
        for key, value in sorted(table.items())
    }


def _path_settings(table: Mapping[str, Any], prefix: str = "") -> Iterator[str]:
    for key, value in table.items():
        if key in PATH_SETTINGS:
            yield prefix + key
        elif isinstance(value, dict):
            yield from _path_settings(value, f"{prefix}{key}.")


def summarize(normalized: str) -> ConfigSummary:
    """What the stored configuration selects and ignores (`lint.` or the older top level)."""
    settings = tomllib.loads(normalized)
    lint = settings["lint"] if isinstance(settings.get("lint"), dict) else {}

    def codes(key: str) -> tuple[str, ...] | None:
        value = lint.get(key, settings.get(key))
        return tuple(str(code) for code in value) if isinstance(value, list) else None

    return ConfigSummary(
        select=codes("select"),
        extend_select=codes("extend-select") or (),
        ignore=(*(codes("ignore") or ()), *(codes("extend-ignore") or ())),
    )
