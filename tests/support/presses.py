"""Pressing buttons: one whose screen is already shown, or someone else's."""

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
    assert person.chat.last_update_id is not None
    await person.app.handled.wait(person.chat.last_update_id)
    # Everything the bot did for the press, now that its handling has ended: the answer only.
    assert [(o.kind, o.text) for o in person.chat.consume_all()] == [("callback_answer", "")]
    assert len(telegram.calls("editMessageText")) == edits_before
    answers = [
        call
        for call in telegram.calls("answerCallbackQuery")
        if call.params.get("callback_query_id") == query["id"]
    ]
    assert [call.ok for call in answers] == [True]
    [shown] = [m for m in person.chat.messages if m.message_id == screen.message_id]
    assert (shown.html, shown.buttons) == (screen.html, screen.buttons)


# --- someone else's buttons ------------------------------------------------------------------

NOT_FOUND = "File not found."  # the alert for a file or check that is not the presser's


def callback_data(*screens: BotOutput) -> list[str]:
    """Every callback data the screens' buttons carry, each once, sorted: what a person who
    saw them could replay (or pass on to another)."""
    return sorted(
        {
            button.callback_data
            for screen in screens
            for row in screen.buttons
            for button in row
            if button.callback_data is not None
        }
    )


async def press_data(person: Person, data: str, on: BotOutput | None = None) -> BotOutput:
    """`person` presses a button carrying `data` (copied or forged) on the message `on`; the
    bot's next screen."""
    await person.chat.click_data(on, data)
    return await person.chat.next_screen()


def assert_not_found(answer: BotOutput, data: str) -> None:
    """The answer to a press of someone else's button: an alert that says "File not found."
    (the same as for a file that does not exist: whose it is stays unsaid)."""
    assert (answer.kind, answer.text, answer.show_alert) == (
        "callback_answer",
        NOT_FOUND,
        True,
    ), data


async def assert_refused(person: Person, data: str, on: BotOutput | None = None) -> None:
    """`person` presses someone else's button (`data`) and is refused: "File not found."."""
    assert_not_found(await press_data(person, data, on), data)
