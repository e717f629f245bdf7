"""/team: an owner creates a team and shares its invite link; people join (registered, or
registering on the way), get roles, leave or are removed; the owner renames the team, renews
its link, sets its rules and gate, and deletes it. What someone not (or no longer) in the team
presses shows nothing of it."""

import re

from sqlalchemy import select

from bot.callbacks import TeamAction, TeamCallback
from core.models import RulePreset, User
from core.team_models import Team, TeamMember, TeamRole
from tests.fake_telegram import BotOutput
from tests.support.app import BotApp
from tests.support.presses import button_data, callback_data, press_data
from tests.support.smtp import code_in
from tests.support.sources import OWN_PYPROJECT
from tests.support.teams import create_team, invite_token, press

TEAM_NOT_FOUND = "Team not found."
LIST = TeamCallback(action=TeamAction.LIST).pack()  # "« Teams": the presser's own list


async def roles(app: BotApp, team_name: str) -> dict[str, TeamRole]:
    async with app.session_factory() as session:
        rows = await session.execute(
            select(TeamMember.display_name, TeamMember.role)
            .join(Team, Team.id == TeamMember.team_id)
            .where(Team.name == team_name)
        )
        return {str(name): TeamRole(role) for name, role in rows}


async def test_an_owner_creates_a_team_and_people_join_by_its_link(bot_app: BotApp) -> None:
    ana = await bot_app.registered("ana@example.com", first_name="Ana")
    empty = await ana.say("/team")
    assert "You are in no team yet." in empty.text
    prompt = await ana.click(empty, "➕ New team")
    assert "1 to 64 characters" in prompt.text
    refused = await ana.say("x" * 65)
    assert refused.text == (
        "A team's name is 1 to 64 characters, on one line. Send another one, or /cancel."
    )
    screen = await ana.say("  Backend <b>  ")  # stripped; shown as text, never as markup
    assert screen.text.startswith(
        "✅ Team Backend <b> is created and you are its owner. Send the invite link below"
    )
    assert "Your role: owner\nRules: default · gate: no issues" in screen.text
    assert "1 person:\n👑 Ana — owner" in screen.text
    assert screen.button_texts() == [
        "👥 Members", "📊 Dashboard", "✏️ Rename", "🔗 New link", "📏 Rules", "🚦 Gate",
        "🗑 Delete the team", "« Teams",
    ]  # fmt: skip
    assert button_data(screen, "📊 Dashboard").startswith("db:o:")
    token = invite_token(screen)

    ben = await bot_app.registered("ben@example.com", first_name="Ben")
    joined = await ben.say(f"/start join_{token}")
    assert joined.text.startswith("✅ You joined Backend <b> as a member.")
    assert "2 people in the team." in joined.text
    assert "t.me" not in joined.text  # a member gets neither the link nor the list
    assert "Ana" not in joined.text
    assert joined.button_texts() == ["🚪 Leave the team", "« Teams"]
    again = await ben.say(f"/start join_{token}")
    assert again.text == "You are already in Backend <b>: /team to open it."
    wrong = await ben.say("/start join_nothing-like-it")
    assert wrong.text.startswith("This invite link does not work")

    # Someone without an account registers on the way and is in the team once confirmed.
    cy = bot_app.person("cy@example.com", first_name="Cy")
    invited = await cy.say(f"/start join_{token}")
    assert invited.text.startswith("This is an invite to a team. Register first")
    assert "send me your email address" in invited.text
    assert "code" in (await cy.say("cy@example.com")).text
    code = code_in(await bot_app.smtp.wait_for("cy@example.com"))
    assert "is confirmed" in (await cy.say(code)).text
    welcome = await cy.chat.next_screen()
    assert welcome.text.startswith("✅ You joined Backend <b> as a member.")
    assert "3 people in the team." in welcome.text

    # The owner makes Ben a reviewer: he sees the link, the people and the dashboard.
    teams = await ana.say("/team")
    assert teams.text == "Your team (1):\n👑 Backend <b> — owner"
    team = await ana.click(teams, "👑 Backend <b>")
    assert "3 people:\n👑 Ana — owner\n• Ben — member\n• Cy — member" in team.text
    _, members = await press(ana, team, "👥 Members")
    assert members.button_texts() == ["• Ben", "• Cy", "« Team"]
    _, ben_screen = await press(ana, members, "• Ben")
    assert ben_screen.text.startswith("Ben in Backend <b>: member.")
    notice, ben_screen = await press(ana, ben_screen, "🔎 Make reviewer")
    assert notice == "Ben is now a reviewer."
    assert ben_screen.button_texts() == [
        "• Make member", "👑 Make owner", "❌ Remove from the team", "« Members",
    ]  # fmt: skip
    as_reviewer = await ben.click(await ben.say("/team"), "🔎 Backend <b>")
    assert invite_token(as_reviewer) == token
    assert "3 people:\n👑 Ana — owner\n🔎 Ben — reviewer\n• Cy — member" in as_reviewer.text
    assert as_reviewer.button_texts() == ["📊 Dashboard", "🚪 Leave the team", "« Teams"]

    # A member cannot be handed the team; a reviewer can, and the owner stays a reviewer.
    cy_data = button_data(members, "• Cy").replace("tm:p:", "tm:W:")
    refused_owner = await press_data(ana, cy_data, on=members)
    assert refused_owner.text == (
        "Only a reviewer can become the owner: make them a reviewer first."
    )
    _, confirm = await press(ana, ben_screen, "👑 Make owner")
    assert confirm.text.startswith("Hand Backend <b> to Ben?")
    notice, _members = await press(ana, confirm, "Yes, hand it over")
    assert notice == "Ben owns the team now; you are a reviewer."
    assert await roles(bot_app, "Backend <b>") == {
        "Ana": TeamRole.REVIEWER,
        "Ben": TeamRole.OWNER,
        "Cy": TeamRole.MEMBER,
    }
    # Ana's owner buttons no longer work for her.
    refused_rename = await press_data(ana, button_data(team, "✏️ Rename"), on=team)
    assert (refused_rename.text, refused_rename.show_alert) == (
        "Only the team's owner can do this.",
        True,
    )


async def test_removed_and_leaving_people_see_nothing_of_the_team(bot_app: BotApp) -> None:
    ana = await bot_app.registered("ana2@example.com", first_name="Ana")
    token = invite_token(await create_team(ana, "Mentors"))
    ben = await bot_app.registered("ben2@example.com", first_name="Ben")
    cy = await bot_app.registered("cy2@example.com", first_name="Cy")
    ben_team = await ben.say(f"/start join_{token}")
    cy_team = await cy.say(f"/start join_{token}")

    team = await ana.click(await ana.say("/team"), "👑 Mentors")
    _, members = await press(ana, team, "👥 Members")
    _, ben_screen = await press(ana, members, "• Ben")
    _, confirm = await press(ana, ben_screen, "❌ Remove from the team")
    assert confirm.text.startswith("Remove Ben from Mentors?")
    _, back = await press(ana, confirm, "« Back")
    assert back.text.startswith("Ben in Mentors: member.")
    _, confirm = await press(ana, back, "❌ Remove from the team")
    notice, members = await press(ana, confirm, "Yes, remove")
    assert notice == "Ben is no longer in the team."
    assert members.button_texts() == ["• Cy", "« Team"]
    stale = await press_data(ana, button_data(confirm, "Yes, remove"), on=members)
    assert (stale.text, stale.show_alert) == ("This person is no longer in the team.", True)

    # Ben's buttons of the team now read as a team that does not exist.
    for data in callback_data(ben_team):
        if data == LIST:
            continue  # "« Teams": his own (empty) list
        answer = await press_data(ben, data, on=ben_team)
        assert (answer.kind, answer.text, answer.show_alert) == (
            "callback_answer",
            TEAM_NOT_FOUND,
            True,
        ), data
    assert "You are in no team yet." in (await ben.say("/team")).text

    # Cy leaves by herself, after a confirmation.
    _, confirm = await press(cy, cy_team, "🚪 Leave the team")
    assert confirm.text.startswith("Leave Mentors?")
    _, listing = await press(cy, confirm, "Yes, leave")
    assert listing.text.startswith("You left Mentors.")
    assert await roles(bot_app, "Mentors") == {"Ana": TeamRole.OWNER}

    # The owner cannot leave (no button; a forged press is answered).
    leave = button_data(cy_team, "🚪 Leave the team").replace("tm:v:", "tm:V:")
    refused = await press_data(ana, leave, on=team)
    assert refused.text.startswith("The owner cannot leave the team")


async def test_the_owner_renames_renews_the_link_sets_rules_and_gate_and_deletes(
    bot_app: BotApp,
) -> None:
    ana = await bot_app.registered("ana3@example.com", first_name="Ana")
    team = await create_team(ana, "Course")
    old_token = invite_token(team)

    prompt = await ana.click(team, "✏️ Rename")
    assert prompt.text == "Send a new name for Course (1 to 64 characters). /cancel to stop."
    assert (
        "I am waiting for the team's name" in (await ana.upload("x.py", b"x = 1\n")).text
    )  # a document is no name
    renamed = await ana.say("Course 2026")
    assert renamed.text.startswith("✅ The team is renamed.\n\n👥 Course 2026")

    notice, renewed = await press(ana, renamed, "🔗 New link")
    assert notice == "🔗 A new invite link: the old one no longer works."
    new_token = invite_token(renewed)
    assert new_token != old_token
    dan = await bot_app.registered("dan@example.com", first_name="Dan")
    assert (await dan.say(f"/start join_{old_token}")).text.startswith(
        "This invite link does not work"
    )
    assert "as a member" in (await dan.say(f"/start join_{new_token}")).text

    # Rules: a preset, the team's own configuration; a configuration ruff refuses is not taken.
    _, rules = await press(ana, renewed, "📏 Rules")
    assert "✅ default — ruff's own defaults" in rules.text
    assert rules.button_texts() == [
        "✅ default", "pep8", "strict", "📄 Use a configuration", "« Team",
    ]  # fmt: skip
    notice, rules = await press(ana, rules, "strict")
    assert notice == "The team's files are checked with strict now."
    assert "✅ strict" in rules.text
    ask = await ana.click(rules, "📄 Use a configuration")
    assert ask.text.startswith("Send the ruff configuration of Course 2026")
    bogus = await ana.say("[lint]\nbogus = 1\n")
    assert "ruff refused this configuration:" in bogus.text
    assert "unknown field `bogus`" in bogus.text
    saved = await ana.upload("pyproject.toml", OWN_PYPROJECT)
    assert saved.text.startswith("✅ The configuration is saved")
    assert saved.button_texts()[:4] == ["default", "pep8", "strict", f"✅ {_custom(saved)}"]
    async with bot_app.session_factory() as session:
        row = await session.scalar(select(Team).where(Team.name == "Course 2026"))
        assert row is not None
        assert (row.preset, row.config_hash is not None) == (RulePreset.CUSTOM, True)

    # The gate: a number from 0 to 999; anything else is answered.
    team = await ana.click(await ana.say("/team"), "👑 Course 2026")
    ask = await ana.click(team, "🚦 Gate")
    assert ask.text.startswith("The gate of Course 2026 is now: no issues.")
    for wrong in ("many", "-1", "1000", "2.5", "٣"):
        answer = await ana.say(wrong)
        assert answer.text.startswith("The gate is a whole number from 0 (no issues) to 999."), (
            wrong
        )
    assert (await ana.upload("x.py", b"x = 1\n")).text == (
        "I am waiting for a number from 0 to 999. /cancel to stop."
    )
    five = await ana.say(" 5 ")
    assert five.text.startswith("✅ The gate is now: at most 5 issues.")
    assert f"Rules: {_custom(saved)} · gate: at most 5 issues" in five.text
    await ana.click(five, "🚦 Gate")
    zero = await ana.say("0")
    assert zero.text.startswith("✅ The gate is now: no issues.")

    # Deleting asks first; then the team is gone for everyone.
    _, confirm = await press(ana, zero, "🗑 Delete the team")
    assert confirm.text.startswith("Delete Course 2026?")
    _, listing = await press(ana, confirm, "Yes, delete it")
    assert listing.text.startswith("Team Course 2026 is deleted.")
    assert "You are in no team yet." in listing.text
    assert "You are in no team yet." in (await dan.say("/team")).text
    async with bot_app.session_factory() as session:
        assert (await session.scalars(select(Team))).all() == []
        assert (await session.scalars(select(TeamMember))).all() == []
        assert await session.scalar(select(User).where(User.email == "dan@example.com"))


def _custom(screen: BotOutput) -> str:
    found = re.search(r"custom [0-9a-f]{8}", screen.text)
    assert found is not None, screen.text
    return found.group(0)


async def test_a_stranger_replaying_every_team_button_sees_nothing(bot_app: BotApp) -> None:
    ana = await bot_app.registered("ana4@example.com", first_name="Ana")
    team = await create_team(ana, "Secret squad")
    ben = await bot_app.registered("ben4@example.com", first_name="Ben")
    await ben.say(f"/start join_{invite_token(team)}")
    team = await ana.click(await ana.say("/team"), "👑 Secret squad")
    _, members = await press(ana, team, "👥 Members")
    _, member = await press(ana, members, "• Ben")
    _, reviewer = await press(ana, member, "🔎 Make reviewer")
    _, owner = await press(ana, reviewer, "👑 Make owner")
    _, reviewer = await press(ana, owner, "« Back")
    _, remove = await press(ana, reviewer, "❌ Remove from the team")
    fresh = await ana.click(await ana.say("/team"), "👑 Secret squad")
    _, rules = await press(ana, fresh, "📏 Rules")
    _, delete = await press(ana, rules, "« Team")
    _, delete = await press(ana, delete, "🗑 Delete the team")
    screens = (team, members, member, reviewer, owner, remove, rules, delete)
    team_id = button_data(team, "👥 Members").split(":")[2]
    stolen = {d for d in callback_data(*screens) if d.startswith("tm:") and d != LIST}
    stolen |= {
        TeamCallback(action=action, team_id=int(team_id)).pack()
        for action in (TeamAction.LEAVE, TeamAction.LEAVE_YES, TeamAction.UNLINK)
    }
    assert len(stolen) >= 20, sorted(stolen)

    eve = await bot_app.registered("eve@example.com", first_name="Eve")
    base = await eve.say("/help")
    for data in sorted(stolen):
        answer = await press_data(eve, data, on=base)
        assert (answer.kind, answer.text, answer.show_alert) == (
            "callback_answer",
            TEAM_NOT_FOUND,
            True,
        ), data
    await eve.chat.no_output()
    # No dialogue was armed by the prompts' buttons: a text is just a text.
    assert (await eve.say("Stolen name")).text.startswith("Send me a .py file")
    assert "no team yet" in (await eve.say("/team")).text
    for output in eve.chat.outputs:
        assert "Secret" not in output.text, output.text
        assert "Ana" not in output.text
        assert "Ben" not in output.text
        assert "join_" not in output.text
    assert await roles(bot_app, "Secret squad") == {
        "Ana": TeamRole.OWNER,
        "Ben": TeamRole.REVIEWER,
    }
