"""A file's history, and results that say what changed since the version before."""

import json
import subprocess
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]
from sqlalchemy import select

from checks.worker import Worker
from core.models import DeliveryChannel, DeliveryStatus, FileVersion
from tests.fake_telegram import BotOutput
from tests.support.app import BotApp, Person
from tests.support.pipeline import wait_for_delivery
from tests.support.presses import button_data, press_again
from tests.support.results import assert_result, issues
from tests.support.smtp import body_text, code_in

# Version 1 has A (an unused import) and B (an unused local); version 2 fixes A, keeps B two
# lines higher up and brings C (an undefined name).
V1 = b"import os\n\n\ndef f():\n    unused = 1\n"
V2 = b"def f():\n    unused = 1\n    return undefined_name\n"
A, B, C = "F401", "F841", "F821"


def _ruff_codes(content: bytes, folder: Path) -> list[str]:
    """The rule codes `ruff check --isolated` reports on these bytes, in its order."""
    path = folder / "oracle.py"
    path.write_bytes(content)
    completed = subprocess.run(
        [find_ruff_bin(), "check", "--isolated", "--output-format", "json", "--exit-zero", path],
        capture_output=True,
        check=True,
        cwd=folder,
    )
    return [item["code"] for item in json.loads(completed.stdout)]


class _Text(HTMLParser):
    """The text of an HTML document, one line per cell or paragraph."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in {"p", "tr"}:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data.strip("\n"))


def _html_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    parser = _Text()
    parser.feed(part.get_content())
    return " ".join("".join(parser.parts).split(" "))


async def _upload_and_review(person: Person, name: str, content: bytes) -> BotOutput:
    """Upload a version and return its review, once it arrived in the chat."""
    acknowledged = await person.upload(name, content)
    assert name in acknowledged.text, acknowledged.text
    review = await person.chat.next_screen()
    assert review.text.startswith(f"Review of {name}") or "Проверка" in review.text, review.text
    return review


async def _history(person: Person, name: str, version: int) -> BotOutput:
    card = await person.click(await person.files(), f"{name} · v{version} · ✅")
    return await person.click(card, "History")


def _lines_after(text: str, heading: str) -> list[str]:
    lines = text.splitlines()
    return lines[lines.index(heading) + 1 :]


async def test_a_replacement_says_what_was_fixed_and_names_the_new_issue_first(
    bot_app: BotApp, worker: Worker, tmp_path: Path
) -> None:
    assert _ruff_codes(V1, tmp_path) == [A, B]
    assert _ruff_codes(V2, tmp_path) == [B, C]
    ida = await bot_app.registered("ida@example.com")

    first = await _upload_and_review(ida, "calc.py", V1)
    assert "since version" not in first.text  # nothing to compare the first version with
    second = await _upload_and_review(ida, "calc.py", V2)
    assert assert_result(second, "calc.py", 2, issues(2)).rest[:3] == [
        "1 fixed, 1 new since version 1",
        f"🆕 {C} 3:12 Undefined name `undefined_name`",
        f"{B} 2:5 Local variable `unused` is assigned to but never used",
    ]

    mail = await bot_app.smtp.wait_for("ida@example.com", count=3)  # the code, v1, v2
    assert mail["Subject"] == "reviewbot: calc.py v2 has 2 issues"
    for text in (body_text(mail), _html_text(mail)):
        assert "1 fixed, 1 new since version 1." in text
        new, already = text.index("New since version 1:"), text.index("Already in version 1:")
        assert new < text.index(C) < already < text.index(B), text
        assert A not in text

    # The same code with ten blank lines on top: everything moved, nothing fixed or new.
    moved = await _upload_and_review(ida, "calc.py", b"\n" * 10 + V2)
    assert assert_result(moved, "calc.py", 3, issues(2)).rest[:1] == [
        "0 fixed, 0 new since version 2",
    ]
    assert "🆕" not in moved.text
    mail = await bot_app.smtp.wait_for("ida@example.com", count=4)
    for text in (body_text(mail), _html_text(mail)):
        assert "0 fixed, 0 new since version 2." in text
        assert "New since" not in text

    card = await ida.click(await ida.files(), "calc.py · v3 · ✅")
    history_data = button_data(card, "History")
    history = await ida.click(card, "History")
    lines = history.text.splitlines()
    assert lines[0] == "History of calc.py: 3 versions, newest first."
    entries = [line for line in lines if line.startswith("v")]
    assert [entry.split(" — ")[0] for entry in entries] == ["v3", "v2", "v1"]
    assert all(entry.endswith("❌ 2 issues") for entry in entries), entries
    assert _lines_after(history.text, entries[0])[0] == "  since v2: 0 fixed, 0 new, 2 remaining"
    assert _lines_after(history.text, entries[1])[:2] == [
        "  since v1: 1 fixed, 1 new, 1 remaining",
        f"  🆕 {C} 3:12 Undefined name `undefined_name`",
    ]
    assert _lines_after(history.text, entries[2])[0] == ""  # no diff for the first version
    assert history.button_texts() == ["Report v3", "Report v2", "Report v1", "« Back"]
    await press_again(ida, history, history_data)
    report = await ida.click(history, "Report v2")
    assert report.text.startswith("Report for calc.py, version 2\n")
    assert bot_app.telegram.refused == []


async def test_a_russian_person_reads_what_changed_in_russian(
    bot_app: BotApp, worker: Worker
) -> None:
    ivan = bot_app.person("ivan@example.com", language_code="ru")
    await ivan.say("/start")
    await ivan.say(ivan.email)
    assert "подтверждён" in (await ivan.say(code_in(await bot_app.smtp.wait_for(ivan.email)))).text
    await _upload_and_review(ivan, "calc.py", V1)
    moved = await _upload_and_review(ivan, "calc.py", b"\n" * 10 + V1)
    assert "Исправлено: 0, новых: 0 по сравнению с версией 1" in moved.text
    mail = await bot_app.smtp.wait_for("ivan@example.com", count=3)
    for text in (body_text(mail), _html_text(mail)):
        assert "Исправлено: 0, новых: 0 по сравнению с версией 1." in text

    card = await ivan.click(await ivan.say("/files"), "calc.py · v2 · ✅")
    history = await ivan.click(card, "История")
    assert "с v1: исправлено 0, новых 0, осталось 2" in history.text
    assert bot_app.telegram.refused == []


def _many_names(version: int) -> bytes:
    """A version whose eight undefined names, each 70 characters long, are all its own."""
    names = [f"name_of_version_{version:02}_number_{n}_".ljust(70, "x") for n in range(8)]
    return "".join(f"print({name})\n" for name in names).encode()


async def test_the_history_of_many_versions_pages_within_telegram_limits(
    bot_app: BotApp, worker: Worker
) -> None:
    jo = await bot_app.registered("jo@example.com")
    name = ("Ünïcode & <tags> 🐍 " * 12)[:240] + ".py"  # long, to escape, beyond the BMP
    versions = 13
    for version in range(1, versions + 1):
        await _upload_and_review(jo, name, _many_names(version))
    await wait_for_delivery(
        bot_app.session_factory, DeliveryChannel.TELEGRAM, DeliveryStatus.SENT, count=versions
    )
    jo.chat.consume_all()

    screen = await _history(jo, name, versions)
    seen: list[str] = []
    pages = 0
    while True:
        pages += 1
        assert f"Page {pages} of 3." in screen.text
        entries = [line.split(" — ")[0] for line in screen.text.splitlines() if line[:1] == "v"]
        seen += entries
        for entry in entries[:-1] if pages == 3 else entries:  # each but v1 has a diff
            assert f"since v{int(entry[1:]) - 1}: 8 fixed, 8 new, 0 remaining" in screen.text
        assert "  …and 5 more new" in screen.text
        if not screen.has_button("Older »"):
            break
        screen = await jo.click(screen, "Older »")
    assert pages == 3
    assert seen == [f"v{n}" for n in range(versions, 0, -1)]
    newer = await jo.click(screen, "« Newer")
    assert "Page 2 of 3." in newer.text
    assert bot_app.telegram.refused == []


async def test_history_shows_versions_not_checked_yet(bot_app: BotApp) -> None:
    kay = await bot_app.registered("kay@example.com")
    await kay.upload("slow.py", b"x = 1\n")
    await kay.upload("slow.py", b"x = 22\n")
    card = await kay.click(await kay.files(), "slow.py · v2 · 🔁")
    history = await kay.click(card, "History")
    assert history.text.splitlines()[2:] == [
        line for line in history.text.splitlines()[2:] if line.endswith("🕓 not checked yet")
    ]
    assert "— 7 bytes — 🕓 not checked yet" in history.text
    assert "— 6 bytes — 🕓 not checked yet" in history.text
    assert history.button_texts() == ["« Back"]
    async with bot_app.session_factory() as session:  # each with the time it was uploaded
        uploaded = dict(
            (await session.execute(select(FileVersion.number, FileVersion.uploaded_at))).all()
        )
    for number, size in ((2, 7), (1, 6)):
        shown = f"v{number} — {uploaded[number].strftime('%Y-%m-%d %H:%M')} UTC — {size} bytes"
        assert shown in history.text, history.text


async def test_history_replayed_by_another_user_shows_nothing_of_the_owners(
    bot_app: BotApp,
) -> None:
    owner = await bot_app.registered("hist-owner@example.com")
    for version in range(1, 8):  # two pages of history
        await owner.upload("secret.py", f"TOKEN = 'owner-only-{version}'\n".encode())
    card = await owner.click(await owner.files(), "secret.py · v7 · 🔁")
    history = await owner.click(card, "History")
    older = await owner.click(history, "Older »")
    stolen = [
        button_data(card, "History"),
        button_data(history, "Older »"),
        button_data(older, "« Newer"),
        button_data(older, "« Back"),
    ]
    assert "secret.py" in older.text

    thief = await bot_app.registered("hist-thief@example.com")
    await thief.upload("mine.py", b"x = 1\n")
    base = await thief.say("/help")
    edits_before = len(bot_app.telegram.calls("editMessageText"))
    for data in stolen:
        await thief.chat.click_data(base, data)
        answer = await thief.chat.next_screen()
        assert (answer.kind, answer.text, answer.show_alert) == (
            "callback_answer",
            "File not found.",
            True,
        ), data
    await thief.chat.no_output(within=0.5)
    assert len(bot_app.telegram.calls("editMessageText")) == edits_before
    for output in thief.chat.outputs:
        assert "secret" not in output.text
        assert "owner-only" not in output.text
