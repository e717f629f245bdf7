"""Teams as the tests drive them: pressing through `/team` screens, and the invite link."""

import re

from tests.fake_telegram import BotOutput
from tests.support.app import Person

LINK = re.compile(r"https://t\.me/review_test_bot\?start=join_([A-Za-z0-9_-]+)")


async def press(person: Person, screen: BotOutput, button: str) -> tuple[str, BotOutput]:
    """Press `button` on `screen`: the notice on the button's answer ("" for none) and the
    screen that follows."""
    await person.chat.click(screen, button)
    first = await person.chat.next_screen()
    if first.kind == "callback_answer":
        return first.text, await person.chat.next_screen()
    return "", first


def invite_token(screen: BotOutput) -> str:
    found = LINK.search(screen.text)
    assert found is not None, screen.text
    return found.group(1)


async def create_team(owner: Person, name: str) -> BotOutput:
    """`/team` → "➕ New team" → the name: the new team's screen."""
    teams = await owner.say("/team")
    prompt = await owner.click(teams, "➕ New team")
    assert prompt.text == "Send the new team's name (1 to 64 characters). /cancel to stop."
    return await owner.say(name)
