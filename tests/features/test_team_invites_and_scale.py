"""/team beyond the first stories: the command menu in both languages, an invite opened while
signed out (kept through /login), a Russian owner's screens, and a mentor with many students."""

from aiogram.types import BotCommandScopeDefault

from bot.app import set_commands
from core.models import User, utcnow
from core.services import teams
from tests.support.app import BotApp
from tests.support.people import seeded
from tests.support.smtp import code_in
from tests.support.teams import create_team, invite_token, press


async def test_team_is_in_the_command_menu_in_english_and_russian(bot_app: BotApp) -> None:
    await set_commands(bot_app.bot, bot_app.resources.translations)
    menus = {
        language: {c.command: c.description for c in await bot_app.bot.get_my_commands(
            scope=BotCommandScopeDefault(), language_code=language
        )}
        for language in (None, "ru")
    }  # fmt: skip
    assert menus[None]["team"] == "Your teams: review by people"
    assert menus["ru"]["team"] == "Ваши команды: ревью людьми"


async def test_a_signed_out_person_signs_in_from_an_invite_and_russian_is_spoken(
    bot_app: BotApp,
) -> None:
    olga = await seeded(bot_app, "olga@example.com", language_code="ru")
    prompt = await olga.click(await olga.say("/team"), "➕ Новая команда")
    assert prompt.text.startswith("Пришлите название новой команды")
    team = await olga.say("Курс")
    assert team.text.startswith("✅ Команда Курс создана, вы — её владелец.")
    assert "Ваша роль: владелец\nПравила: default · порог: " in team.text
    assert team.button_texts()[:2] == ["👥 Участники", "📊 Сводка"]
    token = invite_token(team)

    dee = await seeded(bot_app, "dee@example.com")  # registered without a code mailed
    assert "Signed out" in (await dee.say("/logout")).text
    invited = await dee.say(f"/start join_{token}")
    assert invited.text.startswith("This is an invite to a team. Register first (or /login")
    assert "email" in (await dee.say("/login")).text
    sent = await dee.say("dee@example.com")
    assert sent.text.startswith("I sent a 6-digit code"), sent.text
    code = code_in(await bot_app.smtp.wait_for("dee@example.com"))
    assert (await dee.say(code)).text.startswith("You are signed in as dee@example.com.")
    joined = await dee.chat.next_screen()
    assert joined.text.startswith("✅ You joined Курс as a member.")
    as_owner = await olga.click(await olga.say("/team"), "👑 Курс")
    assert "👑 Test — владелец\n• Test — участник" in as_owner.text


async def test_a_mentor_with_many_students_pages_through_them(bot_app: BotApp) -> None:
    ana = await bot_app.registered("ana6@example.com", first_name="Ana")
    token = invite_token(await create_team(ana, "Class"))
    async with bot_app.session_factory() as session:
        for number in range(45):
            user = User(email=f"student{number:02}@example.com", email_confirmed_at=utcnow())
            session.add(user)
            await session.flush()
            await teams.join_team(session, user.id, token, f"Student {number:02}")
    team = await ana.click(await ana.say("/team"), "👑 Class")
    assert "46 people:\n👑 Ana — owner\n• Student 00 — member" in team.text
    assert "• Student 38 — member\nand 6 more" in team.text
    _, members = await press(ana, team, "👥 Members")
    names = members.button_texts()
    assert names[:2] == ["• Student 00", "• Student 01"]
    assert names[19:] == ["• Student 19", "Next »", "« Team"]
    _, members = await press(ana, members, "Next »")
    assert members.button_texts()[0] == "• Student 20"
    _, members = await press(ana, members, "Next »")
    assert members.button_texts() == [
        *[f"• Student {n}" for n in range(40, 45)], "« Previous", "« Team",
    ]  # fmt: skip
    _, student = await press(ana, members, "• Student 44")
    assert student.text.startswith("Student 44 in Class: member.")
