"""Hostile file names: stored as a safe base name (path parts, control and format characters
removed), then shown literally everywhere the name appears, never breaking a message's HTML
and never reaching an email header raw."""

import csv
import io
import json

import openpyxl
import pytest

from bot.features.check_log.texts import MAX_LISTED_NAME
from checks.worker import Worker
from core.exports import FORMULA_STARTS
from tests.fake_telegram import BotOutput
from tests.support.app import BotApp, Person
from tests.support.html_text import html_text
from tests.support.results import assert_result, issues
from tests.support.smtp import body_html, body_text

SOURCE = b"import os\nimport sys\n\nprint(sys.argv)\n"  # one issue, F401, fixed safely
# (the name as sent, the name as stored and shown)
NAMES = [
    ("../../<b>x<i>&amp;.py", "<b>x<i>&amp;.py"),
    ("<b>x</b>.py", "b>.py"),  # a slash always separates path parts, even in markup
    ("C:\\Temp\\&amp;.py", "&amp;.py"),
    ("two\nlines\r\n.py", "twolines.py"),
    ("invoice\u202egnp.py", "invoicegnp.py"),
    ("\x07bell\x1b[0m\x7f\u2066.py", "bell[0m.py"),
    ("'it\" & <i>&lt;.py", "'it\" & <i>&lt;.py"),
    ("=?utf-8?q?forged?= =HYPERLINK(1).py", "=?utf-8?q?forged?= =HYPERLINK(1).py"),
    ("📄 файл 🐍\u200d.py", "📄 файл 🐍.py"),
    ("<&>" * 84 + ".py", "<&>" * 84 + ".py"),  # 255 characters, the longest name kept
]


async def _document(person: Person, screen: BotOutput, button: str) -> BotOutput:
    document = await person.click(screen, button)
    assert document.kind == "document", document.describe()
    assert document.document is not None
    return document


@pytest.mark.parametrize(("sent", "name"), NAMES)
async def test_a_hostile_name_is_shown_literally_everywhere(
    bot_app: BotApp, worker: Worker, sent: str, name: str
) -> None:
    kit = await bot_app.registered("kit@example.com")
    assert f"Got {name}. It is queued for review." in (await kit.upload(sent, SOURCE)).text
    result = await kit.chat.next_screen(timeout=30)
    assert assert_result(result, name, 1, issues(1)).rest

    mail = await bot_app.smtp.wait_for(kit.email, count=2)
    assert mail["Subject"] == f"reviewbot: {name} v1 has 1 issue"
    assert f"Review of {name}, version 1 " in body_text(mail)
    assert f"Review of {name}, version 1 " in html_text(body_html(mail))

    report = await kit.click(result, "Full report")
    assert report.text.startswith(f"Report for {name}, version 1\n")
    page = await _document(kit, report, "📄 HTML report")
    assert page.document is not None
    assert f"Report for {name}, version 1" in html_text(page.document.decode())
    preview = await kit.click(report, "🛠 Fix")
    assert preview.text.startswith(f"🛠 Fixes for {name}, version 1\n")
    fixed = await _document(kit, preview, "⬇️ Get fixed file")
    assert fixed.filename == name

    card = await kit.click(await kit.files(), f"{name} · v1 · ✅")
    assert card.text.startswith(f"📄 {name}\n")
    download = await _document(kit, card, "Download")
    assert (download.filename, download.text, download.document) == (
        name,
        f"{name}, version 1",
        SOURCE,
    )
    history = await kit.click(card, "History")
    assert f"History of {name}:" in history.text

    log = await kit.say("/report")
    listed = name if len(name) <= MAX_LISTED_NAME else name[: MAX_LISTED_NAME - 1] + "…"
    assert f"\n1. {listed} v1 · " in log.text  # long names are cut in the list only
    csv_document = await _document(kit, log, "⬇️ CSV")
    assert csv_document.document is not None
    _, row = csv.reader(io.StringIO(csv_document.document.decode("utf-8-sig"), newline=""))
    # A name a spreadsheet would run as a formula is written after an apostrophe (#18).
    assert row[1] == (f"'{name}" if name.startswith(FORMULA_STARTS) else name)
    xlsx_document = await _document(kit, log, "⬇️ XLSX")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_document.document or b"")).active
    assert sheet is not None
    assert (sheet["B2"].value, sheet["B2"].data_type) == (name, "s")
    json_document = await _document(kit, log, "⬇️ JSON")
    assert [row["file"] for row in json.loads(json_document.document or b"")] == [name]
    assert bot_app.telegram.refused == []


async def test_a_name_over_255_characters_is_refused_and_the_bot_goes_on(
    bot_app: BotApp,
) -> None:
    """A name is not cut: two long names cut alike would silently replace each other."""
    lou = await bot_app.registered("lou@example.com")
    answer = await lou.upload("<b>" * 99 + ".py", SOURCE)  # 300 characters
    assert answer.text == "The file name is too long. Please rename the file and send it again."
    assert "You have no files yet." in (await lou.files()).text
