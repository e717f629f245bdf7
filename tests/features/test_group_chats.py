"""The bot works in private chats only: nothing of a person's ever shows up in a group."""

from sqlalchemy import select

from checks.worker import Worker
from core.models import TelegramAccount
from tests.support.app import BotApp
from tests.support.results import assert_result

MESSY = b"import os\n\n\ndef f(x):\n    return undefined\n"
INVITE = "I work in private chats only: open a chat with me, @review_test_bot."
GROUP_ID = -1001234567890


async def test_a_group_gets_one_line_and_results_stay_in_the_private_chat(
    bot_app: BotApp, worker: Worker
) -> None:
    vera = await bot_app.registered("vera@example.com")
    group = bot_app.telegram.in_group(vera.chat, GROUP_ID)

    await group.send_text("/start@review_test_bot")
    assert (await group.next_output()).text == INVITE
    await group.send_text("/files")
    assert (await group.next_output()).text == INVITE
    await group.send_text("/files@some_other_bot")  # not addressed to us: no answer
    await group.send_document("group_secret.py", MESSY)  # not stored
    await group.send_text("hello everyone")  # chatter: no answer
    await group.click_data(None, "l:0")  # a button press (the first page of /files)
    alert = await group.next_output()
    assert alert.kind == "callback_answer"
    assert alert.show_alert
    assert alert.text == "I work in private chats only: open a chat with me."
    await group.no_output(within=1.0)

    await vera.upload("mine.py", MESSY)
    result = await vera.chat.next_screen()
    assert_result(result, "mine.py", 1)
    assert result.chat_id == vera.chat.chat_id
    listing = await vera.files()
    assert listing.text == "You have 1 file."  # the one sent in the group was not stored
    assert [b for b in listing.button_texts() if "group_secret" in b] == []

    said_in_group = [o.text for o in group.outputs]
    assert said_in_group == [INVITE, INVITE, alert.text]
    for call in bot_app.telegram.calls("sendMessage") + bot_app.telegram.calls("sendDocument"):
        if str(call.params.get("chat_id")) == str(GROUP_ID):
            assert call.params.get("text") == INVITE
    async with bot_app.session_factory() as session:
        chat_id = await session.scalar(
            select(TelegramAccount.chat_id).where(TelegramAccount.telegram_id == vera.chat.id)
        )
    assert chat_id == vera.chat.chat_id


async def test_a_newcomer_in_a_group_is_not_recorded(bot_app: BotApp) -> None:
    stranger = bot_app.telegram.user(7_999_001)
    group = bot_app.telegram.in_group(stranger, GROUP_ID - 1, kind="group")

    await group.send_text("/start")
    assert (await group.next_output()).text == INVITE
    async with bot_app.session_factory() as session:
        accounts = (await session.scalars(select(TelegramAccount.chat_id))).all()
    assert GROUP_ID - 1 not in accounts
