"""The fix shown on every fixable issue (issue #22, item 1): a file whose issues under the
`strict` preset have a safe, an unsafe and a display-only fix, through the real pipeline; the
chat's report page, its HTML document, the Mini App's report and the result email each show
every fix with its label, and each before → after is what `ruff check --fix` (with
`--unsafe-fixes` for the unsafe one) does to those lines: ruff itself is the oracle."""

import json
import re
import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy import select

from checks.worker import Worker
from core.models import Check, DeliveryChannel, DeliveryStatus
from core.presets import STRICT_RULES
from core.services.reports import check_report
from tests.fake_telegram import BotOutput
from tests.support.app import Person
from tests.support.fix_oracle import Change, ruff_change, ruff_fixed
from tests.support.html_text import html_text
from tests.support.people import seeded
from tests.support.pipeline import wait_for_delivery
from tests.support.reports import RUFF, every_page, read_html
from tests.support.results import assert_result
from tests.support.smtp import body_html, body_text
from tests.support.webapp import MiniApp

# CRLF line breaks and characters beyond ASCII (one beyond the BMP) on the changed lines: ruff's
# columns count characters, and its lines end at \r\n.
SOURCE = (
    '"""Greets people."""\r\n'
    "\r\n"
    "import os\r\n"
    "import subprocess\r\n"
    "\r\n"
    "\r\n"
    "def greet(name: str) -> str:\r\n"
    '    """Say hello to \'é😀\' and list the folder."""\r\n'
    '    subprocess.run(["/bin/ls", name])\r\n'
    '    return "héllo 😀 %s" % name\r\n'
).encode()
LABELS = {
    "safe": "🔧 Remove unused import: `os` — safe fix: ruff check --fix and the bot's 🛠 Fix "
    "apply it",
    "unsafe": "⚠️ Replace with format specifiers — unsafe fix: it may change what the code does "
    "in rare cases; applied only with unsafe fixes",
    "display-only": "✋ Add explicit `check=False` — a suggestion ruff never applies: make the "
    "change by hand",
}
EMAIL_NOTES = {
    "safe": "[safe fix: Remove unused import: `os`]",
    "unsafe": "[unsafe fix: Replace with format specifiers]",
    "display-only": "[a suggestion to apply by hand: Add explicit `check=False`]",
}
_CHANGED = re.compile(r"^([+-]) +(\d+) │ (.*)$")
_ISSUE = re.compile(r"^([A-Z]+[0-9]+) (\d+):(\d+) ")


def strict_fixes(folder: Path) -> dict[str, dict[str, Any]]:
    """Every fixable diagnostic ruff reports under the strict preset, by code (one each)."""
    path = folder / "greet.py"
    path.write_bytes(SOURCE)
    command = [RUFF, "check", "--isolated", "--select", ",".join(STRICT_RULES)]
    output = subprocess.run(
        [*command, "--output-format", "json", "--exit-zero", path], capture_output=True, check=True
    ).stdout
    fixable = [d for d in json.loads(output) if d["fix"] is not None]
    assert len({d["code"] for d in fixable}) == len(fixable)
    return {d["code"]: d for d in fixable}


def expected_changes(folder: Path) -> dict[str, tuple[str, Change]]:
    """By code: the fix's applicability, and ruff's own change of the file's lines."""
    expected = {}
    for code, diagnostic in strict_fixes(folder).items():
        applicability = diagnostic["fix"]["applicability"].replace("displayonly", "display-only")
        if applicability == "display-only":
            # ruff never applies it, even with unsafe fixes: the change is the suggestion's.
            assert ruff_fixed(SOURCE, code, folder, unsafe=True) == SOURCE
            row = diagnostic["location"]["row"]
            line = '    subprocess.run(["/bin/ls", name])'
            suggested = '    subprocess.run(["/bin/ls", name], check=False)'
            expected[code] = (applicability, ([(row, line)], [(row, suggested)]))
        else:
            unsafe = applicability == "unsafe"
            expected[code] = (applicability, ruff_change(SOURCE, code, folder, unsafe=unsafe))
    assert sorted(kind for kind, _change in expected.values()) == [
        "display-only",
        "safe",
        "unsafe",
    ]
    return expected


def chat_fixes(pages: list[BotOutput]) -> dict[str, tuple[str, Change]]:
    """By code: the label line and the before → after block under each issue of the pages."""
    shown: dict[str, tuple[str, Change]] = {}
    code = None
    for line in "\n".join(page.text for page in pages).splitlines():
        if match := _ISSUE.match(line):
            code = match[1]
        elif not line:  # the end of a rule's issues
            code = None
        elif line.startswith(("🔧 ", "⚠️ ", "✋ ")) and code is not None:
            shown[code] = (line, ([], []))
        elif (match := _CHANGED.match(line)) and code is not None:
            side = shown[code][1][0 if match[1] == "-" else 1]
            side.append((int(match[2]), match[3]))
    return shown


def html_fixes(html: str, marker: str) -> dict[str, tuple[str, Change]]:
    """The same from HTML: `marker` opens each rule's or issue's part, its code right after."""
    shown = {}
    for chunk in html.split(marker)[1:]:
        code = chunk.split('"', 1)[0]
        fix = re.search(r'<div class="fix fix-[a-z-]+"[^>]*>(.*?)</div>', chunk, re.S)
        if fix is None:
            continue
        label, _, rest = fix[1].partition("</p>")
        change: Change = ([], [])
        for line in html_text(rest).splitlines():
            if match := _CHANGED.match(line):
                change[0 if match[1] == "-" else 1].append((int(match[2]), match[3]))
        shown[code] = (html_text(label).strip(), change)
    return shown


async def _full_report(person: Person, name: str) -> tuple[BotOutput, list[BotOutput]]:
    assert f" {name}" in (await person.upload(name, SOURCE)).text
    result = await person.chat.next_screen(timeout=30)
    assert_result(result, name)
    return result, await every_page(person, await person.click(result, "Full report"))


async def test_safe_unsafe_and_display_only_fixes_show_what_ruff_does(
    mini_app: MiniApp, worker: Worker, tmp_path: Path
) -> None:
    expected = expected_changes(tmp_path)
    eva = await seeded(mini_app.bot_app, "eva@example.com")
    rules = await eva.say("/rules")
    assert (await eva.click(rules, "strict")).text == "Your next checks use strict."
    await eva.chat.next_screen()

    _result, pages = await _full_report(eva, "greet.py")

    # The chat: under each fixable issue its label and ruff's change of those lines.
    shown = chat_fixes(pages)
    assert set(shown) == set(expected)
    for code, (kind, change) in expected.items():
        assert shown[code] == (LABELS[kind], change), code
    assert mini_app.bot_app.telegram.refused == []
    # e.g. the unsafe one, as a person reads it
    assert '- 10 │     return "héllo 😀 %s" % name' in pages[0].text
    assert '+ 10 │     return "héllo 😀 {}".format(name)' in pages[0].text
    pres = [e for page in pages for e in page.entities if e["type"] == "pre"]
    assert len(pres) == 3

    # The HTML document.
    document = await eva.click(pages[0], "📄 HTML report")
    assert document.document is not None
    read_html(document.document)  # tags balance
    in_document = html_fixes(document.document.decode(), '<h3 id="rule-')
    wanted = {code: (LABELS[kind], change) for code, (kind, change) in expected.items()}
    assert in_document == wanted

    # The Mini App's report, and its JSON.
    files = (await mini_app.api("/files", eva)).json()["items"]
    file_id = next(item["id"] for item in files if item["name"] == "greet.py")
    check_id = (await mini_app.api(f"/files/{file_id}", eva)).json()["last_check"]["check_id"]
    fragment = (await mini_app.part(f"/checks/{check_id}", eva)).text
    read_html(fragment.encode())
    in_app = html_fixes(fragment, '<li class="issue" data-code="')
    assert in_app == wanted
    assert fragment.count('aria-label="the lines before and after the fix"') == 3
    data = (await mini_app.api(f"/checks/{check_id}", eva)).json()
    kinds = {i["code"]: i["fix"]["applicability"] for i in data["issues"] if i["fix"]}
    assert kinds == {code: kind for code, (kind, _change) in expected.items()}

    # The result email: the fix's message next to its issue.
    email = await mini_app.bot_app.smtp.wait_for(eva.email)
    text, html = body_text(email), html_text(body_html(email))
    lines = {line.split()[1]: line for line in text.splitlines() if _position(line)}
    for code, (kind, _change) in expected.items():
        assert lines[code].endswith("  " + EMAIL_NOTES[kind]), lines[code]
        assert EMAIL_NOTES[kind][1:-1] in html
    assert "[fixable]" not in text


def _position(line: str) -> bool:
    return re.match(r"^\d+:\d+  ", line) is not None


async def test_a_check_stored_before_fixes_were_kept_shows_what_it_showed(
    mini_app: MiniApp, worker: Worker
) -> None:
    bot_app = mini_app.bot_app
    ola = await seeded(bot_app, "ola@example.com")
    assert " old.py" in (await ola.upload("old.py", b"import os\n")).text
    result = await ola.chat.next_screen(timeout=30)
    for channel in DeliveryChannel:  # the marks stay as they are while the test looks
        await wait_for_delivery(bot_app.session_factory, channel, DeliveryStatus.SENT)
    async with bot_app.session_factory() as session:  # as a check stored before #22 kept it
        check = await session.scalar(select(Check))
        assert check is not None
        assert check.issues[0]["fix"]["applicability"] == "safe"
        check.issues = [{k: v for k, v in i.items() if k != "fix"} for i in check.issues]
        await session.commit()
        check_id = check.id

    report = await ola.click(result, "Full report")
    body = report.text.split("❌ 1 issue\n", 1)[1].split("\n\nEmail: ", 1)[0]
    assert body == (
        "🎓 Grade B\n🪜 For A: fix 1× F401\n"
        "\nIssues by rule:\nF401 unused-import: 1\n\n"
        "F401 unused-import · 1 issue · documentation\n"
        "F401 1:8 `os` imported but unused 🔧\nimport os\n\n"
        "🔧 ruff can fix it: ruff check --fix"
    )
    assert [e["type"] for e in report.entities if e["type"] == "pre"] == []

    document = await ola.click(report, "📄 HTML report")
    assert document.document is not None
    assert b'<div class="fix' not in document.document
    assert "🔧 ruff can fix it" in html_text(document.document.decode())

    fragment = (await mini_app.part(f"/checks/{check_id}", ola)).text
    assert '<div class="fix' not in fragment
    assert "🔧</span> fixable" in fragment

    async with bot_app.session_factory() as session:
        stored = await check_report(session, check_id)
    email = bot_app.resources.email_templates.check_report(
        locale="en", recipient=ola.email, report=stored
    )
    assert "1:8  F401  `os` imported but unused  [fixable]\n" in body_text(email)
    assert "<i>[fixable]</i>" in body_html(email)
