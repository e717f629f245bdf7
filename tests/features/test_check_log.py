"""/report: a person's whole check log, newest first, with delivery marks and exports."""

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest_asyncio
from sqlalchemy import select

from bot.callbacks import ReportAction, ReportCallback
from checks.check_job import CheckJob
from checks.outbox import RetryPolicy
from checks.worker import Worker
from core.grades import grade_issues
from core.models import (
    Check,
    CheckResult,
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    File,
    FileVersion,
    TelegramAccount,
    User,
)
from core.review import Issue
from core.services.files import Uploader, delete_file, store_upload
from infra.database import SessionFactory
from infra.ruff.runner import RuffRunner
from reviewbot.runtime import open_worker
from tests.fake_telegram import BotOutput
from tests.support.app import BotApp, Person
from tests.support.pipeline import (
    DEFAULT_LIMITS,
    deliveries,
    ruff_oracle_count,
    wait_for_delivery,
)
from tests.support.presses import callback_data
from tests.support.results import PASSED, assert_result
from tests.support.smtp import code_in

FIELDS = [
    "check_id", "file", "version", "preset", "config_hash", "muted_rules", "ruff_version",
    "started_at", "finished_at",
    "result", "issue_count", "issues_truncated", "grade", "baseline_version", "accepted_count",
    "email_status", "email_sent_at", "email_attempts", "chat_status", "chat_sent_at",
    "chat_attempts",
]  # fmt: skip
ENGLISH_HEADERS = [
    "Check no.", "File name", "Version no.", "Rule preset", "Own configuration (SHA-256)",
    "Muted rules", "ruff version", "Started (UTC)",
    "Finished (UTC)", "Check result", "Issue count", "Only the first issues kept", "Grade (A–E)",
    "Baseline version", "Accepted by the baseline", "Email status",
    "Email sent (UTC)", "Email attempts", "Chat status", "Chat sent (UTC)", "Chat attempts",
]  # fmt: skip
MESSY = b"import os\nimport sys\n\n\ndef f(x):\n    if x == None:\n        return undefined\n"
CLEAN = b'"""A clean module."""\n\nVALUE = 1\n'
# Markup, an ampersand, a leading "=" (a formula to a spreadsheet) and Cyrillic.
HOSTILE = "=1+1 <b>&amp; отчёт.py"


@pytest_asyncio.fixture
async def patient_worker(bot_app: BotApp) -> AsyncIterator[Worker]:
    """The jobs beside the bot, retrying a failed delivery only after ten minutes: an email
    that failed once stays "retrying, 1 try failed" for the whole test."""
    retry = RetryPolicy(base_delay=timedelta(minutes=10))
    async with open_worker(
        bot_app.resources, bot_app.bot, retry=retry, identity="patient-worker"
    ) as running:
        yield running


# --- the database as the test reads it (not through the service under test) ---


def _second(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(UTC).replace(microsecond=0)


async def _log_rows(session_factory: SessionFactory, email: str) -> list[dict[str, Any]]:
    """The person's checks, newest first, one dict per check keyed by FIELDS (times aware)."""
    user_id = await _user_id(session_factory, email)
    async with session_factory() as session:
        found = await session.execute(
            select(Check, FileVersion.number, File.name)
            .join(FileVersion, FileVersion.id == Check.version_id)
            .join(File, File.id == FileVersion.file_id)
            .where(File.user_id == user_id)
            .order_by(Check.finished_at.desc(), Check.id.desc())
        )
        checks = list(found)
        sent = {
            (d.check_id, d.channel): d
            for d in await session.scalars(
                select(Delivery).where(Delivery.check_id.in_([c.id for c, _n, _f in checks]))
            )
        }
    rows = []
    for check, number, name in checks:
        row: dict[str, Any] = {
            "check_id": check.id,
            "file": name,
            "version": number,
            "preset": check.preset.value,
            "config_hash": check.config_hash,
            "muted_rules": " ".join(check.muted_rules) or None,
            "ruff_version": check.ruff_version,
            "started_at": _second(check.started_at),
            "finished_at": _second(check.finished_at),
            "result": check.result.value,
            "issue_count": check.issue_count,
            "issues_truncated": check.issues_truncated,
            # The grade of what it found (core/grades.py, tested in tests/teaching/).
            "grade": None
            if check.result is CheckResult.ERROR
            else grade_issues(
                [Issue.from_json(item) for item in check.issues],
                check.line_count,
                check.issue_count,
            ).grade.value,
            "baseline_version": check.baseline_version,
            "accepted_count": check.accepted_count,
        }
        for prefix, channel in (
            ("email", DeliveryChannel.EMAIL),
            ("chat", DeliveryChannel.TELEGRAM),
        ):
            delivery = sent[check.id, channel]
            row[f"{prefix}_status"] = delivery.status.value
            row[f"{prefix}_sent_at"] = _second(delivery.sent_at)
            row[f"{prefix}_attempts"] = delivery.attempts
        rows.append(row)
    return rows


async def _user_id(session_factory: SessionFactory, email: str) -> int:
    async with session_factory() as session:
        user_id = await session.scalar(select(User.id).where(User.email == email))
    assert user_id is not None
    return user_id


def _iso(value: Any) -> Any:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if isinstance(value, datetime) else value


def _csv_rows(document: bytes) -> tuple[list[str], list[list[str]]]:
    assert document.startswith(b"\xef\xbb\xbf")  # the BOM spreadsheet programs look for
    header, *rows = csv.reader(io.StringIO(document.decode("utf-8-sig"), newline=""))
    return header, rows


def _as_csv(row: dict[str, Any]) -> list[str]:
    """The JSON row as the CSV writes it: a would-be formula ("=1+1…") after an apostrophe."""
    cells = ["" if row[f] is None else str(_iso(row[f])) for f in FIELDS]
    return ["'" + cell if cell[:1] in ("=", "+", "-", "@") else cell for cell in cells]


def _xlsx_rows(document: bytes) -> tuple[list[Any], list[list[Any]]]:
    workbook = openpyxl.load_workbook(io.BytesIO(document))
    sheet = workbook.active
    assert sheet is not None
    header, *rows = [list(values) for values in sheet.iter_rows(values_only=True)]
    return header, rows


def _as_xlsx(row: dict[str, Any]) -> list[Any]:
    return [
        row[f].replace(tzinfo=None) if isinstance(row[f], datetime) else row[f] for f in FIELDS
    ]


async def _export(person: Person, screen: BotOutput, button: str) -> BotOutput:
    document = await person.click(screen, button)
    assert document.kind == "document", document.describe()
    assert document.document is not None
    return document


def _short_time(moment: datetime, reference: datetime) -> str:
    if moment.date() == reference.date():
        return moment.strftime("%H:%M")
    return moment.strftime("%Y-%m-%d %H:%M")


async def test_report_lists_three_checks_with_their_marks_and_exports_them(
    bot_app: BotApp, patient_worker: Worker, tmp_path: Path
) -> None:
    ivy = await bot_app.registered("ivy@example.com")
    messy_count = ruff_oracle_count(MESSY, tmp_path)
    await ivy.upload("messy.py", MESSY)
    assert_result(await ivy.chat.next_screen(), "messy.py", 1)
    await ivy.upload(HOSTILE, CLEAN)
    assert_result(await ivy.chat.next_screen(), HOSTILE, 1, PASSED)
    await wait_for_delivery(
        bot_app.session_factory, DeliveryChannel.EMAIL, DeliveryStatus.SENT, count=2
    )
    bot_app.smtp.down()
    try:
        await ivy.upload("later.py", b"import os\n")
        assert_result(await ivy.chat.next_screen(), "later.py", 1)
        await _wait_for_email_attempt(bot_app, check_number=3)
    finally:
        bot_app.smtp.up()
    await wait_for_delivery(
        bot_app.session_factory, DeliveryChannel.TELEGRAM, DeliveryStatus.SENT, count=3
    )

    report = await ivy.say("/report")
    rows = await _log_rows(bot_app.session_factory, ivy.email)
    assert [row["file"] for row in rows] == ["later.py", HOSTILE, "messy.py"]
    later, hostile, messy = rows
    assert report.text.startswith("Check log: 3 checks of your files, newest first.")

    def sent(row: dict[str, Any], prefix: str) -> str:
        return "sent " + _short_time(row[f"{prefix}_sent_at"], row["finished_at"])

    def head(row: dict[str, Any], number: int, result: str) -> str:
        finished = f"{row['finished_at']:%Y-%m-%d %H:%M} UTC"
        return f"{number}. {row['file']} v1 · {finished} · {result}"

    assert (
        f"{head(later, 1, '❌ 1 issue')}\n    ✉️ retrying, 1 try failed · 💬 {sent(later, 'chat')}"
    ) in report.text
    assert (
        f"{head(hostile, 2, '✅ no issues')}\n"
        f"    ✉️ {sent(hostile, 'email')} · 💬 {sent(hostile, 'chat')}"
    ) in report.text
    assert (
        f"{head(messy, 3, f'❌ {messy_count} issues')}\n"
        f"    ✉️ {sent(messy, 'email')} · 💬 {sent(messy, 'chat')}"
    ) in report.text
    assert "&lt;b&gt;&amp;amp; отчёт.py" in report.html  # escaped, shown as typed
    assert report.button_texts() == [
        "1. ❌ later.py v1",
        f"2. ✅ {HOSTILE} v1",
        "3. ❌ messy.py v1",
        "⬇️ CSV",
        "⬇️ XLSX",
        "⬇️ JSON",
    ]
    for row, button in zip(rows, report.button_texts()[:3], strict=True):
        found = report.find_button(button)
        assert found is not None
        assert (
            found.callback_data
            == ReportCallback(action=ReportAction.OPEN, check_id=row["check_id"]).pack()
        )

    csv_document = await _export(ivy, report, "⬇️ CSV")
    assert csv_document.filename is not None
    assert csv_document.filename.endswith(".csv")
    assert csv_document.document is not None
    header, csv_rows = _csv_rows(csv_document.document)
    assert header == ENGLISH_HEADERS
    assert csv_rows == [_as_csv(row) for row in rows]

    xlsx_document = await _export(ivy, report, "⬇️ XLSX")
    assert xlsx_document.document is not None
    header, xlsx_rows = _xlsx_rows(xlsx_document.document)
    assert header == ENGLISH_HEADERS
    assert xlsx_rows == [_as_xlsx(row) for row in rows]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_document.document)).active
    assert sheet is not None
    assert (sheet["B3"].value, sheet["B3"].data_type) == (HOSTILE, "s")  # text, not a formula

    json_document = await _export(ivy, report, "⬇️ JSON")
    assert json_document.document is not None
    assert json.loads(json_document.document) == [
        {field: _iso(row[field]) for field in FIELDS} for row in rows
    ]
    assert later["email_status"] == "pending"
    assert (later["email_attempts"], later["email_sent_at"]) == (1, None)

    # The entry opens that check's report (its screen is tested with the report itself).
    opened = await ivy.click(report, "1. ❌ later.py v1")
    assert opened.kind in {"edit", "message"}, opened.describe()
    assert "later.py" in opened.text


async def _wait_for_email_attempt(app: BotApp, check_number: int) -> None:
    """Until the email of the person's `check_number`-th check has failed once."""
    for _ in range(600):
        emails = (await deliveries(app.session_factory))[DeliveryChannel.EMAIL]
        if len(emails) >= check_number and emails[check_number - 1].attempts >= 1:
            assert emails[check_number - 1].status is DeliveryStatus.PENDING
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the email was not tried while SMTP was down")


async def _seed_checked_files(app: BotApp, person: Person, names: list[str]) -> None:
    """Files stored for the person as the bot stores uploads, then checked by one run of the
    check job (no delivery job runs: every delivery waits)."""
    async with app.session_factory() as session:
        account = await session.scalar(
            select(TelegramAccount).where(TelegramAccount.telegram_id == person.chat.id)
        )
        assert account is not None
        assert account.user_id is not None
        uploader = Uploader(account.user_id, account.id, person.chat.id)
        for index, name in enumerate(names):
            await store_upload(
                session, uploader, name=name, content=f"X = {index}\n".encode(),
                telegram_file_id=None, limits=DEFAULT_LIMITS,
            )  # fmt: skip
    job = CheckJob(session_factory=app.session_factory, runner=RuffRunner(), worker_id="seed")
    assert await job() == len(names)


async def test_a_long_log_pages_by_eight_and_keeps_deleted_files(bot_app: BotApp) -> None:
    kim = await bot_app.registered("kim@example.com")
    # Names as long as an upload may have, in characters Telegram counts twice: eight of them
    # would not fit in one message unless the list cuts them.
    names = [f"{index:02d}" + "😀" * 240 + ".py" for index in range(11)]
    await _seed_checked_files(bot_app, kim, names)
    async with bot_app.session_factory() as session:
        first = await session.scalar(select(File).where(File.name == names[0]))
        assert first is not None
        await delete_file(session, first.user_id, first.id, telegram_id=kim.chat.id)
    rows = await _log_rows(bot_app.session_factory, kim.email)
    assert len(rows) == 11

    page_one = await kim.say("/report")
    assert page_one.text.startswith(
        "Check log: 11 checks of your files, newest first. Page 1 of 2."
    )
    assert page_one.text.count("✉️ waiting · 💬 waiting") == 8
    entry_buttons = page_one.button_texts()[:8]
    assert [b.split(" ")[0] for b in entry_buttons] == [f"{n}." for n in range(1, 9)]
    assert [_check_id(page_one, b) for b in entry_buttons] == [r["check_id"] for r in rows[:8]]
    assert page_one.button_texts()[8:] == ["Next »", "⬇️ CSV", "⬇️ XLSX", "⬇️ JSON"]

    page_two = await kim.click(page_one, "Next »")
    assert page_two.kind == "edit"
    assert "Page 2 of 2." in page_two.text
    entry_buttons = page_two.button_texts()[:3]
    assert [_check_id(page_two, b) for b in entry_buttons] == [r["check_id"] for r in rows[8:]]
    assert page_two.button_texts()[3:] == ["« Previous", "⬇️ CSV", "⬇️ XLSX", "⬇️ JSON"]
    # The deleted file (the oldest check) is still listed, marked, and cut to fit.
    assert entry_buttons[-1].startswith("11. ✅ 00😀")
    assert f"11. 00{'😀' * 45}… 🗑 v1 · " in page_two.text

    back = await kim.click(page_two, "« Previous")
    assert back.text == page_one.text

    csv_document = await _export(kim, page_two, "⬇️ CSV")
    assert csv_document.document is not None
    _header, csv_rows = _csv_rows(csv_document.document)
    assert [row[1] for row in csv_rows] == [row["file"] for row in rows]  # names whole


async def _registered_in_russian(app: BotApp, email: str) -> Person:
    person = app.person(email, language_code="ru")
    await person.say("/start")
    await person.say(email)
    code = code_in(await app.smtp.wait_for(email))
    assert "подтверждён" in (await person.say(code)).text
    return person


def _check_id(screen: BotOutput, button: str) -> int:
    found = screen.find_button(button)
    assert found is not None
    assert found.callback_data is not None
    return ReportCallback.unpack(found.callback_data).check_id


async def test_an_empty_log_says_how_to_start(bot_app: BotApp) -> None:
    new = await bot_app.registered("new@example.com")
    empty = await new.say("/report")
    assert empty.text.startswith("Check log: no checks yet.")
    assert "Send me a .py file as a document" in empty.text
    assert empty.buttons == []

    russian = await _registered_in_russian(bot_app, "novyi@example.com")
    empty = await russian.say("/report")
    assert "Send me" not in empty.text
    assert ".py" in empty.text


async def test_replayed_log_buttons_show_only_the_callers_own_log(bot_app: BotApp) -> None:
    owner = await bot_app.registered("owner-log@example.com")
    await _seed_checked_files(bot_app, owner, [f"secret{index}.py" for index in range(9)])
    page_one = await owner.say("/report")
    page_two = await owner.click(page_one, "Next »")
    stolen = callback_data(page_one, page_two)
    assert len(stolen) == 9 + 2 + 3  # nine reports, two pages, three exports

    thief = await _registered_in_russian(bot_app, "thief-log@example.com")
    seen = [output for data in stolen for output in await _replay(thief, data)]
    # Nothing to show or export yet: the thief's own empty log, or an alert.
    assert not [output for output in seen if output.document is not None]
    await _seed_checked_files(bot_app, thief, ["мой <b>&.py"])
    after = [output for data in stolen for output in await _replay(thief, data)]
    pages = [output for output in after if output.kind == "edit"]
    assert len(pages) >= 2  # both page buttons: the thief's own one-entry log
    assert all("1. мой <b>&.py v1" in page.text for page in pages), pages
    seen += after
    documents: dict[str, bytes] = {}
    for output in seen:
        assert "secret" not in output.text, output.describe()
        if output.document is not None:
            documents[Path(output.filename or "").suffix] = output.document
    assert set(documents) == {".csv", ".xlsx", ".json"}
    header, csv_rows = _csv_rows(documents[".csv"])
    assert header[1] == "Имя файла"  # Russian headers for a Russian person
    assert [row[1] for row in csv_rows] == ["мой <b>&.py"]
    header, xlsx_rows = _xlsx_rows(documents[".xlsx"])
    assert header[1] == "Имя файла"
    assert [row[1] for row in xlsx_rows] == ["мой <b>&.py"]
    assert [row["file"] for row in json.loads(documents[".json"])] == ["мой <b>&.py"]


async def _replay(person: Person, data: str) -> list[BotOutput]:
    """Press `data` on a fresh message of the person's own: the answer, and what followed it
    (an edit or a document) when the answer was silent."""
    base = await person.say("/help")
    await person.chat.click_data(base, data)
    answer = await person.chat.next_output()
    assert answer.kind == "callback_answer", answer.describe()
    if answer.text:
        return [answer]
    return [answer, await person.chat.next_output()]
