"""Confirmation codes against guessing and probing: tries sent at once cannot pass the 5-try
limit, look-ups that tell whether an address is registered count in the account's hourly limit,
and `name+tag@domain` counts as `name@domain` in the address's hourly limit."""

from sqlalchemy import select

from core.models import EmailConfirmation, User
from tests.support.app import BotApp


async def test_twenty_wrong_codes_at_once_use_up_the_code(bot_app: BotApp) -> None:
    """Sent without waiting for answers, so the bot handles them at the same time: only 5
    count as tries, and the right code sent afterwards is refused."""
    rex = bot_app.person("rex@example.com")
    code = await rex.ask_code()
    wrong = "123456" if code != "123456" else "654321"
    for _ in range(20):
        await rex.chat.send_text(wrong)
    answers = [(await rex.chat.next_screen()).text for _ in range(20)]
    refused = await rex.say(code)
    assert "Too many wrong tries" in refused.text
    assert sum("Wrong code." in text for text in answers) == 4
    assert sum("Too many wrong tries" in text for text in answers) == 16
    async with bot_app.session_factory() as session:
        assert await session.scalar(select(EmailConfirmation.attempts)) == 5
        assert await session.scalar(select(User)) is None


async def test_probing_addresses_with_login_stops_at_the_hourly_limit(bot_app: BotApp) -> None:
    eve = bot_app.person("eve@example.com")
    answers = []
    for number in range(8):
        await eve.say("/login")
        answers.append((await eve.say(f"probe{number}@example.com")).text)
    assert all("No account uses this address" in text for text in answers[:5]), answers
    for text in answers[5:]:
        assert "You have asked for 5 codes in the last hour" in text
        assert "You can ask for a new code in 60 minutes." in text
    assert bot_app.smtp.messages == []


async def test_a_lookup_counts_but_does_not_delay_the_next_code(bot_app: BotApp) -> None:
    """A mistyped address at /login does not make the person wait the minute between codes;
    `/start` with an address already registered counts as a look-up too."""
    await bot_app.registered("taken@example.com")
    fay = bot_app.person("fay@example.com")
    await fay.say("/login")
    assert "No account uses this address" in (await fay.say("fay@example.com")).text
    for _ in range(3):
        await fay.say("/start")
        assert "already" in (await fay.say("taken@example.com")).text
    code = await fay.ask_code("/start")  # the fifth in the hour: a code, at once
    assert len(code) == 6
    await fay.say("/login")
    refused = await fay.say("nobody@example.com")
    assert "You have asked for 5 codes in the last hour" in refused.text


async def test_plus_tags_count_as_one_address(bot_app: BotApp) -> None:
    for tag in range(1, 6):
        person = bot_app.person(f"ann+{tag}@example.com")
        assert len(await person.ask_code()) == 6
    other = bot_app.person("ann@example.com")
    await other.say("/start")
    refused = await other.say("Ann@EXAMPLE.com")
    assert "This address has had 5 codes in the last hour" in refused.text
    tagged = bot_app.person("ann+9@example.com")
    await tagged.say("/start")
    assert "This address has had 5 codes" in (await tagged.say("ann+9@example.com")).text
    assert len(bot_app.smtp.messages) == 5
