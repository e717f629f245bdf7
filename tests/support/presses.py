"""Pressing a button again: the screen it leads to is already shown."""

from tests.fake_telegram import BotOutput
from tests.support.app import Person


def button_data(screen: BotOutput, button: str) -> str:
    """The callback data of the screen's button `button`."""
    found = screen.find_button(button)
    assert found is not None, screen.describe()
    assert found.callback_data is not None
    return found.callback_data


async def press_again(person: Person, screen: BotOutput, data: str) -> None:
    """Press a button whose screen `screen` already shows: the press is answered (no spinner
    left) and nothing is edited or sent."""
    telegram = person.app.telegram
    edits_before = len(telegram.calls("editMessageText"))
    query = await person.chat.click_data(screen, data)
    answer = await person.chat.next_output()
    assert (answer.kind, answer.text) == ("callback_answer", "")
    await person.chat.no_output(within=1.0)  # an edit would follow the answer at once
    assert len(telegram.calls("editMessageText")) == edits_before
    answers = [
        call
        for call in telegram.calls("answerCallbackQuery")
        if call.params.get("callback_query_id") == query["id"]
    ]
    assert [call.ok for call in answers] == [True]
    [shown] = [m for m in person.chat.messages if m.message_id == screen.message_id]
    assert (shown.html, shown.buttons) == (screen.html, screen.buttons)
