"""The report in the Mini App (`/checks/{id}`): its JSON, the source listing a person reads with
each issue under its line (ruff's own JSON as the oracle), the parts of a long file, the rule
filter, the rule explanations, and the email link's page (`/r/{token}`) in any browser."""

import re
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from bot.features.reports.rule_cards import inline
from checks.worker import Worker
from core.models import (
    Check,
    CheckResult,
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    User,
    utcnow,
)
from core.report_links import link_key
from core.rule_cards import rule_card
from core.services.privacy import forget_user
from core.services.report_links import report_link
from tests.support.app import Person
from tests.support.html_text import html_text
from tests.support.people import seeded
from tests.support.reports import many_issues, read_html, ruff_diagnostics
from tests.support.webapp import MiniApp

# A small module with issues of several rules, some lines with markup in comments.
PER_RULE = {"PLR0133": 2, "F841": 3, "B006": 2, "PLE2502": 2, "C408": 2, "F632": 1}
INVALID = "This link is not valid (changed, expired, or the report was deleted)."
_LINE = re.compile(r'<li id="L(\d+)" data-line="\1"')
_ISSUE = re.compile(r'<li class="issue" data-code="([^"]+)" data-column="(\d+)">')

Position = tuple[int, int, str]


async def checked(mini_app: MiniApp, person: Person, name: str, content: bytes) -> int:
    """Upload `content` as `name` in chat; once its result has arrived, the check's id."""
    await person.upload(name, content)
    await person.chat.next_screen()
    files = (await mini_app.api("/files", person)).json()["items"]
    file_id = next(item["id"] for item in files if item["name"] == name)
    card = (await mini_app.api(f"/files/{file_id}", person)).json()
    check_id: int = card["last_check"]["check_id"]
    return check_id


def oracle(content: bytes, folder: Path) -> list[Position]:
    return sorted(
        (d["location"]["row"], d["location"]["column"], d["code"])
        for d in ruff_diagnostics(content, folder)
    )


def listed_issues(html: str) -> list[Position]:
    """Each issue of a listing with the number of the line it is shown under."""
    found = []
    for chunk in html.split('<li id="L')[1:]:
        line = int(chunk.split('"', 1)[0])
        found += [(line, int(column), code) for code, column in _ISSUE.findall(chunk)]
    return sorted(found)


def listed_lines(html: str) -> list[int]:
    return [int(number) for number in _LINE.findall(html)]


async def test_every_issue_is_shown_under_its_line_as_ruff_reports_it(
    mini_app: MiniApp, worker: Worker, tmp_path: Path
) -> None:
    source = many_issues(PER_RULE)
    expected = oracle(source, tmp_path)
    assert len(expected) >= 10
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    check_id = await checked(mini_app, ann, "many.py", source)

    data = (await mini_app.api(f"/checks/{check_id}", ann)).json()
    fragment = await mini_app.part(f"/checks/{check_id}", ann)

    assert data["file_name"] == "many.py"
    assert data["version"] == 1
    assert data["result"] == "failed"
    assert data["issue_count"] == len(expected)
    assert sorted((i["line"], i["column"], i["code"]) for i in data["issues"]) == expected
    assert {r["code"]: r["count"] for r in data["rules"]} == Counter(c for _, _, c in expected)
    assert "lines" not in data  # the source is the listing's (HTML), not the JSON's
    assert [d["channel"] for d in data["deliveries"]] == ["email", "telegram"]
    assert fragment.status == 200
    assert listed_issues(fragment.text) == expected
    lines = source.decode().splitlines()
    assert listed_lines(fragment.text) == list(range(1, len(lines) + 1))
    assert read_html(fragment.text.encode()).tags["h1"] == 1  # tags balance
    text = html_text(fragment.text)
    assert "Report for many.py, version 1" in text
    assert f"❌ {len(expected)} issues" in text
    assert "<b>&amp; 𐐀</b>" in text  # the hostile comment, as text
    assert "<b>&amp;" not in fragment.text
    assert "\u202e" not in text  # the bidi override made visible
    # the line of 9,000 characters scrolls in a box of its own, reachable by keyboard
    long_line = '<span class="ln">2</span><code class="src long" tabindex="0">'
    assert long_line in fragment.text
    assert 'href="/app/explain/F841"' in fragment.text
    fixable = any(i["fixable"] for i in data["issues"])
    assert (f'href="/app/checks/{check_id}/fix"' in fragment.text) == fixable
    assert f'href="/app/files/{data["file_id"]}/history"' in fragment.text


async def test_another_persons_check_shows_nothing_of_it(
    mini_app: MiniApp, worker: Worker
) -> None:
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    bob = await seeded(mini_app.bot_app, "bob@example.com")
    check_id = await checked(mini_app, ann, "secret_plan.py", b"import os\n")

    for suffix in [
        f"/api/checks/{check_id}",
        f"/part/checks/{check_id}",
        f"/part/checks/{check_id}?from=1",
        f"/api/checks/{check_id}?rule=F401",
        "/part/checks/abc",
        "/api/checks/99999999999",
    ]:
        answer = await mini_app.get(suffix, bob)
        assert answer.status == 404, suffix
        assert "secret_plan" not in answer.text
        assert "import os" not in answer.text
    for suffix in [f"/api/checks/{check_id}", f"/part/checks/{check_id}"]:
        anonymous = await mini_app.get(suffix)
        assert anonymous.status == 401
        assert "secret_plan" not in anonymous.text
    assert (await mini_app.api(f"/checks/{check_id}", ann)).status == 200


async def test_markup_in_a_name_a_message_and_the_source_is_text(
    mini_app: MiniApp, worker: Worker
) -> None:
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    source = b'v = "{<b>}".format(1)\nimport os  # <script>alert(1)</script>\n'
    check_id = await checked(mini_app, ann, "<b>x&amp;.py", source)

    fragment = await mini_app.part(f"/checks/{check_id}", ann)
    data = (await mini_app.api(f"/checks/{check_id}", ann)).json()

    assert data["file_name"] == "<b>x&amp;.py"
    assert "<b>x" not in fragment.text
    assert "&lt;b&gt;x&amp;amp;.py" in fragment.text
    assert "<script>" not in fragment.text
    text = html_text(fragment.text)
    assert "Report for <b>x&amp;.py, version 1" in text
    assert "missing argument(s) for placeholder(s): <b>" in text
    assert "import os  # <script>alert(1)</script>" in text


async def test_a_long_file_comes_in_parts_the_first_one_short(
    mini_app: MiniApp, worker: Worker, tmp_path: Path
) -> None:
    source = "".join(
        f"import m{n}\n" if n % 50 == 0 else f"v{n} = {n}\n" for n in range(1, 701)
    ).encode()
    expected = oracle(source, tmp_path)
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    check_id = await checked(mini_app, ann, "long.py", source)

    first = await mini_app.part(f"/checks/{check_id}", ann)
    second = await mini_app.part(f"/checks/{check_id}?from=101", ann)
    third = await mini_app.part(f"/checks/{check_id}?from=401", ann)

    assert listed_lines(first.text) == list(range(1, 101))
    assert f'href="/app/checks/{check_id}?from=101"' in first.text
    assert 'data-more-into="code-lines"' in first.text
    assert listed_lines(second.text) == list(range(101, 401))
    assert "data-part" in second.text
    assert f'href="/app/checks/{check_id}?from=401"' in second.text
    assert listed_lines(third.text) == list(range(401, 701))
    assert "data-more" not in third.text
    parts = listed_issues(first.text) + listed_issues(second.text) + listed_issues(third.text)
    assert parts == expected
    assert len(first.text) < 30_000


async def test_the_rule_filter_shows_its_issues_with_the_lines_around_them(
    mini_app: MiniApp, worker: Worker, tmp_path: Path
) -> None:
    special = {10: "import os\n", 20: "def f():\n    unused = 5\n", 40: "import sys\n"}
    source = "".join(special.get(n, "v = 1\n") for n in range(1, 51)).encode()
    expected = oracle(source, tmp_path)
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    check_id = await checked(mini_app, ann, "mixed.py", source)

    only = await mini_app.part(f"/checks/{check_id}?rule=F401", ann)
    data = (await mini_app.api(f"/checks/{check_id}?rule=F401", ann)).json()

    f401 = [position for position in expected if position[2] == "F401"]
    assert [(line, column, code) for line, column, code in listed_issues(only.text)] == f401
    assert listed_lines(only.text) == [8, 9, 10, 11, 12, 39, 40, 41, 42, 43]
    assert only.text.count('class="gap"') == 3  # before, between and after
    assert [i["code"] for i in data["issues"]] == ["F401", "F401"]
    assert {r["code"] for r in data["rules"]} == {c for _, _, c in expected}  # all rules
    assert "Show every rule" in only.text


async def test_a_rule_explanation_is_ruffs_text_escaped(mini_app: MiniApp, worker: Worker) -> None:
    ann = await seeded(mini_app.bot_app, "ann@example.com")

    page = await mini_app.part("/explain/F841", ann)
    data = (await mini_app.api("/explain/F841", ann)).json()
    unknown = await mini_app.part("/explain/XYZ999", ann)
    syntax = await mini_app.part("/explain/syntax-error", ann)

    assert page.status == 200
    assert data["name"] == "unused-variable"
    text = html_text(page.text)
    assert "F841 unused-variable (Pyflakes)" in text
    assert "What it does" in text
    assert '<pre class="code"><code><span class="k">def</span>' in page.text
    assert read_html(page.text.encode()).tags["h1"] == 1
    assert 'href="https://docs.astral.sh/ruff/rules/unused-variable/"' in page.text
    assert unknown.status == 404
    assert "Nothing here" in unknown.text
    assert syntax.status == 200
    assert "Not a ruff rule" in syntax.text
    assert (await mini_app.part("/explain/F841")).status == 401


async def _link(mini_app: MiniApp, check_id: int, *, days_ago: int = 0) -> str:
    settings = mini_app.bot_app.settings
    key = link_key(settings.report_link_secret.get_secret_value(), mini_app.token)
    async with mini_app.bot_app.session_factory() as session:
        return await report_link(
            session, key, check_id, now=utcnow() - timedelta(days=days_ago), days=7
        )


async def test_the_email_link_shows_the_report_in_any_browser(
    mini_app: MiniApp, worker: Worker, tmp_path: Path
) -> None:
    source = many_issues(PER_RULE)
    expected = oracle(source, tmp_path)
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    check_id = await checked(mini_app, ann, "<i>linked.py", source)
    token = await _link(mini_app, check_id)

    page = await mini_app.get(f"/r/{token}")  # no launch data
    russian = await mini_app.get(f"/r/{token}", headers={"Accept-Language": "ru-RU,ru;q=0.9"})

    assert page.status == 200
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.text.startswith("<!doctype html>")
    assert listed_issues(page.text) == expected
    text = html_text(page.text)
    assert "Report for <i>linked.py, version 1" in text
    assert "<i>linked" not in page.text
    assert "/app/checks/" not in page.text  # no Fix, no History, no app links
    assert "/app/explain/" not in page.text
    assert "<script" not in page.text
    assert 'href="https://docs.astral.sh/ruff/rules/' in page.text
    assert russian.status == 200
    assert "Отчёт" in html_text(russian.text)
    assert russian.headers["Content-Language"] == "ru"


async def test_a_changed_expired_or_forgotten_link_shows_nothing(
    mini_app: MiniApp, worker: Worker
) -> None:
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    check_id = await checked(mini_app, ann, "secret_plan.py", b"import os\n")
    token = await _link(mini_app, check_id)
    changed = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    expired = await _link(mini_app, check_id, days_ago=8)

    for bad in [changed, expired, "nonsense", "x" * 500]:
        answer = await mini_app.get(f"/r/{bad}")
        assert answer.status == 404, bad
        assert INVALID in answer.text
        assert "secret_plan" not in answer.text
        assert answer.headers["X-Frame-Options"] == "DENY"
    assert (await mini_app.get(f"/r/{token}")).status == 200

    async with mini_app.bot_app.session_factory() as session:
        user_id = await session.scalar(select(User.id).where(User.email == "ann@example.com"))
        assert user_id is not None
        await forget_user(session, user_id)
        await session.commit()
    forgotten = await mini_app.get(f"/r/{token}")
    assert forgotten.status == 404
    assert INVALID in forgotten.text
    assert "secret_plan" not in forgotten.text


async def test_the_email_links_parts_are_plain_links(mini_app: MiniApp, worker: Worker) -> None:
    source = "".join(f"v{n} = {n}\n" for n in range(1, 351)).encode() + b"import os\n"
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    check_id = await checked(mini_app, ann, "long.py", source)
    token = await _link(mini_app, check_id)

    first = await mini_app.get(f"/r/{token}")
    rest = await mini_app.get(f"/r/{token}?from=101")

    assert listed_lines(first.text) == list(range(1, 101))
    assert f'href="/app/r/{token}?from=101"' in first.text
    assert listed_lines(rest.text) == list(range(101, 352))
    assert "from=" not in rest.text.replace(f'/r/{token}"', "")  # the last part: no next
    assert listed_issues(rest.text) == [(351, 8, "F401")]


async def test_a_check_that_could_not_run_and_a_refused_email_say_why(
    mini_app: MiniApp, worker: Worker
) -> None:
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    check_id = await checked(mini_app, ann, "app.py", b"import os\n")
    async with mini_app.bot_app.session_factory() as session:
        await session.execute(
            update(Check)
            .where(Check.id == check_id)
            .values(
                result=CheckResult.ERROR,
                issues=[],
                issue_count=0,
                error="ruff: internal error <panic>",
            )
        )
        await session.execute(
            update(Delivery)
            .where(Delivery.check_id == check_id, Delivery.channel == DeliveryChannel.EMAIL)
            .values(
                status=DeliveryStatus.FAILED,
                sent_at=None,
                last_error="550 5.1.1 <ann@example.com>: Recipient address rejected (mx.internal)",
            )
        )
        await session.commit()

    fragment = await mini_app.part(f"/checks/{check_id}", ann)
    data = (await mini_app.api(f"/checks/{check_id}", ann)).json()

    text = html_text(fragment.text)
    assert "The check could not run." in text
    assert "ruff: internal error <panic>" in text
    assert "<panic>" not in fragment.text
    assert "Email: failed: the message could not be sent" in text
    assert "mx.internal" not in fragment.text  # the server's answer is for admins
    assert "Chat: sent" in text
    assert data["result"] == "error"
    assert data["issues"] == []
    assert data["deliveries"][0]["reason"] == "the message could not be sent"
    assert "/fix" not in fragment.text


async def test_a_check_with_more_issues_than_kept_says_so(
    mini_app: MiniApp, worker: Worker
) -> None:
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    check_id = await checked(mini_app, ann, "app.py", b"import os\nimport sys\n")
    async with mini_app.bot_app.session_factory() as session:
        await session.execute(
            update(Check)
            .where(Check.id == check_id)
            .values(issue_count=12_000, issues_truncated=True)
        )
        await session.commit()

    text = html_text((await mini_app.part(f"/checks/{check_id}", ann)).text)
    data = (await mini_app.api(f"/checks/{check_id}", ann)).json()

    assert "Showing the first 2 of 12000 issues." in text
    assert data["issue_count"] == 12_000
    assert data["issues_truncated"] is True
    assert len(data["issues"]) == 2


async def test_the_report_of_a_deleted_file_stays_readable_without_its_actions(
    mini_app: MiniApp, worker: Worker
) -> None:
    ann = await seeded(mini_app.bot_app, "ann@example.com")
    check_id = await checked(mini_app, ann, "gone.py", b"import os\n")
    file_id = (await mini_app.api(f"/checks/{check_id}", ann)).json()["file_id"]
    assert (await mini_app.request("DELETE", f"/api/files/{file_id}", ann)).status == 200

    fragment = await mini_app.part(f"/checks/{check_id}", ann)

    assert fragment.status == 200
    assert "Report for gone.py, version 1" in html_text(fragment.text)
    assert f"/files/{file_id}" not in fragment.text  # no card, no History
    assert "/fix" not in fragment.text
    assert listed_issues(fragment.text) == [(1, 8, "F401")]


async def test_a_rule_explanation_is_the_russian_card_for_a_russian_speaker(
    mini_app: MiniApp, worker: Worker
) -> None:
    ola = await seeded(mini_app.bot_app, "ola@example.com", language_code="ru")
    card = rule_card("ru", "F841")
    assert card is not None

    page = await mini_app.part("/explain/F841", ola)
    untranslated = await mini_app.part("/explain/F901", ola)

    text = html_text(page.text)
    for heading in ("Что находит", "Почему это важно", "Как исправить", "Плохо", "Хорошо"):
        assert f"<h2>{heading}</h2>" in page.text
    assert html_text(inline(card.why)) in text
    # Both examples highlighted; ruff's English text folded under them.
    assert page.text.count('<pre class="code example-') == 2
    assert "<summary>Что говорит о нём ruff (по-английски):</summary>" in page.text
    assert read_html(page.text.encode()).tags["h1"] == 1
    assert "Эта карточка ещё не переведена" in html_text(untranslated.text)
    assert "What it does" in html_text(untranslated.text)
