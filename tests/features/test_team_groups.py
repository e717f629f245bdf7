"""A team's group chat: its owner links it with `/team` sent in the group; anyone else there
gets one line; the owner sees it on the team's screen and unlinks it. Nothing else of the bot
works in a group (tests/features/test_group_chats.py)."""

from sqlalchemy import select

from core.team_models import Team
from tests.support.app import BotApp
from tests.support.teams import create_team, invite_token, press

GROUP_ID = -1001234500001
OWNER_ONLY = "Only a team's owner can link this group to a team, with /team here."
INVITE = "I work in private chats only: open a chat with me, @review_test_bot."


async def _linked(app: BotApp) -> dict[str, int | None]:
    async with app.session_factory() as session:
        return {t.name: t.group_chat_id for t in await session.scalars(select(Team))}


async def test_the_owner_links_a_group_others_are_told_who_can(bot_app: BotApp) -> None:
    ana = await bot_app.registered("ana@example.com", first_name="Ana")
    backend = await create_team(ana, "Backend")
    ben = await bot_app.registered("ben@example.com", first_name="Ben")
    await ben.say(f"/start join_{invite_token(backend)}")

    # Someone without an account, and a member who owns no team: one line each.
    stranger = bot_app.telegram.user(7_999_101)
    group = bot_app.telegram.in_group(stranger, GROUP_ID)
    await group.send_text("/team")
    assert (await group.next_output()).text == OWNER_ONLY

    group = bot_app.telegram.in_group(ben.chat, GROUP_ID)
    await group.send_text("/team@review_test_bot")
    refusal = await group.next_output()
    assert (refusal.text, refusal.buttons) == (OWNER_ONLY, [])
    await group.send_text("/team@some_other_bot")  # not ours: no answer
    await group.send_text("/team Backend")  # not the bare command: the usual line
    assert (await group.next_output()).text == INVITE
    await group.send_text("/files")
    assert (await group.next_output()).text == INVITE
    await group.no_output()

    # The owner gets her teams to choose from; Ben pressing that button is refused.
    group = bot_app.telegram.in_group(ana.chat, GROUP_ID)
    await group.send_text("/team")
    offer = await group.next_output()
    assert offer.text == (
        "Link this group to which of your teams? It will get one line per status change."
    )
    assert offer.button_texts() == ["Backend"]
    link_data = offer.buttons[0][0].callback_data
    assert link_data is not None

    group = bot_app.telegram.in_group(ben.chat, GROUP_ID)
    await group.send_text("/team")
    refusal = await group.next_output()
    await group.click_data(refusal, link_data)
    alert = await group.next_output()
    assert (alert.kind, alert.text, alert.show_alert) == ("callback_answer", OWNER_ONLY, True)
    assert await _linked(bot_app) == {"Backend": None}

    group = bot_app.telegram.in_group(ana.chat, GROUP_ID)
    await group.send_text("/team")
    offer = await group.next_output()
    await group.click(offer, "Backend")
    linked = await group.next_screen()
    assert linked.text == "✅ This group is linked to Backend."
    assert linked.buttons == []
    assert await _linked(bot_app) == {"Backend": GROUP_ID}

    # In private, the owner sees the group and unlinks it; a member sees nothing of it.
    team = await ana.click(await ana.say("/team"), "👑 Backend")
    assert "Group chat: linked; it gets one line per status change." in team.text
    as_member = await ben.click(await ben.say("/team"), "• Backend")
    assert "Group chat" not in as_member.text
    notice, team = await press(ana, team, "🔌 Unlink the group")
    assert notice == "The group chat is unlinked: it gets nothing more."
    assert "Group chat: none. Add me to a group and send /team there to link it." in team.text
    assert not team.has_button("🔌 Unlink the group")
    assert await _linked(bot_app) == {"Backend": None}


async def test_a_linked_group_moves_only_by_its_teams_owner(bot_app: BotApp) -> None:
    ana = await bot_app.registered("ana2@example.com", first_name="Ana")
    await create_team(ana, "Backend")
    await create_team(ana, "Frontend")
    cy = await bot_app.registered("cy2@example.com", first_name="Cy")
    await create_team(cy, "Other")

    group = bot_app.telegram.in_group(ana.chat, GROUP_ID)
    await group.send_text("/team")
    offer = await group.next_output()
    assert offer.button_texts() == ["Backend", "Frontend"]
    await group.click(offer, "Backend")
    await group.next_screen()
    await group.send_text("/team")
    offer = await group.next_output()
    assert offer.button_texts() == ["✅ Backend", "Frontend"]
    await group.click(offer, "Frontend")  # the same owner moves it
    assert (await group.next_screen()).text == "✅ This group is linked to Frontend."
    assert await _linked(bot_app) == {"Backend": None, "Frontend": GROUP_ID, "Other": None}

    group = bot_app.telegram.in_group(cy.chat, GROUP_ID)
    await group.send_text("/team")
    offer = await group.next_output()
    assert offer.button_texts() == ["Other"]
    await group.click(offer, "Other")
    alert = await group.next_output()
    assert (alert.text, alert.show_alert) == (
        "This group is linked to another team: only that team's owner can move it.",
        True,
    )
    assert await _linked(bot_app) == {"Backend": None, "Frontend": GROUP_ID, "Other": None}
