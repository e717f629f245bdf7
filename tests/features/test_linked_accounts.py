"""A person sees the Telegram accounts signed in to their account and can sign others out."""

from sqlalchemy import select

from core.models import TelegramAccount
from tests.support.app import BotApp, Person
from tests.support.smtp import code_in


async def _row_id(bot_app: BotApp, person: Person) -> int:
    async with bot_app.session_factory() as session:
        row_id = await session.scalar(
            select(TelegramAccount.id).where(TelegramAccount.telegram_id == person.chat.id)
        )
    assert row_id is not None
    return row_id


async def _second_account(
    bot_app: BotApp, first: Person, *, language_code: str = "en", first_name: str = "Test"
) -> Person:
    second = bot_app.person(first.email, language_code=language_code, first_name=first_name)
    code = await second.ask_code("/login")
    answer = await second.say(code)
    assert "signed in" in answer.text, answer.text
    return second


async def test_start_lists_accounts_and_unlink_signs_the_other_out(bot_app: BotApp) -> None:
    wes = await bot_app.registered("wes@example.com", first_name="Wes <b>")
    phone = await _second_account(bot_app, wes, first_name="Wes's phone")

    note = await wes.chat.next_screen()
    assert note.text == (
        "Your account was just signed in from another Telegram account: "
        f"id {phone.chat.id}. If this was not you, press Unlink in /start."
    )

    start = await wes.say("/start")
    # Each account by the name it shows in Telegram (asked of Telegram, shown as written).
    assert f"• Wes <b>, Telegram id {wes.chat.id} (this one), signed in 20" in start.text
    assert f"• Wes's phone, Telegram id {phone.chat.id}, signed in 20" in start.text
    assert start.button_texts() == [f"Unlink {phone.chat.id}"]
    on_phone = await phone.say("/start")
    assert on_phone.button_texts() == [f"Unlink {wes.chat.id}"]

    unlinked = await wes.click(start, f"Unlink {phone.chat.id}")
    assert unlinked.text == f"Telegram account {phone.chat.id} is signed out."
    refused = await phone.say("/files")
    assert refused.text == "You need an account first: send /start to register, or /login."
    again = await wes.say("/start")
    assert str(phone.chat.id) not in again.text
    assert again.button_texts() == []


async def test_forged_or_foreign_account_ids_are_not_found(bot_app: BotApp) -> None:
    xia = await bot_app.registered("xia@example.com")
    tablet = await _second_account(bot_app, xia)
    await xia.chat.next_screen()  # the sign-in note
    yan = await bot_app.registered("yan@example.com")
    start = await xia.say("/start")

    for forged in (await _row_id(bot_app, yan), 99_999_999_999, await _row_id(bot_app, xia)):
        await xia.chat.click_data(start, f"a:u:{forged}")
        alert = await xia.chat.next_screen()
        assert alert.kind == "callback_answer"
        assert alert.text == "Account not found."

    assert (await yan.files()).text.startswith("You have no files")
    assert (await tablet.files()).text.startswith("You have no files")


async def _through_code(bot_app: BotApp, person: Person, command: str, mails: int) -> None:
    await person.say(command)
    await person.say(person.email)
    await person.say(code_in(await bot_app.smtp.wait_for(person.email, count=mails)))


async def test_russian_accounts_read_the_list_and_the_note_in_russian(bot_app: BotApp) -> None:
    zoya = bot_app.person("zoya@example.com", language_code="ru")
    await _through_code(bot_app, zoya, "/start", mails=1)
    laptop = bot_app.person("zoya@example.com", language_code="ru")
    await _through_code(bot_app, laptop, "/login", mails=2)

    note = await zoya.chat.next_screen()
    assert note.text == (
        "В ваш аккаунт только что вошли с другого аккаунта Telegram: "
        f"id {laptop.chat.id}. Если это были не вы, нажмите «Отвязать» в /start."
    )
    start = await zoya.say("/start")
    assert "Аккаунты Telegram, в которых выполнен вход:" in start.text
    assert start.button_texts() == [f"Отвязать {laptop.chat.id}"]
