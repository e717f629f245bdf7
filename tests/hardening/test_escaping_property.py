"""User text is always escaped: random file names, rule messages, source lines and addresses
go through every message and email template. Telegram's HTML parser (the fake server's, as
strict as Telegram) accepts every message, each fits, and the text shown holds the name as
stored; every email parses (the `email` package) with the name intact in its subject and
bodies, and the address intact in To; the exports read back the name."""

import csv
import email
import email.policy
import io
import json
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import openpyxl
import pytest
from aiosmtplib.email import extract_recipients, flatten_message
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from bot.app import Catalogues
from bot.features.auth import texts as auth_texts
from bot.features.check_log import texts as check_log_texts
from bot.features.files import texts as file_texts
from bot.features.files.keyboards import build_file_list_kb
from bot.features.fixes import texts as fix_texts
from bot.features.history import texts as history_texts
from bot.features.reports import texts as report_texts
from bot.features.reports.pages import report_page
from bot.features.uploads import texts as upload_texts
from core.diffs import IssueDiff
from core.errors import EmailProblem, InvalidEmailError, UploadRefusedError
from core.exports import FORMULA_STARTS, log_csv, log_json, log_xlsx
from core.i18n import load_translations
from core.models import CheckResult, DeliveryChannel, DeliveryStatus, FileStatus, RulePreset
from core.report_document import render_report_document
from core.review import Issue
from core.rule_cards import issue_text
from core.services.check_log import CheckLogPage, LogDelivery, LogEntry
from core.services.files import FileCard, FilePage, FileSummary
from core.services.fixes import FixOutcome, FixPreview, unified_diff
from core.services.history import FileHistory, VersionDiff, VersionEntry
from core.services.registration import normalize_email
from core.services.reports import CheckReport, CheckSummary, DeliveryMark, OwnedCheck
from core.services.uploads import check_document
from infra.mail.emails import EmailTemplates
from tests.fake_telegram.formatting import check_caption, check_text, render
from tests.support.html_text import html_text
from tests.support.smtp import body_part

TRANSLATIONS = load_translations()
I18N = Catalogues(TRANSLATIONS)
TEMPLATES = EmailTemplates(sender="reviewbot@example.com", translations=TRANSLATIONS)
WHEN = datetime(2026, 1, 31, 9, 5, tzinfo=UTC)
MAX_BYTES = 1_048_576

# Pieces a hostile name is likely made of, mixed with any character at all.
HOSTILE_PIECES = [
    "<b>", "</b>", "<i>", "&amp;", "&lt;", "&", "<", ">", '"', "'", "/", "\\", "../", "\n",
    "\r", "\t", "\x00", "\x1b[31m", "\u202e", "\u2066", "\u200b", "\u200d", "\u2028", "\ufeff",
    "=?utf-8?q?x?=", "=?", "?=", "🐍", "👨‍👩‍👧", "файл", "עברית", "𐐀", "  ", "\xa0", ";", ":",
    ",", "(", ")", "@", "=HYPERLINK(", " ", "x" * 40,
]  # fmt: skip
any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
hostile_text = st.lists(st.one_of(st.sampled_from(HOSTILE_PIECES), any_text), max_size=8).map(
    "".join
)
raw_names = st.builds(
    lambda stem, suffix: stem + suffix, hostile_text, st.sampled_from([".py", ".PY", ".py ", ""])
)
messages = hostile_text.map(lambda text: text[:300])
source_lines = hostile_text


def _stored_name(raw: str) -> str | None:
    """The name the bot stores for this document name, or None when it refuses it."""
    try:
        return check_document(raw, 10, MAX_BYTES)
    except UploadRefusedError:
        return None


@contextmanager
def _locale(locale: str) -> Iterator[None]:
    with I18N.context(), I18N.use_locale(locale):
        yield


def _shown(html: str, *, caption: bool = False) -> str:
    """What Telegram shows for this message HTML; fails where Telegram would refuse it."""
    plain = render(html, "HTML", None, known_user=lambda _id: None).text
    if caption:
        check_caption(plain)
    else:
        check_text(plain)
    return plain


def _issues(messages_: list[str]) -> list[Issue]:
    return [
        Issue(
            code=("F401", "E501", "syntax-error")[n % 3],
            message=message,
            line=n + 1,
            column=1,
            end_line=n + 1,
            end_column=2,
            fixable=n % 2 == 0,
            url="https://docs.astral.sh/ruff/rules/unused-import/" if n % 3 == 0 else None,
        )
        for n, message in enumerate(messages_)
    ]


def _report(name: str, issues: list[Issue], *, diff: bool) -> CheckReport:
    mark = DeliveryMark(  # a chat mark shows Telegram's error as it came (a mail's: plainly)
        channel=DeliveryChannel.TELEGRAM,
        status=DeliveryStatus.PENDING,
        attempts=1,
        sent_at=None,
        last_error=issues[0].message if issues else None,
    )
    return CheckReport(
        check_id=7,
        file_id=3,
        file_name=name,
        version=2 if diff else 1,
        preset=RulePreset.DEFAULT,
        config_hash=None,
        muted_rules=(),
        ruff_version="0.17.6",
        result=CheckResult.FAILED if issues else CheckResult.PASSED,
        issues=issues,
        error=None,
        finished_at=WHEN,
        deliveries={DeliveryChannel.TELEGRAM: mark},
        diff=VersionDiff(1, IssueDiff(tuple(issues[:1]), tuple(issues[1:]), ())) if diff else None,
    )


def _log_entry(name: str) -> LogEntry:
    delivery = LogDelivery(status=DeliveryStatus.SENT, attempts=1, sent_at=WHEN, failing=False)
    return LogEntry(
        check_id=7,
        file_name=name,
        file_deleted=False,
        version=1,
        preset=RulePreset.DEFAULT,
        config_hash=None,
        muted_rules=(),
        ruff_version="0.17.6",
        started_at=WHEN,
        finished_at=WHEN,
        result=CheckResult.FAILED,
        issue_count=1,
        email=delivery,
        chat=delivery,
    )


def _chat_screens(name: str, report: CheckReport, lines: list[str]) -> list[tuple[str, str]]:
    """(message HTML, the name as it must appear in what is shown) for every screen."""
    summary = FileSummary(id=3, name=name, version=1, status=FileStatus.CHECKED)
    card = FileCard(id=3, name=name, version=1, size=10, uploaded_at=WHEN, status=FileStatus.NEW)
    last = CheckSummary(
        7, 1, CheckResult.ERROR, 0, report.issues[0].message if report.issues else None
    )
    owned = OwnedCheck(report=report, file_active=True, lines=tuple(lines))
    entry = VersionEntry(1, 10, WHEN, False, 7, report.result, report.issue_count, report.diff)
    history = FileHistory(file_id=3, name=name, entries=[entry], page=0, pages=1, total=1)
    log = CheckLogPage(entries=[_log_entry(name)], page=0, pages=1, total=1)
    original = ("\n".join(lines) + "\n").encode()
    preview = FixPreview(
        check_id=7,
        file_id=3,
        file_name=name,
        version=1,
        unsafe=False,
        original=original,
        outcome=FixOutcome(b"x = 1\n", 2, report.issues, 1, True),
        current_version=1,
        diff=unified_diff(name, original, b"x = 1\n"),
    )
    most = check_log_texts.MAX_LISTED_NAME  # the log lists long names cut
    listed = name if len(name) <= most else name[: most - 1] + "…"
    return [
        (upload_texts.stored(name, 1, replaced=False), name),
        (upload_texts.stored(name, 2, replaced=True), name),
        (file_texts.replace_prompt(name), name),
        (file_texts.delete_confirm(name), name),
        (file_texts.deleted(name), name),
        (file_texts.report_pending(name, 1), name),
        (file_texts.file_list(FilePage([summary], 0, 1, 1)), ""),
        (file_texts.file_card(card, last), name),
        (report_texts.check_result_message(report), name),
        (report_page(owned, {}, 0).text, name),
        (report_page(owned, {}, 99).text, name),
        (history_texts.history_screen(history), name),
        (check_log_texts.check_log_screen(log), listed),
        (fix_texts.preview_text(preview)[0], name),
    ]


def _captions(name: str, report: CheckReport) -> list[str]:
    return [
        file_texts.download_caption(name, 1),
        report_texts.document_caption(report),
    ]


def _parsed(message: EmailMessage) -> EmailMessage:
    """The message as a mail program reads it after SMTP: sent to the address its To header
    gives, flattened as aiosmtplib does (SMTPUTF8 for an address beyond ASCII), then parsed."""
    recipients = extract_recipients(message)
    utf8 = not all(recipient.isascii() for recipient in recipients)
    raw = flatten_message(message, utf8=utf8)
    parsed = (  # an SMTPUTF8 message has UTF-8 in its headers, as its reader knows
        email.message_from_string(raw.decode("utf-8"), policy=email.policy.default)
        if utf8
        else email.message_from_bytes(raw, policy=email.policy.default)
    )
    assert isinstance(parsed, EmailMessage)
    assert not parsed.defects, parsed.defects
    assert extract_recipients(parsed) == recipients
    return parsed


def _lines(text: str) -> str:
    """Text with its line breaks as a mail body has them (every kind of break becomes one)."""
    return "\n".join(text.splitlines())


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    raw_name=raw_names,
    rule_messages=st.lists(messages, min_size=1, max_size=4),
    lines=st.lists(source_lines, min_size=1, max_size=4),
    locale=st.sampled_from(["en", "ru"]),
)
@example(
    raw_name="=?utf-8?q?forged?= <b>&amp;</b>\u202e\u2028.py",
    rule_messages=["<b>&</b> \x00 \u202e"],
    lines=["x = '<i>&lt;'\x0c\u202e"],
    locale="en",
)
def test_every_template_shows_random_names_and_messages_literally(
    raw_name: str, rule_messages: list[str], lines: list[str], locale: str
) -> None:
    name = _stored_name(raw_name)
    assume(name is not None)  # a name the upload refuses shows nowhere
    assert name is not None
    assert name == name.strip()
    assert not any(unicodedata.category(c).startswith("C") for c in name)
    assert "/" not in name
    assert "\\" not in name
    assert 3 < len(name) <= 255
    issues = _issues(rule_messages)
    with _locale(locale):
        for diff in (False, True):
            report = _report(name, issues, diff=diff)
            for html, expected in _chat_screens(name, report, lines):
                assert expected in _shown(html), (html, expected)
            for caption in _captions(name, report):
                _shown(caption, caption=True)
        file_list = build_file_list_kb(
            FilePage([FileSummary(3, name, 1, FileStatus.CHECKED)], 0, 1, 1)
        )
        assert file_list.inline_keyboard[0][0].text.startswith(name)

    report = _report(name, issues, diff=False)
    mail = _parsed(TEMPLATES.check_report(locale=locale, recipient="a@example.com", report=report))
    assert name in str(mail["Subject"])
    assert name in body_part(mail, "plain")
    shown = html_text(body_part(mail, "html"))
    assert name in shown
    for issue in issues:  # as the person's language shows it (a rule card's reason, names)
        message = issue_text(locale, issue.code, issue.message)
        assert _lines(message) in _lines(body_part(mail, "plain"))
        assert _lines(message) in _lines(shown)

    environment = TEMPLATES.environment(locale)
    owned = OwnedCheck(report=report, file_active=True, lines=tuple(lines))
    document = render_report_document(environment, locale, owned, {}).decode()
    assert name in html_text(document)

    entries = [_log_entry(name)]
    _header, row = csv.reader(
        io.StringIO(log_csv(entries, HEADERS).decode("utf-8-sig"), newline="")
    )
    # A name a spreadsheet would run as a formula is written after an apostrophe (#18).
    assert row[1] == (f"'{name}" if name.startswith(FORMULA_STARTS) else name)
    assert json.loads(log_json(entries))[0]["file"] == name
    sheet = openpyxl.load_workbook(io.BytesIO(log_xlsx(entries, HEADERS, "log"))).active
    assert sheet is not None
    assert sheet["B2"].value == name


HEADERS = {field: field for field in ("check_id", "file", "version", "preset", "config_hash",
    "muted_rules", "ruff_version", "started_at", "finished_at", "result", "issue_count",
    "issues_truncated", "grade", "baseline_version", "accepted_count", "email_status",
    "email_sent_at", "email_attempts", "chat_status", "chat_sent_at",
    "chat_attempts")}  # fmt: skip

# Addresses of many shapes; those the registration accepts (in the form it stores) are used.
local_parts = st.one_of(
    st.from_regex(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,30}", fullmatch=True),
    st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=12),
)
domains = st.one_of(
    st.from_regex(r"([a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?\.){1,3}[a-z]{2,6}", fullmatch=True),
    st.sampled_from(["пример.рф", "例え.jp", "bücher.example"]),
)


def _registered_address(local: str, domain: str) -> str | None:
    try:
        return normalize_email(f"{local}@{domain}")
    except InvalidEmailError:
        return None


addresses = st.builds(_registered_address, local_parts, domains).filter(bool)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(address=addresses, locale=st.sampled_from(["en", "ru"]))
@example(address="o'hara&co@example.com", locale="en")
@example(address="тест@пример.рф", locale="ru")
def test_every_address_is_shown_literally_and_mailed_to_intact(address: str, locale: str) -> None:
    with _locale(locale):
        for html in (
            auth_texts.code_sent(address, 10),
            auth_texts.registered(address),
            auth_texts.welcome_back(address),
            auth_texts.logged_in(address),
            auth_texts.logged_out(address),
        ):
            assert address in _shown(html)
    confirmation = TEMPLATES.confirmation(locale).build(
        recipient=address, code="123456", lifetime=timedelta(minutes=10)
    )
    assert extract_recipients(confirmation) == [address]  # where SMTP sends it
    assert _parsed(confirmation)["To"].addresses[0].addr_spec == address
    report = _report("a.py", _issues(["m"]), diff=False)
    result = _parsed(TEMPLATES.check_report(locale=locale, recipient=address, report=report))
    assert result["To"].addresses[0].addr_spec == address


def test_an_address_that_reads_as_an_encoded_word_is_refused() -> None:
    """Mail programs would decode `=?utf-8?q?x?=@example.com` to x@example.com."""
    with pytest.raises(InvalidEmailError) as refused:
        normalize_email("=?utf-8?q?x?=@example.com")
    assert refused.value.problem is EmailProblem.LOCAL_PART_CHARACTERS


@pytest.mark.parametrize("raw", ["\ud800evil.py", "a\udfff\u202e.py"])
def test_a_name_with_lone_surrogates_loses_them(raw: str) -> None:
    """JSON may carry lone surrogates; no database or message could hold them."""
    name = _stored_name(raw)
    assert name is not None
    assert name.encode("utf-8")
