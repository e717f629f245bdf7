"""A person's own ruff configuration: read as TOML and never run, only ruff's settings kept,
settings that point at paths refused, ruff's own reason when ruff refuses it; and ruff, with any
configuration, reads nothing outside the folder of the check."""

import re
import shutil
import tomllib
from pathlib import Path

import pytest

from core.errors import ConfigRefusal, ConfigRefusedError
from core.models import RulePreset
from core.ruff_config import (
    MAX_CONFIG_BYTES,
    PATH_SETTINGS,
    ConfigKind,
    ReviewConfig,
    read_own_config,
    summarize,
)
from infra.ruff.autofix import RuffFixer
from infra.ruff.runner import RuffRunner
from tests.support.databases import skip_or_fail

PYPROJECT = b"""\
[project]
name = "team-app"
requires-python = ">=3.11"

[tool.black]
line-length = 100

[tool.ruff]
line-length = 100

[tool.ruff.lint]
select = ["E", "F"]
ignore = ["E501"]
"""


def _refusal(raw: bytes, kind: ConfigKind | None = None) -> ConfigRefusedError:
    with pytest.raises(ConfigRefusedError) as caught:
        read_own_config(raw, kind)
    return caught.value


def test_only_ruffs_settings_of_a_pyproject_are_kept() -> None:
    config = read_own_config(PYPROJECT, ConfigKind.PYPROJECT)
    assert tomllib.loads(config.normalized) == {
        "line-length": 100,
        "lint": {"select": ["E", "F"], "ignore": ["E501"]},
    }
    assert "team-app" not in config.normalized
    assert "black" not in config.normalized
    summary = summarize(config.normalized)
    assert (summary.select, summary.extend_select, summary.ignore) == (("E", "F"), (), ("E501",))
    # The same settings written another way (a ruff.toml, comments, other order) are one
    # configuration: stored and hashed once.
    same = read_own_config(
        b'# ours\nline-length = 100\n[lint]\nignore = ["E501"]  # long lines are fine\n'
        b'select = ["E", "F"]\n',
        ConfigKind.RUFF,
    )
    assert (same.normalized, same.hash) == (config.normalized, config.hash)


def test_pasted_text_is_a_pyproject_when_it_has_a_tool_ruff_table() -> None:
    assert read_own_config(PYPROJECT, None).kind is ConfigKind.PYPROJECT
    assert read_own_config(b'[lint]\nselect = ["F"]\n', None).kind is ConfigKind.RUFF
    assert read_own_config("\ufeffline-length = 80\n".encode(), None).kind is ConfigKind.RUFF


def test_settings_that_point_at_paths_are_refused_wherever_they_are() -> None:
    for key in sorted(PATH_SETTINGS):
        top = _refusal(f'{key} = "x"\n'.encode(), ConfigKind.RUFF)
        assert (top.refusal, top.detail) == (ConfigRefusal.PATH_SETTINGS, key)
    nested = _refusal(
        b'[tool.ruff]\nextend = "/etc/passwd"\n[tool.ruff.lint]\nselect = ["E"]\n'
        b'[tool.ruff.lint.per-file-ignores]\n"tests/*" = ["S101"]\n'
        b'[tool.ruff.format]\nexclude = ["*.pyi"]\n',
        ConfigKind.PYPROJECT,
    )
    assert nested.refusal is ConfigRefusal.PATH_SETTINGS
    assert nested.detail == "extend, format.exclude, lint.per-file-ignores"


def test_what_is_not_a_configuration_gets_its_own_reason() -> None:
    assert _refusal(b"[lint\n").refusal is ConfigRefusal.NOT_TOML
    assert "line 1" in _refusal(b"[lint\n").detail
    assert _refusal(b"\xff\xfe[lint]").refusal is ConfigRefusal.NOT_UTF8
    assert _refusal(b'[project]\nname = "x"\n', ConfigKind.PYPROJECT).refusal is (
        ConfigRefusal.NO_RUFF_SECTION
    )
    big = b"# " + b"x" * MAX_CONFIG_BYTES + b"\n"
    assert (_refusal(big).refusal, _refusal(big).detail) == (ConfigRefusal.TOO_LARGE, "64")


async def test_ruff_itself_refuses_with_its_reason_naming_the_persons_own_line() -> None:
    runner = RuffRunner()
    await runner.validate_config(read_own_config(PYPROJECT, ConfigKind.PYPROJECT))  # accepted
    broken = PYPROJECT + b"bogus = 1\n"  # line 14 of their pyproject.toml
    with pytest.raises(ConfigRefusedError) as caught:
        await runner.validate_config(read_own_config(broken, ConfigKind.PYPROJECT))
    assert caught.value.refusal is ConfigRefusal.RUFF_REJECTED
    reason = caught.value.detail
    assert "unknown field `bogus`" in reason
    assert "line 14" in reason
    assert "reviewbot-" not in reason  # our temporary folder is not shown
    with pytest.raises(ConfigRefusedError) as unknown_rule:
        await runner.validate_config(read_own_config(b'[lint]\nselect = ["XYZ987"]\n', None))
    assert "XYZ987" in unknown_rule.value.detail


def test_a_custom_configuration_carries_its_text_and_only_it_does() -> None:
    with pytest.raises(ValueError, match="custom"):
        ReviewConfig(preset=RulePreset.CUSTOM)
    with pytest.raises(ValueError, match="custom"):
        ReviewConfig(preset=RulePreset.STRICT, custom="line-length = 80\n")
    a = ReviewConfig(preset=RulePreset.CUSTOM, custom="line-length = 80\n", muted=("E501",))
    b = ReviewConfig(preset=RulePreset.CUSTOM, custom="line-length = 80\n", muted=("E501",))
    assert a == b
    assert len({a, b, ReviewConfig(), ReviewConfig(preset=RulePreset.STRICT)}) == 3
    assert a.config_hash is not None
    assert a.describe() == f"custom {a.config_hash[:8]} muting E501"


# Where ruff may look besides the folder of the check: its own binary, the C library and the
# locale, the process's own /proc and cgroup files, and jemalloc's optional configuration.
SYSTEM_PATHS = re.compile(
    r"^(/proc/|/sys/|/lib|/usr/lib|/etc/ld\.so|/usr/share/locale|/etc/_rjem_malloc\.conf$"
    r"|/dev/null$)"
)
_PATH = re.compile(r'^\d+\s+\w+\((?:AT_FDCWD, |-?\d+, )?"([^"]*)"')


def traced_ruff(folder: Path) -> tuple[str, Path]:
    """A ruff that runs under strace: every file it opens, stats or looks for, and the folder
    it runs in, go to a log per process."""
    strace = shutil.which("strace")
    if strace is None:
        skip_or_fail("strace is not installed (apt-get install strace)")
        raise AssertionError  # unreachable
    logs = folder / "traces"
    logs.mkdir()
    wrapper = folder / "ruff-traced.sh"
    ruff = RuffRunner().ruff_path
    wrapper.write_text(
        "#!/bin/sh\n"
        f'pwd > "{logs}/$$.cwd"\n'
        f'exec "{strace}" -f -qq -e trace=%file -o "{logs}/$$.trace" "{ruff}" "$@"\n'
    )
    wrapper.chmod(0o755)
    return str(wrapper), logs


def _touched(logs: Path) -> list[tuple[Path, str]]:
    """(the folder ruff ran in, a path it touched) for every traced file system call."""
    found = []
    for trace in sorted(logs.glob("*.trace")):
        cwd = Path(trace.with_suffix(".cwd").read_text().strip())
        for line in trace.read_text().splitlines():
            if match := _PATH.match(line):
                found.append((cwd, match.group(1)))
    return found


async def test_ruff_reads_nothing_outside_the_folder_of_the_check(tmp_path: Path) -> None:
    ruff_path, logs = traced_ruff(tmp_path)
    runner = RuffRunner(ruff_path=ruff_path)
    source = b"import os\nx = 1 \nif x == None:\n    pass\n"
    own = read_own_config(PYPROJECT, ConfigKind.PYPROJECT)
    await runner.validate_config(own)
    custom = ReviewConfig(preset=RulePreset.CUSTOM, custom=own.normalized, muted=("E711",))
    for config in (ReviewConfig(), ReviewConfig(preset=RulePreset.STRICT), custom):
        assert (await runner.check_batch({1: source}, config))[1]
        await RuffFixer(runner).fix(1, source, config, unsafe=True)
    with pytest.raises(ConfigRefusedError):  # refused before ruff ever sees it
        read_own_config(b'extend = "/etc/passwd"\n', None)

    touched = _touched(logs)
    folders = {cwd for cwd, _ in touched}
    assert len(folders) >= 7  # version, validation, three checks, three fixes
    assert all(folder.name.startswith("reviewbot-") for folder in folders)  # our temporary ones
    outside = {
        path
        for cwd, path in touched
        if path
        and not (cwd / path).resolve().is_relative_to(cwd)
        and not SYSTEM_PATHS.match(path)
        and path != ruff_path
        and Path(path).name != "ruff"
    }
    assert outside == set()
    read_inside = {Path(path).name for cwd, path in touched if (cwd / path).is_relative_to(cwd)}
    assert {"v1.py", "ruff.toml", "pyproject.toml"} <= read_inside  # the trace saw the reads
    assert not any(folder.exists() for folder in folders)  # and each folder is gone
