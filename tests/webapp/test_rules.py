"""The Mini App's rules (/rules): the presets, the muted rules and a person's own ruff
configuration, changed from the page as the chat's /rules changes them."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

import aiohttp
from sqlalchemy import select

from checks.worker import Worker
from core.models import Check, File, FileVersion, RulePreset, User
from core.services.rules import mute_rule
from tests.support.app import Person
from tests.support.browser import PhonePages
from tests.support.html_text import html_text
from tests.support.people import seeded
from tests.support.results import assert_result
from tests.support.screenshots import SCREENSHOTS, save_screenshot, screenshots_wanted
from tests.support.sources import OWN_PYPROJECT
from tests.support.webapp import Answer, MiniApp

if TYPE_CHECKING:
    from playwright.async_api import FilePayload

# Under ruff's defaults: I001 and F401; strict adds E711 and more.
SOURCE = b"import os\nimport sys\nvalue = sys.argv\nif value == None:\n    pass\n"
STORED = (
    b'line-length = 79\n\n[lint]\nignore = [\n    "E501",\n]\nselect = [\n    "E",\n    "F",\n]\n'
)


def _text(html: str) -> str:
    return " ".join(html_text(html).split())


async def _post(mini_app: MiniApp, suffix: str, person: Person | None, **kwargs: Any) -> Answer:
    return await mini_app.request("POST", "/api" + suffix, person, **kwargs)


async def _stored(mini_app: MiniApp, email: str) -> tuple[RulePreset, str | None, list[str]]:
    """What the person's next checks run with, read from the database."""
    async with mini_app.bot_app.session_factory() as session:
        user = await session.scalar(select(User).where(User.email == email))
        assert user is not None
        return user.rule_preset, user.ruff_config_hash, list(user.muted_rules or ())


async def _checks_of(mini_app: MiniApp, name: str) -> list[Check]:
    async with mini_app.bot_app.session_factory() as session:
        return list(
            await session.scalars(
                select(Check)
                .join(FileVersion, FileVersion.id == Check.version_id)
                .join(File, File.id == FileVersion.file_id)
                .where(File.name == name)
                .order_by(FileVersion.number)
            )
        )


def _current(answer: Answer) -> list[str]:
    return [choice["name"] for choice in answer.json()["presets"] if choice["current"]]


async def test_choosing_a_preset_marks_it_and_the_next_check_uses_it(
    mini_app: MiniApp, worker: Worker
) -> None:
    ana = await seeded(mini_app.bot_app, "ana@example.com")
    rules = await mini_app.api("/rules", ana)
    assert rules.status == 200
    assert [choice["name"] for choice in rules.json()["presets"]] == ["default", "pep8", "strict"]
    assert _current(rules) == ["default"]
    part = await mini_app.part("/rules", ana)
    assert "default ruff's own defaults ✅ In use pep8" in _text(part.text)
    assert ">Use strict</button>" in part.text

    chosen = await _post(mini_app, "/rules/preset", ana, json={"preset": "strict"})
    assert chosen.status == 200
    assert chosen.json()["message"] == "Your next checks use strict."
    assert await _stored(mini_app, "ana@example.com") == (RulePreset.STRICT, None, [])
    assert _current(await mini_app.api("/rules", ana)) == ["strict"]
    # The page the form shows next: the change confirmed, strict marked.
    after = await mini_app.part("/rules?done=preset", ana)
    shown = _text(after.text)
    assert shown.startswith(
        "Files Reviews Check log Rules Review rules Your next checks use strict."
    )
    assert 'value="strict"' not in after.text  # marked current, not offered
    assert 'value="default"' in after.text
    assert '<li class="rules-preset" aria-current="true" data-preset="strict">' in after.text

    await ana.upload("same.py", SOURCE)
    assert_result(await ana.chat.next_screen(timeout=30), "same.py", 1)
    [check] = await _checks_of(mini_app, "same.py")
    assert check.preset is RulePreset.STRICT
    assert "E711" in {issue["code"] for issue in check.issues}  # not in ruff's defaults

    for refused in ({"preset": "nonsense"}, {"preset": None}, {}):
        answer = await _post(mini_app, "/rules/preset", ana, json=refused)
        assert answer.status == 400
    custom = await _post(mini_app, "/rules/preset", ana, json={"preset": "custom"})
    assert custom.status == 422  # no configuration of their own yet
    assert "You have not sent a configuration yet" in custom.json()["message"]
    assert await _stored(mini_app, "ana@example.com") == (RulePreset.STRICT, None, [])


async def test_a_muted_rule_is_listed_and_unmuted_from_the_page(
    mini_app: MiniApp, worker: Worker
) -> None:
    ben = await seeded(mini_app.bot_app, "ben@example.com")
    await ben.upload("mute.py", SOURCE)
    assert_result(await ben.chat.next_screen(timeout=30), "mute.py", 1)
    [check] = await _checks_of(mini_app, "mute.py")
    async with mini_app.bot_app.session_factory() as session:
        user_id = await session.scalar(select(User.id).where(User.email == "ben@example.com"))
        assert user_id is not None
        await mute_rule(session, user_id, check.id, "F401")  # the report's Mute button

    rules = await mini_app.api("/rules", ben)
    assert rules.json()["muted"] == ["F401"]
    early = _text((await mini_app.part("/rules?done=unmute&rule=F401", ben)).text)
    assert "is checked again" not in early  # still muted: no confirmation of what is not so
    part = await mini_app.part("/rules", ben)
    assert ">🔊 Unmute F401</button>" in part.text
    assert "Your checks leave these rules out. F401" in _text(part.text)

    unmuted = await _post(mini_app, "/rules/unmute", ben, json={"rule": "F401"})
    assert unmuted.status == 200
    assert await _stored(mini_app, "ben@example.com") == (RulePreset.DEFAULT, None, [])
    after = _text((await mini_app.part("/rules?done=unmute&rule=F401", ben)).text)
    assert "🔊 F401 is checked again from your next check." in after
    assert "No muted rules." in after
    forged = await _post(mini_app, "/rules/unmute", ben, json={"rule": "<b>"})
    assert forged.status == 400
    assert "<b>" not in (await mini_app.part("/rules?done=unmute&rule=%3Cb%3E", ben)).text


async def test_an_own_configuration_pasted_or_picked_is_saved_and_shown(
    mini_app: MiniApp,
) -> None:
    cy = await seeded(mini_app.bot_app, "cy@example.com")
    digest = hashlib.sha256(STORED).hexdigest()
    label = f"custom {digest[:8]}"

    form = aiohttp.FormData()
    form.add_field("text", "")
    form.add_field("file", OWN_PYPROJECT, filename="pyproject.toml")
    saved = await _post(mini_app, "/rules/config", cy, data=form)
    assert saved.status == 200, saved.text
    assert saved.json()["config_hash"] == digest
    assert saved.json()["message"] == (
        f"✅ Your configuration {label} is saved: your next checks use it."
    )
    assert await _stored(mini_app, "cy@example.com") == (RulePreset.CUSTOM, digest, [])
    rules = await mini_app.api("/rules", cy)
    assert _current(rules) == [label]
    assert rules.json()["own_config"]["text"] == STORED.decode()
    page = _text((await mini_app.part("/rules?done=config", cy)).text)
    assert f"✅ Your configuration {label} is saved: your next checks use it." in page
    assert f"{label} your configuration: selects E, F; ignores E501" in page
    assert 'select = [ "E", "F", ]' in page  # the saved text itself

    # Back to a built-in preset and to the kept configuration, as in the chat.
    await _post(mini_app, "/rules/preset", cy, json={"preset": "pep8"})
    assert _current(await mini_app.api("/rules", cy)) == ["pep8"]
    await _post(mini_app, "/rules/preset", cy, json={"preset": "custom"})
    assert _current(await mini_app.api("/rules", cy)) == [label]

    pasted = aiohttp.FormData()
    pasted.add_field("text", '[lint]\r\nselect = ["F"]\r\n')  # as a browser sends a textarea
    pasted.add_field("file", b"", filename="")
    taken = await _post(mini_app, "/rules/config", cy, data=pasted)
    assert taken.status == 200, taken.text
    assert "your configuration: selects F" in _text((await mini_app.part("/rules", cy)).text)
    as_json = await _post(mini_app, "/rules/config", cy, json={"text": '[lint]\nselect = ["E"]\n'})
    assert as_json.status == 200
    assert (await mini_app.api("/rules", cy)).json()["own_config"]["summary"]["select"] == ["E"]


async def test_a_refused_configuration_says_why_and_changes_nothing(mini_app: MiniApp) -> None:
    dee = await seeded(mini_app.bot_app, "dee@example.com")
    await _post(mini_app, "/rules/preset", dee, json={"preset": "pep8"})
    refusals = {
        "[lint\n": "This is not valid TOML: Expected ']' at the end of a table declaration",
        "[lint]\nbogus = 1\n": "ruff refused this configuration:\nruff failed",
        'extend = "/etc/passwd"\n': "These settings name files or paths, which I never read: "
        "extend.",
        "[tool.ruff]\nfix = true\n": "These settings change what ruff writes or prints",
    }
    for text, reason in refusals.items():
        answer = await _post(mini_app, "/rules/config", dee, json={"text": text})
        assert answer.status == 422, text
        assert reason in answer.json()["message"], answer.json()
        assert "/cancel" not in answer.json()["message"]  # the chat's dialogue is not the page's
    rejected = await _post(mini_app, "/rules/config", dee, json={"text": "[lint]\nbogus = 1\n"})
    assert "unknown field `bogus`" in rejected.json()["message"]
    assert "reviewbot-" not in rejected.json()["message"]  # no path of ours

    for name, content in [("notes.txt", b"[lint]\n"), ("script.py", b"x = 1\n")]:
        form = aiohttp.FormData()
        form.add_field("file", content, filename=name)
        answer = await _post(mini_app, "/rules/config", dee, data=form)
        assert answer.status == 422
        assert "pyproject.toml, ruff.toml or .ruff.toml" in answer.json()["message"]
    readme = aiohttp.FormData()
    readme.add_field("file", b'[project]\nname = "x"\n', filename="pyproject.toml")
    answer = await _post(mini_app, "/rules/config", dee, data=readme)
    assert "has no [tool.ruff] settings" in answer.json()["message"]
    huge = aiohttp.FormData()
    huge.add_field("file", b"# x\n" * 20_000, filename="ruff.toml")
    answer = await _post(mini_app, "/rules/config", dee, data=huge)
    assert answer.json()["message"] == "This configuration is too large: the limit is 64 KiB."
    empty = await _post(mini_app, "/rules/config", dee, json={"text": "  "})
    assert empty.status == 422
    assert await _stored(mini_app, "dee@example.com") == (RulePreset.PEP8, None, [])
    assert (await mini_app.api("/rules", dee)).json()["own_config"] is None


async def test_rules_are_each_persons_own_and_need_launch_data(mini_app: MiniApp) -> None:
    eve = await seeded(mini_app.bot_app, "eve@example.com")
    fay = await seeded(mini_app.bot_app, "fay@example.com")
    secret = '# eve-secret\n[lint]\nselect = ["S"]\n'
    assert (await _post(mini_app, "/rules/config", eve, json={"text": secret})).status == 200

    fays = await mini_app.api("/rules", fay)
    assert fays.json()["own_config"] is None
    assert _current(fays) == ["default"]
    assert "custom" not in (await mini_app.part("/rules?done=config", fay)).text
    await _post(mini_app, "/rules/preset", fay, json={"preset": "strict"})
    assert (await _stored(mini_app, "eve@example.com"))[0] is RulePreset.CUSTOM

    for method, suffix, body in [
        ("GET", "/api/rules", None),
        ("GET", "/part/rules", None),
        ("POST", "/api/rules/preset", {"preset": "pep8"}),
        ("POST", "/api/rules/unmute", {"rule": "F401"}),
        ("POST", "/api/rules/config", {"text": "[lint]\n"}),
    ]:
        answer = await mini_app.request(method, suffix, json=body)
        assert answer.status == 401, suffix
        assert '["S"]' not in answer.text
    assert (await _stored(mini_app, "eve@example.com"))[0] is RulePreset.CUSTOM
    assert (await _stored(mini_app, "fay@example.com"))[0] is RulePreset.STRICT


async def test_a_russian_person_reads_both_pages_in_russian(mini_app: MiniApp) -> None:
    ivan = await seeded(mini_app.bot_app, "ivan@example.com", language_code="ru")

    log = _text((await mini_app.part("/log", ivan)).text)
    assert "Журнал проверок Проверок пока нет." in log
    rules = await mini_app.part("/rules?done=preset", ivan)
    assert rules.headers["Content-Language"] == "ru"
    shown = _text(rules.text)
    assert "Правила проверки Ваши следующие проверки используют default." in shown
    assert "Выбрать strict" in shown
    refused = await _post(mini_app, "/rules/config", ivan, json={"text": "[lint\n"})
    assert refused.json()["message"].startswith("Это не корректный TOML: ")


async def test_a_person_chooses_a_preset_and_saves_a_configuration_in_the_browser(
    mini_app: MiniApp, phone_page: PhonePages, telegram_js: str
) -> None:
    gil = await seeded(mini_app.bot_app, "gil@example.com")
    page = await mini_app.open_in_telegram(phone_page, telegram_js, gil, "/rules")
    current = page.locator(".rules-preset[aria-current=true] .name")
    assert await current.text_content() == "default"

    await page.get_by_role("button", name="Use strict").click()
    await page.get_by_role("status").filter(has_text="Your next checks use strict.").wait_for()
    assert await current.text_content() == "strict"
    assert await page.get_by_role("button", name="Use strict").count() == 0
    assert await page.get_by_role("button", name="Use default").count() == 1
    assert (await _stored(mini_app, "gil@example.com"))[0] is RulePreset.STRICT

    # A refused configuration: the reason under the form, nothing saved.
    await page.get_by_label("Paste a configuration").fill('extend = "/etc/passwd"\n')
    await page.get_by_role("button", name="Check and save").click()
    refusal = page.locator(".rules-config-form .form-message")
    await refusal.filter(has_text="These settings name files or paths").wait_for()
    assert (await _stored(mini_app, "gil@example.com"))[:2] == (RulePreset.STRICT, None)

    picked: FilePayload = {
        "name": "pyproject.toml",
        "mimeType": "application/toml",
        "buffer": OWN_PYPROJECT,
    }
    await page.get_by_label("or pick a file").set_input_files(files=[picked])
    await page.get_by_label("Paste a configuration").fill("")
    await page.get_by_role("button", name="Check and save").click()
    label = f"custom {hashlib.sha256(STORED).hexdigest()[:8]}"
    await (
        page.get_by_role("status")
        .filter(has_text=f"Your configuration {label} is saved")
        .wait_for()
    )
    assert await current.text_content() == label
    assert 'select = [\n    "E",' in (await page.locator(".rules-config-text").inner_text())
    if screenshots_wanted():
        await save_screenshot(page, SCREENSHOTS / "rules-custom.png")
    assert (phone_page.errors, phone_page.blocked) == ([], [])
