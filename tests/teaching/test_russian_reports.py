"""A Russian speaker reads every covered rule's reason in Russian: the chat result, the report
pages, the HTML document and the email give the card's reason (with the names ruff's message
quotes) instead of ruff's English message, and the rule card is the Russian one with its
examples. A rule without a Russian card keeps ruff's English message and says so on its card.
"""

from pathlib import Path

from checks.worker import Worker
from core.models import DeliveryChannel, DeliveryStatus
from core.rule_cards import rule_card
from tests.support.app import BotApp
from tests.support.people import seeded
from tests.support.pipeline import wait_for_delivery
from tests.support.reports import every_page, read_html, ruff_diagnostics

# ruff's default rules find five issues of four rules, each with a Russian card.
SOURCE = b"""import os
import sys


def check(value):
    if value == None:
        return f"nothing"
    unused = 1
    l = lambda: 0
    try:
        return sys.argv[value]
    except:
        return value == True
"""


def _reason(code: str) -> str:
    card = rule_card("ru", code)
    assert card is not None, f"{code} has no Russian card"
    return card.reason.rstrip(".")


async def test_a_russian_speakers_result_report_document_and_email_are_in_russian(
    bot_app: BotApp, worker: Worker, tmp_path: Path
) -> None:
    oracle = ruff_diagnostics(SOURCE, tmp_path)
    assert sorted(d["code"] for d in oracle) == ["E722", "F401", "F541", "F841", "F841"]
    olga = await seeded(bot_app, "olga@example.com", language_code="ru")

    await olga.upload("urok.py", SOURCE)
    result = await olga.chat.next_screen(timeout=30)
    assert result.text.startswith("Проверка файла urok.py, версия 1\n❌ 5 "), result.text
    pages = await every_page(olga, await olga.click(result, "Полный отчёт"))
    document = await olga.click(pages[0], "📄 Отчёт в HTML")
    assert document.document is not None
    shown_document = "".join(read_html(document.document).texts)
    await wait_for_delivery(bot_app.session_factory, DeliveryChannel.EMAIL, DeliveryStatus.SENT)
    [email] = [m for m in bot_app.smtp.messages if m["To"] == "olga@example.com"][-1:]
    bodies = [email.get_body(preferencelist=(kind,)) for kind in ("plain", "html")]
    mail = "\n".join(body.get_content() for body in bodies if body is not None)

    report = "\n".join(page.text for page in pages)
    for where, text in [
        ("result", result.text),
        ("report", report),
        ("document", shown_document),
        ("email", mail),
    ]:
        for diagnostic in oracle:
            assert diagnostic["message"] not in text, (where, diagnostic["message"])
            assert _reason(diagnostic["code"]) in text, (where, diagnostic["code"])
    # The names ruff's message quotes stay with the reason.
    assert f"{_reason('F401')}: `os`" in result.text
    assert f"{_reason('F841')}: `unused`" in report
    assert bot_app.telegram.refused == []


async def test_a_russian_rule_card_has_its_sections_and_examples(
    bot_app: BotApp, worker: Worker
) -> None:
    ivan = await seeded(bot_app, "ivan@example.com", language_code="ru")
    await ivan.upload("card.py", b"import os\n")
    result = await ivan.chat.next_screen(timeout=30)
    report = await ivan.click(result, "Полный отчёт")

    card_screen = await ivan.click(report, "ℹ️ F401")
    card = rule_card("ru", "F401")
    assert card is not None
    text = card_screen.text
    assert text.startswith("ℹ️ F401 unused-import (Pyflakes)")
    for heading, body in [
        ("Что находит", card.what),
        ("Почему это важно", card.why),
        ("Как исправить", card.fix),
        ("Плохо", card.bad.rstrip("\n")),
        ("Хорошо", card.good.rstrip("\n")),
    ]:
        assert f"{heading}\n{body.replace('`', '')}" in text, heading  # `code` spans as code
    pre = [e for e in card_screen.entities if e["type"] == "pre"]
    assert len(pre) == 2
    assert "Что говорит о нём ruff" not in text  # ruff's English text is not repeated
    assert bot_app.telegram.refused == []


async def test_a_rule_without_a_russian_card_says_so_and_keeps_ruffs_message(
    bot_app: BotApp, worker: Worker, tmp_path: Path
) -> None:
    source = b"def f():\n    raise NotImplemented\n"  # F901: no Russian card
    assert rule_card("ru", "F901") is None
    [diagnostic] = ruff_diagnostics(source, tmp_path)
    lev = await seeded(bot_app, "lev@example.com", language_code="ru")
    await lev.upload("raise.py", source)
    result = await lev.chat.next_screen(timeout=30)
    assert diagnostic["message"] in result.text

    report = await lev.click(result, "Полный отчёт")
    card = await lev.click(report, "ℹ️ F901")
    assert "Эта карточка ещё не переведена: ниже — объяснение ruff на английском." in card.text
    assert "Что говорит о нём ruff (по-английски):" in card.text
