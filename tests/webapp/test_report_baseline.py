"""The Mini App's report of a check judged against its file's baseline: the chat's result
line, the accepted issues counted apart and each marked under its line (docs/baselines.md)."""

from sqlalchemy import select

from checks.worker import Worker
from core.models import File, User
from core.services import baselines
from tests.support.html_text import html_text
from tests.support.people import seeded
from tests.support.reports import read_html
from tests.support.webapp import MiniApp
from tests.webapp.test_report import checked

V1 = b"a = missing_a\nb = missing_b\n"
V2 = b"# moved\n" + V1 + b"c = brand_new\n"


async def test_the_report_page_says_what_the_baseline_accepted(
    mini_app: MiniApp, worker: Worker
) -> None:
    ada = await seeded(mini_app.bot_app, "ada-bl@example.com")
    await checked(mini_app, ada, "lesson.py", V1)
    async with mini_app.bot_app.session_factory() as session:
        user_id, file_id = (
            await session.execute(
                select(User.id, File.id)
                .join(File, File.user_id == User.id)
                .where(User.email == "ada-bl@example.com")
            )
        ).one()
        await baselines.accept_current(session, user_id, file_id)
    check_id = await checked(mini_app, ada, "lesson.py", V2)

    data = (await mini_app.api(f"/checks/{check_id}", ada)).json()
    assert (data["baseline_version"], data["accepted_count"], data["issue_count"]) == (1, 2, 3)
    assert [i["accepted"] for i in data["issues"]] == [True, True, False]

    page = await mini_app.part(f"/checks/{check_id}", ada)
    read_html(page.text.encode())
    text = html_text(page.text)
    assert "❌ 1 new issue beyond the baseline of version 1 (2 accepted)" in text
    assert "☑️ 2 accepted issues, not counted: F821 ×2" in text
    assert page.text.count("☑️ accepted by the baseline") == 2


async def test_the_mini_apps_card_accepts_and_clears_the_baseline(
    mini_app: MiniApp, worker: Worker
) -> None:
    bea = await seeded(mini_app.bot_app, "bea-bl@example.com")
    await checked(mini_app, bea, "lesson.py", V1)
    files = (await mini_app.api("/files", bea)).json()["items"]
    file_id = files[0]["id"]
    card = await mini_app.part(f"/files/{file_id}", bea)
    assert "☑️ Accept current issues" in card.text
    assert "Clear baseline" not in card.text
    suffix = f"/api/files/{file_id}/baseline"

    eve = await seeded(mini_app.bot_app, "eve-bl@example.com")
    for method in ("POST", "DELETE"):
        assert (await mini_app.request(method, suffix, eve)).status == 404

    accepted = await mini_app.request("POST", suffix, bea)
    assert accepted.status == 200
    assert accepted.json() == {"baseline_version": 1, "accepted": 2}
    card = await mini_app.part(f"/files/{file_id}", bea)
    assert "Baseline" in html_text(card.text)
    assert "version 1 (2 accepted issues)" in html_text(card.text)
    assert "☑️ Accept current issues" not in card.text
    assert "Clear baseline" in card.text

    cleared = await mini_app.request("DELETE", suffix, bea)
    assert (cleared.status, cleared.json()) == (200, {"cleared": True})
    card = await mini_app.part(f"/files/{file_id}", bea)
    assert "accepted issues" not in card.text
