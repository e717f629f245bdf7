"""/rules: a person picks a preset, mutes and unmutes rules from reports, or brings their own
ruff configuration; their next checks use it and every check row records what it ran with."""

import asyncio
import hashlib
import json
import subprocess
from collections import Counter
from pathlib import Path

from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]
from sqlalchemy import select

from checks.worker import Worker
from core.models import Check, File, FileVersion, RulePreset, User
from core.presets import STRICT_RULES
from infra.ruff.runner import RuffRunner
from reviewbot.runtime import open_worker
from tests.fake_telegram import BotOutput
from tests.support.app import BotApp, Person
from tests.support.pipeline import counting_ruff
from tests.support.results import assert_result, read_result
from tests.support.sources import OWN_PYPROJECT

# Under ruff's defaults: I001 and F401; strict adds E711, E501 and more.
SOURCE = (
    b"import os\n"
    b"import sys\n"
    b"value = sys.argv\n"
    b"if value == None:\n"
    b"    print('a line that is long enough to be too long for a line length of 88 c')\n"
)


def _oracle(source: bytes, folder: Path, *options: str) -> Counter[tuple[str, int, int]]:
    """ruff itself on these bytes: (code, line, column) of every issue."""
    path = folder / "oracle.py"
    path.write_bytes(source)
    command = [find_ruff_bin(), "check", *options, "--no-cache", "--exit-zero"]
    found = subprocess.run(
        [*command, "--output-format", "json", path.name],
        capture_output=True,
        check=True,
        cwd=folder,
    )
    return Counter(
        (d["code"], d["location"]["row"], d["location"]["column"])
        for d in json.loads(found.stdout)
    )


async def _checks_of(app: BotApp, name: str) -> list[Check]:
    async with app.session_factory() as session:
        return list(
            await session.scalars(
                select(Check)
                .join(FileVersion, FileVersion.id == Check.version_id)
                .join(File, File.id == FileVersion.file_id)
                .where(File.name == name)
                .order_by(FileVersion.number)
            )
        )


def _found(check: Check) -> Counter[tuple[str, int, int]]:
    return Counter((i["code"], i["line"], i["column"]) for i in check.issues)


async def _reviewed(person: Person, name: str, content: bytes) -> BotOutput:
    assert f" {name}" in (await person.upload(name, content)).text  # "Got" or "Replaced"
    result = await person.chat.next_screen(timeout=30)
    assert_result(result, name)
    return result


async def test_strict_finds_more_than_default_and_each_check_records_its_preset(
    bot_app: BotApp, worker: Worker, tmp_path: Path
) -> None:
    ana = await bot_app.registered("ana@example.com")
    rules = await ana.say("/rules")
    assert "✅ default — ruff's own defaults" in rules.text
    assert rules.button_texts()[:3] == ["✅ default", "pep8", "strict"]
    await _reviewed(ana, "same.py", SOURCE)

    strict = await ana.click(rules, "strict")
    assert strict.kind == "callback_answer"
    assert strict.text == "Your next checks use strict."
    screen = await ana.chat.next_screen()
    assert "✅ strict — a broad stable set" in screen.text
    assert screen.button_texts()[:3] == ["default", "pep8", "✅ strict"]
    await _reviewed(ana, "same.py", SOURCE)  # the same bytes as version 2

    first, second = await _checks_of(bot_app, "same.py")
    assert (first.preset, second.preset) == (RulePreset.DEFAULT, RulePreset.STRICT)
    assert (first.muted_rules, second.muted_rules) == ([], [])
    assert _found(first) == _oracle(SOURCE, tmp_path, "--isolated")
    assert _found(second) == _oracle(
        SOURCE, tmp_path, "--isolated", "--select", ",".join(STRICT_RULES)
    )
    assert second.issue_count > first.issue_count
    again = await ana.click(screen, "✅ strict")  # the current one: answered, nothing edited
    assert (again.kind, again.text) == ("callback_answer", "Your next checks use strict.")
    await ana.chat.no_output()


async def test_a_muted_rule_is_left_out_until_it_is_unmuted(
    bot_app: BotApp, worker: Worker
) -> None:
    ben = await bot_app.registered("ben@example.com")
    result = await _reviewed(ben, "mute.py", SOURCE)
    report = await ben.click(result, "Full report")
    muted = await ben.click(report, "🔇 Mute F401")
    assert (muted.kind, muted.text) == (
        "callback_answer",
        "🔇 F401 muted: your next checks leave it out. /rules to unmute.",
    )
    report = await ben.chat.next_screen()
    assert report.has_button("🔊 Unmute F401")
    assert report.has_button("🔇 Mute I001")

    second = await _reviewed(ben, "mute.py", SOURCE)
    assert "F401" not in second.text
    v1, v2 = await _checks_of(bot_app, "mute.py")
    assert "F401" in {i["code"] for i in v1.issues}
    assert "F401" not in {i["code"] for i in v2.issues}
    assert (v1.muted_rules, v2.muted_rules) == ([], ["F401"])
    assert v2.issue_count == v1.issue_count - 1
    second_report = await ben.click(second, "Full report")
    assert "\nMuted: F401\n" in second_report.text
    log = await ben.say("/report")
    exported = await ben.click(log, "⬇️ JSON")
    assert exported.document is not None
    assert [row["muted_rules"] for row in json.loads(exported.document)] == ["F401", None]

    rules = await ben.say("/rules")
    assert "Muted (1): F401. It is left out of your checks." in rules.text
    unmuted = await ben.click(rules, "🔊 Unmute F401")
    assert unmuted.text == "🔊 F401 is checked again from your next check."
    rules = await ben.chat.next_screen()
    assert "No muted rules." in rules.text
    assert not rules.has_button("🔊 Unmute F401")
    await _reviewed(ben, "mute.py", SOURCE)
    *_, v3 = await _checks_of(bot_app, "mute.py")
    assert "F401" in {i["code"] for i in v3.issues}
    assert v3.muted_rules == []


async def test_own_pyproject_makes_checks_match_ruff_with_that_file(
    bot_app: BotApp, worker: Worker, tmp_path: Path
) -> None:
    cy = await bot_app.registered("cy@example.com")
    rules = await cy.say("/rules")
    asked = await cy.click(rules, "📄 Use my configuration")
    assert asked.text.startswith("Send your ruff configuration: pyproject.toml")

    saved = await cy.upload("pyproject.toml", OWN_PYPROJECT)
    digest = hashlib.sha256(
        b'line-length = 79\n\n[lint]\nignore = [\n    "E501",\n]\nselect = [\n'
        b'    "E",\n    "F",\n]\n'
    ).hexdigest()
    label = f"custom {digest[:8]}"
    assert saved.text.startswith(f"✅ Your configuration {label} is saved")
    assert f"✅ {label} — your configuration: selects E, F; ignores E501" in saved.text
    assert saved.button_texts()[:4] == ["default", "pep8", "strict", f"✅ {label}"]

    source = SOURCE + b"x = 1 \n"  # W291 is not selected; E711 and F401 are
    await _reviewed(cy, "own.py", source)
    [check] = await _checks_of(bot_app, "own.py")
    (tmp_path / "pyproject.toml").write_bytes(OWN_PYPROJECT)
    assert _found(check) == _oracle(source, tmp_path, "--config", "pyproject.toml")
    assert {code for code, _, _ in _found(check)} == {"F401", "E711"}
    assert (check.preset, check.config_hash) == (RulePreset.CUSTOM, digest)

    log = await cy.say("/report")  # the exported log says what each check ran with
    exported = await cy.click(log, "⬇️ JSON")
    assert exported.document is not None
    [row] = json.loads(exported.document)
    assert (row["preset"], row["config_hash"], row["muted_rules"]) == ("custom", digest, None)

    back = await cy.click(saved, "default")  # back to a built-in preset; the file is kept
    assert back.text == "Your next checks use default."
    screen = await cy.chat.next_screen()
    assert screen.button_texts()[:4] == ["✅ default", "pep8", "strict", label]
    again = await cy.click(screen, label)
    assert again.text == f"Your next checks use {label}."
    async with bot_app.session_factory() as session:
        user = await session.scalar(select(User).where(User.email == "cy@example.com"))
        assert user is not None
        assert (user.rule_preset, user.ruff_config_hash) == (RulePreset.CUSTOM, digest)


async def test_a_configuration_is_refused_with_its_reason_and_nothing_changes(
    bot_app: BotApp, worker: Worker
) -> None:
    dee = await bot_app.registered("dee@example.com")
    await dee.click(await dee.say("/rules"), "📄 Use my configuration")
    refusals = {
        "[lint\n": "This is not valid TOML: Expected ']' at the end of a table declaration",
        "[lint]\nbogus = 1\n": "ruff refused this configuration:\nruff failed",
        'extend = "/etc/passwd"\n': "These settings name files or paths, which I never read: "
        "extend.",
        '[lint.per-file-ignores]\n"tests/*" = ["S101"]\n': "read: lint.per-file-ignores.",
        '[tool.ruff]\ncache-dir = "/tmp/x"\n[tool.ruff.format]\nexclude = ["a"]\n': (
            "read: cache-dir, format.exclude."
        ),
    }
    for text, reason in refusals.items():
        answer = await dee.say(text)
        assert reason in answer.text, answer.text
        assert answer.text.endswith("Send a corrected one, or /cancel.")
    rejected = await dee.say("[lint]\nbogus = 1\n")
    assert "unknown field `bogus`" in rejected.text
    assert "line 2" in rejected.text  # their own line
    assert "reviewbot-" not in rejected.text

    hint = "I am waiting for pyproject.toml, ruff.toml or .ruff.toml"
    assert (await dee.upload("notes.txt", b"[lint]\n")).text.startswith(hint)
    assert (await dee.upload("script.py", b"x = 1\n")).text.startswith(hint)
    readme = await dee.upload("pyproject.toml", b'[project]\nname = "x"\n')
    assert "has no [tool.ruff] settings" in readme.text
    async with bot_app.session_factory() as session:
        user = await session.scalar(select(User).where(User.email == "dee@example.com"))
        assert user is not None
        assert (user.rule_preset, user.ruff_config_hash) == (RulePreset.DEFAULT, None)
        assert list(await session.scalars(select(File.name))) == []  # nothing was stored

    assert (await dee.say("/cancel")).text == "Cancelled."
    # Outside that step, only Python files are taken, as always.
    refused = await dee.upload("ruff.toml", b'[lint]\nselect = ["F"]\n')
    assert refused.text.startswith("I only review Python files")
    pasted = await dee.say('[lint]\nselect = ["F"]\n')
    assert pasted.text.startswith("Send me a .py file as a document")

    await dee.click(await dee.say("/rules"), "📄 Use my configuration")
    taken = await dee.say('[lint]\nselect = ["F"]\n')  # pasted text works as well
    assert "is saved" in taken.text
    assert "your configuration: selects F" in taken.text


async def test_three_configurations_uploading_at_once_take_one_ruff_process_each(
    bot_app: BotApp, tmp_path: Path
) -> None:
    """No worker runs while the three upload: then one claim takes all their versions."""
    eve, fay, gus = [
        await bot_app.registered(f"{name}@example.com") for name in ("eve", "fay", "gus")
    ]
    await fay.click(await fay.say("/rules"), "strict")
    await fay.chat.next_screen()
    await gus.click(await gus.say("/rules"), "📄 Use my configuration")
    assert "is saved" in (await gus.say('[lint]\nselect = ["E", "W"]\n')).text

    uploads = [
        person.upload(f"{person.email[:3]}{n}.py", SOURCE)
        for person in (eve, fay, gus)
        for n in range(3)
    ]
    await asyncio.gather(*uploads)
    ruff_path, log = counting_ruff(tmp_path)
    runner = RuffRunner(ruff_path=ruff_path)
    async with open_worker(bot_app.resources, bot_app.bot, runner=runner, identity="one"):
        for person in (eve, fay, gus):
            for _ in range(3):
                result = await person.chat.next_screen(timeout=30)
                assert read_result(result.text) is not None, result.text
    calls = [line for line in log.read_text().splitlines() if line.startswith("check")]
    assert len(calls) == 3, calls  # one per configuration, nine files in all
    assert sorted(call.count(".py") for call in calls) == [3, 3, 3]
    async with bot_app.session_factory() as session:
        rows = (
            await session.execute(
                select(File.name, Check.preset, Check.muted_rules)
                .join(FileVersion, FileVersion.file_id == File.id)
                .join(Check, Check.version_id == FileVersion.id)
            )
        ).all()
    by_person = {(name[:3], preset, tuple(muted)) for name, preset, muted in rows}
    assert by_person == {
        ("eve", RulePreset.DEFAULT, ()),
        ("fay", RulePreset.STRICT, ()),
        ("gus", RulePreset.CUSTOM, ()),
    }
