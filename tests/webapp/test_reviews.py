"""Review by people in the Mini App (`/reviews`, `/reviews/{id}`), through the JSON API and the
HTML fragments a person's Telegram loads, on both stacks: who sees a submission (its member and
the team's reviewers, nobody else), comments landing at their lines, bad input answered with
the chat's words, and the steps offered and allowed where the core allows them. The teams and
the submission are seeded with the core services (the chat's screens are tested elsewhere)."""

import asyncio
import re
from collections.abc import AsyncGenerator
from typing import Any

from sqlalchemy import delete, select

from bot.shared import error_texts
from core.errors import DomainError
from core.team_errors import (
    CommentLinesError,
    CommentRefusedError,
    OwnSubmissionError,
    SubmissionStatusError,
)
from core.team_models import (
    CommentState,
    ReviewComment,
    ReviewNotice,
    SubmissionStatus,
    TeamMember,
)
from reviewbot.telegram_side import webapp_deps
from tests.support.app import Person
from tests.support.html_text import html_text
from tests.support.reviews import FILE_NAME, TEAM_NAME, V3, a_submission, comment, resubmit
from tests.support.webapp import MiniApp
from webapp.build import build_webapp

STEP_NAMES = {
    "take": "take",
    "approve": "approve",
    "changes": "request_changes",
    "withdraw": "withdraw",
    "comment": "comment",
}
SECRETS = (FILE_NAME, "homework_7", "Evening", "Max Member", "value_3", "look here")


def chat_text(mini_app: MiniApp, error: DomainError) -> str:
    """What the chat answers to `error`, in English."""
    deps = webapp_deps(mini_app.bot_app.runtime, mini_app.bot_app.resources)
    with deps.i18n.context(), deps.i18n.use_locale("en"):
        return error_texts.error_text(error)


def comments_by_line(html: str) -> dict[int, list[str]]:
    """The text of each comment shown under a line of the listing, by the line's number."""
    found: dict[int, list[str]] = {}
    listing = html.split('id="code-lines"', 1)[1].split("</ol>", 1)[0]
    for chunk in listing.split('<li id="L')[1:]:
        line = int(chunk.split('"', 1)[0])
        bodies = re.findall(r'<p class="comment-body">(.*?)</p>', chunk, re.S)
        if bodies:
            found[line] = [html_text(body) for body in bodies]
    return found


async def post(
    mini_app: MiniApp, person: Person, suffix: str, body: object = None
) -> dict[str, Any]:
    """POST to an action; its status and its JSON answer in one dict."""
    answer = await mini_app.request("POST", "/api" + suffix, person, json=body or {})
    return {**(answer.json() if answer.text.startswith("{") else {}), "http": answer.status}


async def test_the_member_and_a_reviewer_see_the_code_with_each_comment_at_its_line(
    mini_app: MiniApp,
) -> None:
    cast = await a_submission(mini_app)
    await comment(mini_app, cast, 3, "look here: <b>bold</b>")
    await comment(mini_app, cast, 10, "and here")
    await comment(mini_app, cast, None, "Good start overall")
    suffix = f"/reviews/{cast.submission_id}"

    for person in (cast.member, cast.reviewer, cast.owner):
        data = (await mini_app.api(suffix, person)).json()
        assert data["file_name"] == FILE_NAME
        assert data["team_name"] == TEAM_NAME
        assert data["member"] == "Max Member"
        assert data["status"] == "submitted"
        assert data["version"] == 1
        assert data["line_count"] == 12
        assert data["gate"]["passed"] is True
        assert [(c["first_line"], c["body"]) for c in data["comments"]] == [
            (3, "look here: <b>bold</b>"),
            (10, "and here"),
            (None, "Good start overall"),
        ]
        assert "lines" not in data  # the source is the listing's
        fragment = await mini_app.part(suffix, person)
        assert fragment.status == 200
        assert comments_by_line(fragment.text) == {3: ["look here: <b>bold</b>"], 10: ["and here"]}
        assert "<b>bold</b>" not in fragment.text  # escaped
        text = html_text(fragment.text)
        assert "Code review: homework_7.py, version 1" in text
        assert "Good start overall" in text.split("Source code")[0]  # general: above the code
        assert [int(n) for n in re.findall(r'<li id="L(\d+)"', fragment.text)] == list(
            range(1, 13)
        )

    member_page = (await mini_app.part(suffix, cast.member)).text
    reviewer_page = (await mini_app.part(suffix, cast.reviewer)).text
    assert "data-comment-line" not in member_page  # the member reads, the reviewers comment
    assert 'data-comment-line="5"' in reviewer_page
    assert "Withdraw" in member_page
    assert "Withdraw" not in reviewer_page
    gate_check = (await mini_app.api(suffix, cast.member)).json()["gate"]["check_id"]
    assert f'href="/app/checks/{gate_check}"' in member_page  # the gate's report: theirs
    assert f'href="/app/checks/{gate_check}"' not in reviewer_page
    assert (await mini_app.api(f"/checks/{gate_check}", cast.member)).status == 200
    lists = (await mini_app.api("/reviews", cast.reviewer)).json()
    assert [item["submission_id"] for item in lists["to_review"]] == [cast.submission_id]
    mine = (await mini_app.api("/reviews", cast.member)).json()
    assert [item["file_name"] for item in mine["mine"]] == [FILE_NAME]
    assert 'href="/app/reviews/' in (await mini_app.part("/reviews", cast.reviewer)).text


def _routes(mini_app: MiniApp) -> list[tuple[str, str]]:
    webapp = build_webapp(webapp_deps(mini_app.bot_app.runtime, mini_app.bot_app.resources))
    prefix = mini_app.bot_app.settings.webapp_path
    return [
        (route.method, route.path[len(prefix) :])
        for route in webapp.routes
        if "{submission_id}" in route.path and ("/part/" in route.path or "/api/" in route.path)
    ]


async def test_nobody_else_sees_anything_of_it_not_even_a_teammate_or_a_removed_reviewer(
    mini_app: MiniApp,
) -> None:
    cast = await a_submission(mini_app)
    comment_id = await comment(mini_app, cast, 3, "look here")
    async with mini_app.bot_app.session_factory() as session:
        await session.execute(delete(TeamMember).where(TeamMember.user_id == cast.ids["reviewer"]))
        await session.commit()
    routes = _routes(mini_app)
    assert len(routes) >= 8, routes  # the page's fragment and JSON, and every action

    for person in (cast.outsider, cast.teammate, cast.reviewer):
        for method, pattern in routes:
            suffix = pattern.replace("{submission_id}", str(cast.submission_id)).replace(
                "{comment_id}", str(comment_id)
            )
            answer = await mini_app.request(method, suffix, person, json={"body": "x"})
            assert answer.status == 404, (person.email, method, suffix, answer.status)
            for secret in SECRETS:
                assert secret not in answer.text, (person.email, suffix, secret)
        lists = await mini_app.api("/reviews", person)
        assert lists.json() == {"to_review": [], "mine": []}

    async with mini_app.bot_app.session_factory() as session:
        stored = await session.scalars(select(ReviewComment.body))
        assert list(stored) == ["look here"]  # nothing was added, nothing resolved
        assert await session.scalar(select(ReviewComment.state)) is CommentState.OPEN
    member = await mini_app.api(f"/reviews/{cast.submission_id}", cast.member)
    assert member.json()["status"] == "submitted"


async def test_a_comment_saved_on_the_page_lands_at_its_line(mini_app: MiniApp) -> None:
    cast = await a_submission(mini_app)
    base = f"/reviews/{cast.submission_id}"

    one = await post(
        mini_app,
        cast.reviewer,
        base + "/comments",
        {"first_line": "5", "body": "Name it <better>"},
    )
    ranged = await post(
        mini_app,
        cast.owner,
        base + "/comments",
        {"first_line": 6, "last_line": "8", "body": "These three\nlines"},
    )
    general = await post(
        mini_app, cast.reviewer, base + "/comments", {"first_line": "", "body": "Overall fine"}
    )

    assert (one["http"], one["first_line"], one["last_line"]) == (200, 5, 5)
    assert (ranged["http"], ranged["first_line"], ranged["last_line"]) == (200, 6, 8)
    assert (general["http"], general["first_line"]) == (200, None)
    fragment = (await mini_app.part(base, cast.member)).text
    assert comments_by_line(fragment) == {5: ["Name it <better>"], 8: ["These three\nlines"]}
    assert "lines 6–8" in html_text(fragment)
    assert "Overall fine" in html_text(fragment).split("Source code")[0]
    async with mini_app.bot_app.session_factory() as session:
        rows = (
            await session.execute(
                select(ReviewComment.first_line, ReviewComment.line_text).order_by(
                    ReviewComment.id
                )
            )
        ).all()
    assert rows == [(5, "value_5 = 5"), (6, "value_6 = 6\nvalue_7 = 7\nvalue_8 = 8"), (None, "")]


async def test_bad_input_is_answered_with_the_chats_words(mini_app: MiniApp) -> None:
    cast = await a_submission(mini_app)
    base = f"/reviews/{cast.submission_id}"
    out_of_range = chat_text(mini_app, CommentLinesError(line_count=12))

    for body in (
        {"first_line": 13, "body": "past the end"},
        {"first_line": "0", "body": "before the start"},
        {"first_line": 5, "last_line": 4, "body": "backwards"},
        {"first_line": "five", "body": "not a number"},
        {"first_line": 1, "last_line": "x", "body": "not a number"},
    ):
        answer = await post(mini_app, cast.reviewer, base + "/comments", body)
        assert answer["http"] == 422, body
        assert answer["error"] == "CommentLinesError"
        assert answer["html"] == out_of_range
    for text in ("", "   ", None, "x" * 2001, 12):
        answer = await post(
            mini_app, cast.reviewer, base + "/comments", {"first_line": 1, "body": text}
        )
        assert answer["http"] == 422, text
        assert answer["html"] == chat_text(mini_app, CommentRefusedError(max_length=2000))
    not_json = await mini_app.request(
        "POST", f"/api{base}/comments", cast.reviewer, data=b"first_line=1"
    )
    assert not_json.status == 400
    for suffix in (
        "/reviews/abc",
        "/reviews/0",
        "/reviews/99999999999",
        f"/reviews/{cast.submission_id + 1}",
    ):
        for method, prefix in (("GET", "/api"), ("GET", "/part"), ("POST", "/api")):
            action = "/take" if method == "POST" else ""
            hidden = await mini_app.request(method, prefix + suffix + action, cast.reviewer)
            assert hidden.status == 404, (method, prefix + suffix)
    for comment_id in ("999", "abc", "99999999999"):
        hidden = await mini_app.request(
            "POST", f"/api{base}/comments/{comment_id}/resolve", cast.reviewer
        )
        assert hidden.status == 404, comment_id
    nothing = await mini_app.part("/reviews/99999", cast.reviewer)
    assert "Nothing here" in html_text(nothing.text)
    async with mini_app.bot_app.session_factory() as session:
        assert await session.scalar(select(ReviewComment.id)) is None


async def test_steps_are_offered_and_allowed_only_where_the_core_allows_them(
    mini_app: MiniApp,
) -> None:
    cast = await a_submission(mini_app)
    base = f"/reviews/{cast.submission_id}"

    async def offered(person: Person) -> set[str]:
        """The steps the page offers the person, held equal to the `can_*` of its JSON."""
        page = (await mini_app.part(base, person)).text
        data = (await mini_app.api(base, person)).json()
        buttons = re.findall(rf'data-api="/app/api{base}/(take|approve|changes|withdraw)"', page)
        offered = {STEP_NAMES[button] for button in buttons}
        if "data-comment-line" in page:
            offered.add("comment")
        allowed = {name for name in STEP_NAMES.values() if data[f"can_{name}"]}
        assert offered == allowed, person.email
        return offered

    assert await offered(cast.reviewer) == {"take", "approve", "request_changes", "comment"}
    assert await offered(cast.member) == {"withdraw"}
    refused = await post(mini_app, cast.member, base + "/take")
    assert (refused["http"], refused["html"]) == (
        422,
        chat_text(mini_app, OwnSubmissionError()),
    )
    refused = await post(mini_app, cast.member, base + "/comments", {"body": "me too"})
    assert refused["http"] == 422

    assert (await post(mini_app, cast.reviewer, base + "/take"))["http"] == 200
    assert await offered(cast.owner) == {"approve", "request_changes", "comment"}
    again = await post(mini_app, cast.owner, base + "/take")
    assert (again["http"], again["html"]) == (
        422,
        chat_text(mini_app, SubmissionStatusError(SubmissionStatus.IN_REVIEW)),
    )
    taken = (await mini_app.api(base, cast.member)).json()
    assert (taken["status"], taken["reviewer"]) == ("in_review", "Rita Reviewer")

    changes = await post(mini_app, cast.reviewer, base + "/changes")
    assert (changes["http"], changes["submission_id"]) == (200, cast.submission_id)
    assert await offered(cast.reviewer) == {"comment"}
    assert (await post(mini_app, cast.member, base + "/withdraw"))["http"] == 200
    assert await offered(cast.reviewer) == set()
    assert await offered(cast.member) == set()
    late = await post(mini_app, cast.reviewer, base + "/comments", {"first_line": 1, "body": "x"})
    assert (late["http"], late["error"]) == (422, "SubmissionStatusError")

    history = (await mini_app.api(base, cast.member)).json()["events"]
    assert [(e["status"], e["actor"]) for e in history] == [
        ("submitted", "Max Member"),
        ("in_review", "Rita Reviewer"),
        ("changes", "Rita Reviewer"),
        ("withdrawn", "Max Member"),
    ]
    async with mini_app.bot_app.session_factory() as session:
        kinds = set(await session.scalars(select(ReviewNotice.kind)))
    assert {kind.value for kind in kinds} == {"submitted", "in_review", "changes", "withdrawn"}


async def test_comments_follow_the_code_and_a_changed_one_is_resolved(
    mini_app: MiniApp,
) -> None:
    cast = await a_submission(mini_app)
    await comment(mini_app, cast, 3, "look here")
    changed_id = await comment(mini_app, cast, 10, "and here")
    await resubmit(mini_app, cast, V3)
    base = f"/reviews/{cast.submission_id}"

    fragment = (await mini_app.part(base, cast.reviewer)).text
    assert comments_by_line(fragment) == {8: ["look here"], 15: ["and here"]}
    line_15 = fragment.split('<li id="L15"', 1)[1].split('<li id="L16"', 1)[0]
    assert "🔄 changed — resolve?" in html_text(line_15)
    assert "changed — resolve?" not in fragment.split('<li id="L15"', 1)[0]
    assert "Code review: homework_7.py, version 2" in html_text(fragment)

    resolved = await post(mini_app, cast.reviewer, f"{base}/comments/{changed_id}/resolve")
    assert (resolved["http"], resolved["state"]) == (200, "resolved")
    fragment = (await mini_app.part(base, cast.reviewer)).text
    assert comments_by_line(fragment) == {8: ["look here"]}
    assert "1 resolved comment" in html_text(fragment)

    await resubmit(mini_app, cast, V3.replace(b"value_3 = 3\n", b""))  # its line is gone
    fragment = (await mini_app.part(base, cast.reviewer)).text
    assert comments_by_line(fragment) == {}
    outdated = html_text(fragment.split('id="outdated-heading"', 1)[1].split("</section>")[0])
    assert "Outdated: their lines are gone" in outdated
    assert "look here" in outdated
    assert "value_3 = 3" in outdated  # the code it was written on


async def test_a_long_files_comments_come_with_the_part_of_their_line(mini_app: MiniApp) -> None:
    source = "".join(f"value_{n} = {n}\n" for n in range(1, 701)).encode()
    cast = await a_submission(mini_app, source)
    await comment(mini_app, cast, 2, "early")
    await comment(mini_app, cast, 650, "late")
    base = f"/reviews/{cast.submission_id}"

    first = (await mini_app.part(base, cast.reviewer)).text
    second = (await mini_app.part(base + "?from=301", cast.reviewer)).text
    last = (await mini_app.part(base + "?from=601", cast.reviewer)).text

    assert [int(n) for n in re.findall(r'<li id="L(\d+)"', first)] == list(range(1, 301))
    assert f'href="/app{base}?from=301"' in first
    assert [int(n) for n in re.findall(r'<li id="L(\d+)"', last)] == list(range(601, 701))
    assert "data-more" not in last
    assert "data-part" in second
    assert f'href="/app{base}?from=601"' in second
    assert comments_by_line(first) == {2: ["early"]}
    late = last.split('<li id="L650"', 1)[1].split('<li id="L651"', 1)[0]
    assert re.findall(r'<p class="comment-body">(.*?)</p>', late) == ["late"]
    assert 'data-comment-line="650"' in late


async def test_the_page_speaks_the_persons_language(mini_app: MiniApp) -> None:
    cast = await a_submission(mini_app, language="ru")
    await comment(mini_app, cast, 4, "проверьте")
    base = f"/reviews/{cast.submission_id}"

    page = await mini_app.part(base, cast.reviewer)
    refused = await post(mini_app, cast.reviewer, base + "/comments", {"first_line": 99})

    assert page.headers["Content-Language"] == "ru"
    text = html_text(page.text)
    assert "Ревью: homework_7.py, версия 1" in text
    assert "0 замечаний, допустимо не больше 0" in text
    assert 'aria-label="Комментарий к строке 5"' in page.text
    assert comments_by_line(page.text) == {4: ["проверьте"]}
    assert refused["http"] == 422


async def test_a_step_wakes_the_worker_to_send_its_notices_at_once(mini_app: MiniApp) -> None:
    cast = await a_submission(mini_app)
    signals = mini_app.bot_app.resources.wakeup.signals()
    assert isinstance(signals, AsyncGenerator)

    async def next_signal() -> None:
        await anext(signals)

    woken = asyncio.create_task(next_signal())
    await asyncio.sleep(0.3)  # subscribed (Redis pub/sub on the services stack)
    assert not woken.done()

    taken = await post(mini_app, cast.reviewer, f"/reviews/{cast.submission_id}/take")

    assert taken["http"] == 200
    await asyncio.wait_for(woken, timeout=5)
    await signals.aclose()
