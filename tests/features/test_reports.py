"""A check's report: every issue grouped by rule with names, links, source lines and fixable
marks, paged in messages Telegram accepts; the whole report as an HTML document; rule cards
with ruff's own explanation; and nothing of it for anyone but the file's owner."""

import re
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.app import Catalogues
from bot.features.reports.rule_cards import rule_card
from checks.outbox import RetryPolicy
from checks.worker import Worker
from core.i18n import load_translations
from core.models import DeliveryChannel, DeliveryStatus, User
from core.rule_cards import rule_card as rule_card_in
from infra.ruff.rules import RuleCatalog
from reviewbot.runtime import open_worker
from tests.fake_telegram import BotOutput
from tests.fake_telegram.html import parse_html, utf16_len
from tests.support.app import BotApp, Person
from tests.support.pipeline import wait_for_delivery
from tests.support.presses import button_data
from tests.support.reports import (
    ONE_ISSUE_EACH,
    code_spans,
    every_page,
    listed_issues,
    many_issues,
    read_html,
    ruff_diagnostics,
    ruff_rule_text,
    ruff_rules,
    ruff_version,
    tried_once,
)
from tests.support.results import assert_result
from tests.support.smtp import code_in

# A retry this far away never comes during a test: a failed try stays on the mark.
NO_RETRY_SOON = RetryPolicy(base_delay=timedelta(hours=1))
# 300 issues over 40 rules: 8 of each of the first 20 rules, 7 of each of the next 20.
PER_RULE = {code: 8 if n < 20 else 7 for n, code in enumerate(list(ONE_ISSUE_EACH)[:40])}


async def _result_of_upload(person: Person, name: str, content: bytes) -> BotOutput:
    """Upload the file and wait for its result in the chat."""
    assert f" {name}" in (await person.upload(name, content)).text  # "Got" or "Replaced"
    result = await person.chat.next_screen(timeout=30)
    assert_result(result, name)
    return result


def _marks_at_the_end(page: BotOutput) -> None:
    *_, email, chat = page.text.splitlines()
    assert email.startswith("Email: "), page.text[-300:]
    assert chat.startswith("Chat: "), page.text[-300:]


async def test_300_issues_over_40_rules_page_in_full_with_names_links_and_code(
    bot_app: BotApp, worker: Worker, tmp_path: Path
) -> None:
    source = many_issues(PER_RULE)
    oracle = ruff_diagnostics(source, tmp_path)
    assert len(oracle) == 300
    assert Counter(d["code"] for d in oracle) == PER_RULE
    rules = ruff_rules()
    ida = await bot_app.registered("ida@example.com")

    result = await _result_of_upload(ida, "many.py", source)
    pages = await every_page(ida, await ida.click(result, "Full report"))
    assert len(pages) >= 300 // 20
    for number, page in enumerate(pages, start=1):
        assert page.text.startswith("Report for many.py, version 1\n")
        assert f"Page {number} of {len(pages)}." in page.text
        _marks_at_the_end(page)
    assert bot_app.telegram.refused == []  # every page was accepted as it was sent
    checked = pages[0].text.splitlines()[1]
    assert re.fullmatch(r"Checked .+ UTC, preset default, ruff \S+", checked)
    assert checked.endswith(f", ruff {ruff_version()}")

    # Every issue exactly once, with its fixable mark exactly when ruff has a fix.
    listed = [issue for page in pages for issue in listed_issues(page)]
    assert Counter((code, line, column) for code, line, column, _ in listed) == Counter(
        (d["code"], d["location"]["row"], d["location"]["column"]) for d in oracle
    )
    fixable = {(d["code"], d["location"]["row"]) for d in oracle if d["fix"] is not None}
    for code, line, _, rest in listed:
        assert rest.endswith(" 🔧") == ((code, line) in fixable), (code, line, rest)

    text = "\n".join(page.text for page in pages)
    for code, count in PER_RULE.items():
        name = rules[code]["name"]
        assert f"\n{code} {name}: {count}\n" in text  # the summary line
        assert f"\n{code} {name} · {count} issues · documentation\n" in text  # the heading
    links = {e["url"] for page in pages for e in page.entities if e["type"] == "text_link"}
    assert links == {d["url"] for d in oracle}

    # Source lines: shown as code, escaped, the long one cut around its issue.
    spans = [span for page in pages for span in code_spans(page)]
    assert "v0_0 = 1 == None  # <b>&amp; 𐐀</b>" in spans
    assert "v2_1 = 1  # a bidi override: \ufffd<b>reversed</b>" in spans  # neutralized
    [long_line] = [span for span in spans if span.startswith("v_long")]
    assert long_line.endswith("…")
    assert len(long_line) <= 81


async def test_the_html_document_holds_every_issue_with_code_and_links(
    bot_app: BotApp, worker: Worker, tmp_path: Path
) -> None:
    source = many_issues(PER_RULE)
    oracle = ruff_diagnostics(source, tmp_path)
    jo = await bot_app.registered("jo@example.com")
    result = await _result_of_upload(jo, "<many & more>.py", source)
    report = await jo.click(result, "Full report")

    document = await jo.click(report, "📄 HTML report")
    assert document.kind == "document"
    assert document.filename == "<many & more>-v1-report.html"
    assert document.text.startswith("Report for <many & more>.py, version 1: every issue")
    assert document.document is not None
    page = read_html(document.document)  # tags balance, nothing left open
    assert page.tags["li"] == 300
    assert page.tags["h3"] == 40
    assert page.resources == []  # no scripts, images, fonts or style sheets to fetch
    assert not re.search(rb"@import|url\(", document.document)
    ruff_links = {link for link in page.links if not link.startswith("#")}
    assert ruff_links == {d["url"] for d in oracle}
    shown = "".join(page.texts)
    assert "Report for <many & more>.py, version 1" in shown  # the hostile name, as text
    assert "v0_0 = 1 == None  # <b>&amp; 𐐀</b>" in shown
    assert shown.count("ruff can fix it") == sum(1 for d in oracle if d["fix"] is not None)
    assert bot_app.telegram.refused == []


async def test_a_rule_card_shows_ruffs_explanation_and_goes_back(
    bot_app: BotApp, worker: Worker
) -> None:
    kim = await bot_app.registered("kim@example.com")
    source = b"import os\n\nv = f'plain'\n"
    result = await _result_of_upload(kim, "card.py", source)
    for channel in DeliveryChannel:  # the marks stay as they are while the test looks
        await wait_for_delivery(bot_app.session_factory, channel, DeliveryStatus.SENT)
    report = await kim.click(result, "Full report")
    assert report.button_texts()[:4] == ["ℹ️ F401", "🔇 Mute F401", "ℹ️ F541", "🔇 Mute F541"]

    card = await kim.click(report, "ℹ️ F541")
    assert card.text.startswith("ℹ️ F541 f-string-missing-placeholders (Pyflakes)")
    assert _words(_section(ruff_rule_text("F541"), "What it does")) in _words(card.text)
    assert _words(_section(ruff_rule_text("F541"), "Why is this bad?")) in _words(card.text)
    [link] = [e["url"] for e in card.entities if e["type"] == "text_link"]
    assert link == "https://docs.astral.sh/ruff/rules/f-string-missing-placeholders"
    back = await kim.click(card, "« Back")
    assert (back.text, back.buttons) == (report.text, report.buttons)
    assert bot_app.telegram.refused == []


async def test_a_syntax_error_has_a_card_of_our_own(bot_app: BotApp, worker: Worker) -> None:
    lee = await bot_app.registered("lee@example.com")
    result = await _result_of_upload(lee, "broken.py", b"def f(:\n    pass\n")
    report = await lee.click(result, "Full report")
    assert "\nsyntax-error 1:7 " in report.text
    card = await lee.click(report, "ℹ️ syntax-error")
    assert "Not a ruff rule: the file is not valid Python" in card.text


def _section(markdown: str, heading: str) -> str:
    """The text under `## heading` in ruff's Markdown."""
    return markdown.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]


def _words(text: str) -> str:
    """The letters and digits of a text, run together: Markdown's marks and link targets (and
    HTML's tags, once parsed) and all spacing and punctuation left out."""
    return "".join(re.findall(r"[^\W_]+", re.sub(r"\](\([^)]*\)|\[[^\]]*\])", "]", text)))


async def test_full_report_opens_that_very_check_and_the_card_its_latest(
    bot_app: BotApp, worker: Worker
) -> None:
    max_ = await bot_app.registered("max@example.com")
    first = await _result_of_upload(max_, "a.py", b"import os\n")
    second = await _result_of_upload(max_, "a.py", b"v = f'plain'\n")
    assert_result(second, "a.py", 2)

    old = await max_.click(first, "Full report")
    assert old.text.startswith("Report for a.py, version 1\n")
    assert "\nF401 1:8 `os` imported but unused 🔧\n" in old.text
    assert "F541" not in old.text
    card = await max_.click(old, "« Back")  # the file is active: back to its card
    assert "Last check: v2, ❌ 1 issue" in card.text
    assert button_data(card, "Report") == button_data(second, "Full report")
    latest = await max_.click(card, "Report")
    assert latest.text.startswith("Report for a.py, version 2\n")
    assert "\nF541 1:5 f-string without any placeholders 🔧\n" in latest.text

    # Deleted, the file's checks stay readable by their owner; Back leads to the check log.
    await max_.click(await max_.click(await max_.click(latest, "« Back"), "Delete"), "Yes, delete")
    again = await max_.click(second, "Full report")  # a result in the chat from before
    assert again.text.startswith("Report for a.py, version 2\n")
    log = await max_.click(again, "« Back")
    assert log.text.startswith("Check log: 2 checks of your files")
    assert bot_app.telegram.refused == []


async def test_pages_fit_with_the_longest_delivery_errors(bot_app: BotApp) -> None:
    """Marks carrying 2,000-character errors beyond the BMP (each character two UTF-16 units)
    still leave every page of a long report within Telegram's limit."""
    ned = await bot_app.registered("ned@example.com")
    await ned.upload("wide.py", many_issues(PER_RULE))
    bot_app.telegram.fail_next("sendMessage", error_code=500, description="𐐀" * 2000)
    bot_app.smtp.refuse_next("451 " + "𐐀<&>" * 600)
    async with open_worker(bot_app.resources, bot_app.bot, retry=NO_RETRY_SOON):
        await tried_once(bot_app.session_factory)
    card = await ned.click(await ned.files(), "wide.py · v1 · ✅")
    pages = await every_page(ned, await ned.click(card, "Report"))
    assert len([i for page in pages for i in listed_issues(page)]) == 300
    for page in pages:
        *_, email, chat = page.text.splitlines()
        assert (
            email == "Email: not sent yet (1 try failed: the mail server asked to try again later)"
        )
        assert chat.startswith("Chat: not sent yet (1 try failed: ")
        assert chat.endswith("…)")
    assert bot_app.telegram.refused == []


def _report_buttons(*screens: BotOutput) -> list[str]:
    return sorted(
        {
            button.callback_data
            for screen in screens
            for row in screen.buttons
            for button in row
            if button.callback_data is not None and button.callback_data.startswith("k:")
        }
    )


async def test_report_buttons_replayed_by_another_user_show_nothing(
    bot_app: BotApp, worker: Worker
) -> None:
    owner = await bot_app.registered("owner3@example.com")
    secret = "".join(f"owner_only_{n} = f'secret'\n" for n in range(30)).encode()
    result = await _result_of_upload(owner, "secret.py", secret)
    first = await owner.click(result, "Full report")
    second = await owner.click(first, "Next »")
    card = await owner.click(second, "ℹ️ F541")
    stolen = _report_buttons(result, first, second, card)
    # Full report and pages, the rule, its Mute, the HTML document, and back from the card.
    assert {data.split(":")[1] for data in stolen} == {"o", "r", "m", "d"}
    assert len(stolen) >= 4

    thief = await bot_app.registered("thief3@example.com")
    base = await thief.say("/help")
    documents = len(bot_app.telegram.calls("sendDocument"))
    forged = ["k:o:99999999999:0:", "k:r:0:0:F541", "k:d:-1:0:"]
    for data in [*stolen, *forged]:
        await thief.chat.click_data(base, data)
        answer = await thief.chat.next_screen()
        assert (answer.kind, answer.text, answer.show_alert) == (
            "callback_answer",
            "File not found.",
            True,
        ), data
    await thief.chat.no_output(within=0.5)
    assert len(bot_app.telegram.calls("sendDocument")) == documents  # no report was sent
    for output in thief.chat.outputs:
        assert "secret" not in output.text
        assert "owner_only" not in output.text
        assert output.document is None
    async with bot_app.session_factory() as session:  # the stolen Mute muted nothing
        assert list(await session.scalars(select(User.muted_rules))) == [[], []]
    await thief.chat.click_data(base, "k:zz:1:0:")
    out_of_date = await thief.chat.next_screen()
    assert out_of_date.text == "This button is out of date. Open /files again."


async def test_every_rule_card_of_this_ruff_is_telegram_html_that_fits() -> None:
    """All of ruff's explanations, rendered as cards in both languages, parse as Telegram
    HTML (the fake server's parser), fit one message and keep their first section."""
    catalog = await RuleCatalog().rules()
    assert catalog.keys() == {code for code in ruff_rules() if code}
    i18n = Catalogues(load_translations())
    for locale in ("en", "ru"):
        with i18n.context(), i18n.use_locale(locale):
            for code, rule in catalog.items():
                text = rule_card(code, rule, None)
                shown = parse_html(text)  # raises on anything Telegram would refuse
                assert utf16_len(shown.text.strip()) <= 4096, code
                assert shown.dropped_links == [], code
                card = rule_card_in("ru", code) if locale == "ru" else None
                # A rule with a card in the language shows it, else ruff's own explanation.
                first = (
                    card.what if card is not None else _section(rule.explanation, "What it does")
                )
                assert _words(first)[:60] in _words(shown.text), code


async def test_a_russian_person_reads_our_framing_in_russian(
    bot_app: BotApp, worker: Worker
) -> None:
    ola = bot_app.person("ola@example.com", language_code="ru")
    await ola.say("/start")
    await ola.say(ola.email)
    await ola.say(code_in(await bot_app.smtp.wait_for(ola.email)))
    await ola.upload("ru.py", b"import os\n")
    result = await ola.chat.next_screen(timeout=30)
    report = await ola.click(result, "Полный отчёт")
    assert report.text.startswith("Отчёт по файлу ru.py, версия 1\nПроверено ")
    assert "\nЗамечания по правилам:\nF401 unused-import: 1\n" in report.text
    assert "\nF401 unused-import · 1 замечание · документация\n" in report.text
    assert "\n🔧 ruff исправит это сам: ruff check --fix\n" in report.text
    card = await ola.click(report, "ℹ️ F401")
    assert "\nЧто находит\nИмпорт, имя которого ни разу не встречается в файле.\n" in card.text
    document = await ola.click(await ola.click(card, "« Назад"), "📄 Отчёт в HTML")
    assert document.document is not None
    assert "Замечания по правилам" in document.document.decode()
    assert bot_app.telegram.refused == []
