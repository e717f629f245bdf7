"""The Mini App's team dashboard (/teams/{id}/dashboard): the same figures as the chat, for
the team's owner and reviewers, as JSON and as HTML; its exports are the chat's documents;
a member gets 403, anyone else and a forged id 404, and neither sees anything of the team."""

import csv
import io
from typing import Any

import openpyxl

from bot.callbacks import DashboardAction, DashboardCallback
from tests.support import dashboard_oracle as oracle
from tests.support.dashboard_seed import FORMULA_COMMENT, HOSTILE_FILE, HOSTILE_NAME, seed_team
from tests.support.html_text import html_text
from tests.support.presses import press_data
from tests.support.webapp import WEBAPP_URL, MiniApp

TABLES = ("submissions", "comments", "statuses")
# What may name something of the team in a body.
SECRETS = ("Backend", "loop.py", "util.py", "cat2.py", "F401", "Rita", "Bob", "Olga")


def _routes(team_id: int | str) -> list[str]:
    base = f"/teams/{team_id}/dashboard"
    return [
        f"/api{base}",
        f"/part{base}",
        *(f"/api{base}/export/{table}.csv" for table in TABLES),
        f"/api{base}/export.xlsx",
    ]


async def _download(mini_app: MiniApp, suffix: str, person: Any) -> tuple[int, bytes, str]:
    async with mini_app.http.get(
        mini_app.base_url + suffix, headers=mini_app.headers(person)
    ) as got:
        return got.status, await got.read(), got.headers.get("Content-Disposition", "")


async def test_the_owner_and_a_reviewer_get_the_figures_the_database_holds(
    mini_app: MiniApp,
) -> None:
    team = await seed_team(mini_app.bot_app)
    found = await oracle.figures(mini_app.bot_app.session_factory, team.team_id)
    assert (found.open, found.approved, found.withdrawn) == (2, 1, 1)  # the story, not vacuous

    for viewer, role in ((team.owner, "owner"), (team.reviewer, "reviewer")):
        answer = await mini_app.api(f"/teams/{team.team_id}/dashboard", viewer)
        assert answer.status == 200, answer.text
        board = answer.json()["dashboard"]
        assert (board["team_name"], board["viewer_role"]) == (team.team_name, role)
        totals = board["totals"]
        assert totals == {
            "open": found.open,
            "approved": found.approved,
            "withdrawn": found.withdrawn,
            "gate_runs": found.gate_runs,
            "gate_passed": found.gate_passed,
            "pass_rate": oracle.rate(found.gate_passed, found.gate_runs),
            "versions_to_approval": oracle.average(found.rounds),
        }
        assert [(r["code"], r["count"]) for r in board["top_rules"]] == oracle.ranked(
            found.rules, 5
        )
        assert [
            (s["display_name"], s["file_name"], s["rule"], s["versions"]) for s in board["stuck"]
        ] == found.stuck
        assert {m["display_name"] for m in board["members"]} == set(found.members)
        for member in board["members"]:
            want = found.members[member["display_name"]]
            assert (member["open_count"], member["approved_count"]) == (want.open, want.approved)
            assert (member["gate_runs"], member["gate_passed"]) == (
                want.gate_runs,
                want.gate_passed,
            )
            assert member["pass_rate"] == oracle.rate(want.gate_passed, want.gate_runs)
            assert member["versions_to_approval"] == oracle.average(want.rounds)
            assert [(r["code"], r["count"]) for r in member["top_rules"]] == oracle.ranked(
                want.rules, 3
            )
            assert [
                (s["file_name"], s["status"], s["version"]) for s in member["submissions"]
            ] == [(name, status.value, number) for name, status, number in want.submissions]

    part = await mini_app.part(f"/teams/{team.team_id}/dashboard", team.owner)
    assert part.status == 200
    text = " ".join(html_text(part.text).split())
    assert "Dashboard of Backend <crew>" in text
    assert "Bob, loop.py: F401 in 3 versions in a row" in text
    assert f"{HOSTILE_FILE} v2 · withdrawn" in text
    assert HOSTILE_NAME in text
    assert "<crew>" not in part.text
    assert "<i>&</i>" not in part.text
    for table in TABLES:
        assert f"/api/teams/{team.team_id}/dashboard/export/{table}.csv" in part.text
    assert f"/api/teams/{team.team_id}/dashboard/export.xlsx" in part.text
    shell = await mini_app.get(f"/teams/{team.team_id}/dashboard")
    assert shell.status == 200
    assert "dashboard.css" in shell.text


async def test_the_exports_are_the_rows_of_the_database(mini_app: MiniApp) -> None:
    team = await seed_team(mini_app.bot_app)
    expected = await oracle.tables(mini_app.bot_app.session_factory, team.team_id, team.team_name)
    assert any(row[6] == "'" + FORMULA_COMMENT for row in expected["comments"])
    base = f"/api/teams/{team.team_id}/dashboard/export"
    for table in TABLES:
        status, body, disposition = await _download(mini_app, f"{base}/{table}.csv", team.owner)
        assert status == 200
        assert f'filename="team-{team.team_id}-{table}-' in disposition
        lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
        assert lines[1:] == expected[table], table
    status, body, disposition = await _download(mini_app, f"{base}.xlsx", team.reviewer)
    assert status == 200
    assert disposition.endswith('.xlsx"')
    workbook = openpyxl.load_workbook(io.BytesIO(body))
    assert workbook.sheetnames == ["Submissions", "Comments", "Statuses"]
    for sheet_name, table in zip(workbook.sheetnames, TABLES, strict=True):
        rows = list(workbook[sheet_name].iter_rows(values_only=True))
        assert [[oracle.xlsx_text(v) for v in row] for row in rows[1:]] == [
            [w.removeprefix("'") for w in want] for want in expected[table]
        ], table


async def test_a_member_an_outsider_and_forged_ids_see_nothing(mini_app: MiniApp) -> None:
    team = await seed_team(mini_app.bot_app)
    for route in _routes(team.team_id):
        member = await mini_app.get(route, team.bob)
        assert member.status == 403, (route, member.status)
        assert "Only the team's owner and reviewers see its dashboard." in member.text
        outsider = await mini_app.get(route, team.outsider)
        assert outsider.status == 404, (route, outsider.status)
        anonymous = await mini_app.get(route)
        assert anonymous.status == 401, (route, anonymous.status)
        for answer in (member, outsider, anonymous):
            assert not any(secret in answer.text for secret in SECRETS), (route, answer.text)
    for forged in (team.team_id + 1000, "abc", "9" * 30, "-1"):
        for route in _routes(forged):
            answer = await mini_app.get(route, team.owner)
            assert answer.status == 404, (route, answer.status)
            assert not any(secret in answer.text for secret in SECRETS), route
    if_json = await mini_app.api(f"/teams/{team.team_id}/dashboard", team.bob)
    assert if_json.json()["error"] == "forbidden"


async def test_the_chat_dashboard_opens_the_page_in_the_mini_app(mini_app: MiniApp) -> None:
    team = await seed_team(mini_app.bot_app)
    base = await team.owner.say("/help")
    data = DashboardCallback(action=DashboardAction.OPEN, team_id=team.team_id).pack()
    screen = await press_data(team.owner, data, on=base)
    button = screen.find_button("🌐 Open")
    assert button is not None, screen.describe()
    assert button.web_app == f"{WEBAPP_URL}/teams/{team.team_id}/dashboard"
