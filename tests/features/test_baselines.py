"""A file's baseline: its owner accepts the current issues on the card, and later versions fail
only on issues beyond them (docs/baselines.md)."""

import csv
import io

import openpyxl

from bot.callbacks import BaselineAction, BaselineCallback, FileCallback
from checks.worker import Worker
from tests.fake_telegram import BotOutput
from tests.support.app import BotApp, Person
from tests.support.html_text import html_text
from tests.support.presses import assert_refused, button_data, press_data
from tests.support.reports import read_html
from tests.support.results import assert_result, issues
from tests.support.smtp import body_text, code_in

NAME = "lesson.py"
# Twelve undefined names (F821), one a line: the issues the teacher accepts.
OLD = "".join(f"value_{n:02} = missing_{n:02}\n" for n in range(1, 13))
MOVED = "# Lesson 3: loops\n" * 10 + OLD  # the same twelve, ten lines down
NEW_LINE = "total = brand_new_name\n"
V1 = OLD.encode()
V2 = (MOVED + NEW_LINE).encode()
V3 = MOVED.encode()
V4 = (MOVED + "# done\n").encode()


async def _upload_and_review(person: Person, content: bytes) -> BotOutput:
    acknowledged = await person.upload(NAME, content)
    assert NAME in acknowledged.text, acknowledged.text
    return await person.chat.next_screen()


async def _press(person: Person, screen: BotOutput, button: str) -> tuple[str, BotOutput]:
    """Press a card's baseline button: the notice on its answer, and the card shown again."""
    await person.chat.click(screen, button)
    answer = await person.chat.next_screen()
    assert answer.kind == "callback_answer", answer.describe()
    return answer.text, await person.chat.next_screen()


async def _card(person: Person, version: int, mark: str) -> BotOutput:
    return await person.click(await person.files(), f"{NAME} · v{version} · {mark}")


async def test_a_baseline_fails_only_new_issues_until_it_is_cleared(
    bot_app: BotApp, worker: Worker
) -> None:
    tess = await bot_app.registered("tess@example.com")

    first = await _upload_and_review(tess, V1)
    assert_result(first, NAME, 1, issues(12))
    card = await _card(tess, 1, "✅")
    assert "Baseline" not in card.text
    assert not card.has_button("Clear baseline")
    notice, card = await _press(tess, card, "☑️ Accept current issues")
    assert notice == ("Version 1 is the baseline: its 12 issues no longer fail later versions.")
    assert "Baseline: version 1 (12 accepted issues)" in card.text.splitlines()
    assert card.has_button("Clear baseline")
    assert not card.has_button("☑️ Accept current issues")  # version 1 is the baseline already

    # The twelve moved ten lines down, and one new issue: it fails, naming only the new one.
    second = assert_result(
        await _upload_and_review(tess, V2),
        NAME,
        2,
        "❌ 1 new issue beyond the baseline of version 1 (12 accepted)",
    )
    assert second.rest == [
        "0 fixed, 1 new since version 1",
        "☑️ 12 accepted issues, not counted: F821 ×12",
        "F821 23:9 Undefined name `brand_new_name`",
    ]

    mail = await bot_app.smtp.wait_for("tess@example.com", count=3)  # the code, v1, v2
    assert mail["Subject"] == "reviewbot: lesson.py v2 has 1 new issue beyond its baseline"
    html = mail.get_body(preferencelist=("html",))
    assert html is not None
    for text in (body_text(mail), html_text(html.get_content())):
        new = text.index("1 new issue beyond the baseline of version 1:")
        accepted = text.index("Accepted by the baseline, not counted (12):")
        assert new < text.index("brand_new_name") < accepted < text.index("missing_01"), text

    # Without it: passes against the baseline, the twelve still there.
    third = assert_result(
        await _upload_and_review(tess, V3),
        NAME,
        3,
        "✅ Passes against the baseline of version 1 (12 accepted issues remain)",
    )
    assert third.rest == [
        "1 fixed, 0 new since version 2",
        "☑️ 12 accepted issues, not counted: F821 ×12",
    ]
    mail = await bot_app.smtp.wait_for("tess@example.com", count=4)
    assert mail["Subject"] == "reviewbot: lesson.py v3 passes against its baseline"
    assert "Passes against the baseline of version 1 (12 accepted issues remain)." in (
        body_text(mail)
    )
    card = await _card(tess, 3, "✅")
    lines = card.text.splitlines()
    assert "Baseline: version 1 (12 accepted issues)" in lines
    assert (
        "Last check: v3, ✅ Passes against the baseline of version 1 (12 accepted issues remain)"
        in lines
    )

    history = await tess.click(card, "History")
    entries = [line for line in history.text.splitlines() if line.startswith("v")]
    assert entries[0].endswith("✅ passes against the baseline (12 accepted issues)"), entries
    assert entries[1].endswith("❌ 13 issues"), entries
    card = await _card(tess, 3, "✅")

    # The report screen lists the accepted issues apart, under their own heading.
    report = await tess.click(card, "Report")
    assert "☑️ Accepted by the baseline of version 1: 12 issues" in report.text
    assert "Issues by rule:" not in report.text  # nothing new to list
    document = await tess.click(report, "📄 HTML report")
    assert document.document is not None
    read_html(document.document)  # tags balance
    text = html_text(document.document.decode())
    judged = "Passes against the baseline of version 1 (12 accepted issues remain)."
    assert text.index(judged) < text.index("Accepted by the baseline, not counted (12):")
    assert "Issues by rule" not in text
    assert text.count("Undefined name `missing_") == 12

    # Cleared: the next version fails with all twelve again.
    card = await _card(tess, 3, "✅")
    notice, card = await _press(tess, card, "Clear baseline")
    assert notice == "Baseline cleared: later versions are judged on every issue."
    assert "Baseline" not in card.text
    assert card.has_button("☑️ Accept current issues")
    fourth = assert_result(await _upload_and_review(tess, V4), NAME, 4, issues(12))
    assert fourth.rest[0] == "0 fixed, 0 new since version 3"
    assert not any("accepted" in line for line in fourth.rest)

    # The check log's exports carry what each check was judged against (newest first).
    log = await tess.say("/report")
    assert "✅ passes against the baseline (12 accepted issues)" in log.text
    expected = [["", "0"], ["1", "12"], ["1", "12"], ["", "0"]]
    csv_rows = _export_columns(await _document(tess, log, "⬇️ CSV"))
    assert csv_rows == expected
    xlsx_rows = _export_columns(await _document(tess, log, "⬇️ XLSX"))
    assert xlsx_rows == expected
    assert bot_app.telegram.refused == []


async def _document(person: Person, screen: BotOutput, button: str) -> bytes:
    document = await person.click(screen, button)
    assert document.kind == "document", document.describe()
    assert document.document is not None
    assert document.filename is not None
    return document.document if document.filename.endswith(".csv") else _xlsx_as_csv(document)


def _xlsx_as_csv(document: BotOutput) -> bytes:
    assert document.document is not None
    sheet = openpyxl.load_workbook(io.BytesIO(document.document)).active
    assert sheet is not None
    buffer = io.StringIO()
    csv.writer(buffer).writerows(
        ["" if cell is None else cell for cell in row] for row in sheet.iter_rows(values_only=True)
    )
    return buffer.getvalue().encode("utf-8-sig")


def _export_columns(document: bytes) -> list[list[str]]:
    """The baseline's two columns of an export, by their headers, a row per check."""
    header, *rows = csv.reader(io.StringIO(document.decode("utf-8-sig"), newline=""))
    columns = [header.index("Baseline version"), header.index("Accepted by the baseline")]
    return [[row[column] for column in columns] for row in rows]


async def test_a_strangers_forged_baseline_buttons_change_nothing(
    bot_app: BotApp, worker: Worker
) -> None:
    owner = await bot_app.registered("owner-bl@example.com")
    await _upload_and_review(owner, V1)
    card = await _card(owner, 1, "✅")
    accept = button_data(card, "☑️ Accept current issues")
    _notice, card = await _press(owner, card, "☑️ Accept current issues")
    clear = button_data(card, "Clear baseline")

    thief = await bot_app.registered("thief-bl@example.com")
    await _upload_and_review(thief, b"x = 1\n")
    screen = await thief.say("/help")
    for data in (clear, accept, accept.replace(":a:", ":c:")):
        await assert_refused(thief, data, on=screen)

    card = await _card(owner, 1, "✅")
    assert "Baseline: version 1 (12 accepted issues)" in card.text.splitlines()
    assert bot_app.telegram.refused == []


async def test_a_russian_teacher_accepts_and_reads_the_result_in_russian(
    bot_app: BotApp, worker: Worker
) -> None:
    ivan = bot_app.person("ivan-bl@example.com", language_code="ru")
    await ivan.say("/start")
    await ivan.say(ivan.email)
    assert "подтверждён" in (await ivan.say(code_in(await bot_app.smtp.wait_for(ivan.email)))).text
    await _upload_and_review(ivan, V1)
    card = await ivan.click(await ivan.say("/files"), f"{NAME} · v1 · ✅")
    notice, card = await _press(ivan, card, "☑️ Принять текущие замечания")
    assert notice == (
        "Версия 1 теперь базовая: её 12 замечаний больше не проваливают следующие версии."
    )
    assert "Базовая версия: 1 (12 принятых замечаний)" in card.text.splitlines()
    second = await _upload_and_review(ivan, V2)
    lines = second.text.splitlines()
    assert lines[1] == "❌ 1 новое замечание сверх базовой версии 1 (принято: 12)"
    assert "☑️ 12 принятых замечаний не учитываются: F821 ×12" in lines
    mail = await bot_app.smtp.wait_for(ivan.email, count=3)
    assert mail["Subject"] == ("reviewbot: в lesson.py v2 1 новое замечание сверх базовой версии")
    assert "Принято базовой версией, не учитывается (12):" in body_text(mail)
    assert bot_app.telegram.refused == []


async def test_accepting_a_version_not_checked_yet_says_to_wait(bot_app: BotApp) -> None:
    kim = await bot_app.registered("kim-bl@example.com")
    await kim.upload(NAME, V1)  # no worker: it stays unchecked
    card = await _card(kim, 1, "🆕")
    assert not card.has_button("☑️ Accept current issues")
    file_id = FileCallback.unpack(button_data(card, "History")).file_id
    forged = BaselineCallback(action=BaselineAction.ACCEPT, file_id=file_id).pack()
    answer = await press_data(kim, forged, on=card)
    assert (answer.kind, answer.show_alert) == ("callback_answer", True)
    assert answer.text == (
        "Version 1 has no finished check yet: accept its issues once its result has come."
    )
    card = await _card(kim, 1, "🆕")
    assert "Baseline" not in card.text
    assert bot_app.telegram.refused == []
