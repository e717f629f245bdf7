"""A person registers with an email address confirmed by a one-time code."""

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.clock import ManualClock
from core.models import EmailConfirmation, TelegramAccount, User
from tests.support.app import BotApp
from tests.support.smtp import body_text, code_in

# What README promises for stored codes: PBKDF2-HMAC-SHA256, 100,000 iterations, own salt.
README_PBKDF2_ITERATIONS = 100_000


@pytest.fixture
def clock() -> ManualClock:
    """The bot's clock in these tests: it stands still until a test moves it."""
    return ManualClock()


def _mails_to(app: BotApp, fragment: str) -> list[str]:
    return [str(m["To"]) for m in app.smtp.messages if fragment in str(m["To"])]


async def test_person_registers_with_the_code_sent_by_email(bot_app: BotApp) -> None:
    ann = bot_app.person("ann@example.com")

    welcome = await ann.say("/start")
    assert "send me your email address" in welcome.text

    refused = await ann.say("not-an-address")
    assert "does not look right" in refused.text
    assert "there is no @-sign in it." in refused.text  # the reason, in our own words

    sent = await ann.say("Ann@Example.com")
    assert "I sent a 6-digit code to ann@example.com" in sent.text
    mail = await bot_app.smtp.wait_for("ann@example.com")
    code = code_in(mail)
    assert mail["Subject"] == f"Your reviewbot code: {code}"
    assert "10 minutes" in body_text(mail)

    wrong = "000000" if code != "000000" else "111111"
    assert "Wrong code. 4 tries left." in (await ann.say(wrong)).text
    done = await ann.say(code)
    assert "ann@example.com is confirmed" in done.text

    async with bot_app.session_factory() as session:
        user = (await session.scalars(select(User))).one()
        account = await session.scalar(
            select(TelegramAccount).where(TelegramAccount.telegram_id == ann.chat.id)
        )
        confirmation = (await session.scalars(select(EmailConfirmation))).one()
    assert user.email == "ann@example.com"
    assert account is not None
    assert account.user_id == user.id
    stored = confirmation.code_hash + confirmation.code_salt
    assert code.encode() not in stored
    assert code not in stored.hex()

    again = await ann.say("/start")
    assert "signed in as ann@example.com" in again.text


async def test_five_wrong_codes_kill_the_code(bot_app: BotApp) -> None:
    bob = bot_app.person("bob@example.com")
    code = await bob.ask_code()
    wrong = "123456" if code != "123456" else "654321"
    for left in (4, 3, 2, 1):
        answer = await bob.say(wrong)
        assert f"Wrong code. {left} tr" in answer.text
    dead = await bob.say(wrong)
    assert "Too many wrong tries" in dead.text
    still_dead = await bob.say(code)  # even the right code no longer works
    assert "Too many wrong tries" in still_dead.text
    async with bot_app.session_factory() as session:
        assert await session.scalar(select(User)) is None


async def test_a_code_works_until_its_tenth_minute_is_over(
    bot_app: BotApp, clock: ManualClock
) -> None:
    cal = bot_app.person("cal@example.com")
    code = await cal.ask_code()
    clock.advance(timedelta(minutes=9, seconds=59))
    assert "cal@example.com is confirmed" in (await cal.say(code)).text


async def test_expired_code_is_refused_and_a_new_one_works(
    bot_app: BotApp, clock: ManualClock
) -> None:
    cid = bot_app.person("cid@example.com")
    code = await cid.ask_code()
    sent_screen = cid.chat.messages[-1]
    clock.advance(timedelta(minutes=10, seconds=1))
    assert "has expired" in (await cid.say(code)).text

    fresh = await cid.click(sent_screen, "Send a new code")
    assert "I sent a 6-digit code to cid@example.com" in fresh.text
    new_code = code_in(await bot_app.smtp.wait_for("cid@example.com", count=2))
    assert "is confirmed" in (await cid.say(new_code)).text


async def test_a_new_code_waits_a_minute(bot_app: BotApp, clock: ManualClock) -> None:
    dan = bot_app.person("dan@example.com")
    await dan.ask_code()
    sent_screen = dan.chat.messages[-1]
    too_soon = await dan.click(sent_screen, "Send a new code")
    assert too_soon.kind == "message"
    assert "You can ask for a new code in 60 seconds." in too_soon.text
    clock.advance(timedelta(seconds=59))
    still_too_soon = await dan.click(sent_screen, "Send a new code")
    assert "You can ask for a new code in 1 second." in still_too_soon.text
    assert len(_mails_to(bot_app, "dan@")) == 1

    clock.advance(timedelta(seconds=2))
    fresh = await dan.click(sent_screen, "Send a new code")
    assert "I sent a 6-digit code to dan@example.com" in fresh.text
    new_code = code_in(await bot_app.smtp.wait_for("dan@example.com", count=2))
    assert "dan@example.com is confirmed" in (await dan.say(new_code)).text


async def test_codes_are_stored_as_pbkdf2_hashes_each_with_its_own_salt(
    bot_app: BotApp, clock: ManualClock
) -> None:
    eli = bot_app.person("eli@example.com")
    first_code = await eli.ask_code()
    clock.advance(timedelta(seconds=61))
    await eli.click(eli.chat.messages[-1], "Send a new code")
    second_code = code_in(await bot_app.smtp.wait_for("eli@example.com", count=2))

    async with bot_app.session_factory() as session:
        query = select(EmailConfirmation).order_by(EmailConfirmation.id)
        first, second = (await session.scalars(query)).all()
    assert len(first.code_salt) >= 16
    assert first.code_salt != second.code_salt
    for code, row in ((first_code, first), (second_code, second)):
        expected = hashlib.pbkdf2_hmac(
            "sha256", code.encode(), row.code_salt, README_PBKDF2_ITERATIONS
        )
        assert row.code_hash == expected


async def test_garbage_in_the_code_step_gets_a_hint(bot_app: BotApp) -> None:
    eve = bot_app.person("eve@example.com")
    await eve.ask_code()
    assert "send the 6-digit code" in (await eve.say("12 34")).text
    assert "Cancelled." in (await eve.say("/cancel")).text
    assert "nothing to cancel" in (await eve.say("/cancel")).text


async def test_registered_address_cannot_be_registered_again(bot_app: BotApp) -> None:
    first = bot_app.person("shared@example.com")
    await first.register()
    second = bot_app.person("shared@example.com")
    await second.say("/start")
    answer = await second.say("shared@example.com")
    assert "already belongs to an account" in answer.text
    assert "/login" in answer.text
    assert len(bot_app.smtp.messages) == 1  # only the first registration's code


async def test_login_links_a_second_account_and_logout_unlinks_it(bot_app: BotApp) -> None:
    phone = bot_app.person("fay@example.com")
    await phone.register()
    await phone.upload("job.py", b"print('hi')\n")

    laptop = bot_app.person("fay@example.com")
    assert "Send the email address of your account" in (await laptop.say("/login")).text
    code = await laptop.ask_code("/login")
    assert "signed in as fay@example.com" in (await laptop.say(code)).text
    note = await phone.chat.next_screen()  # the account signed in before is told
    assert "signed in from another Telegram account" in note.text
    listing = await laptop.files()
    assert listing.has_button("job.py · v1 · 🆕")

    assert "Signed out of fay@example.com" in (await laptop.say("/logout")).text
    assert "You need an account first" in (await laptop.files()).text
    assert (await phone.files()).has_button("job.py · v1 · 🆕")  # the other account stays


async def test_login_with_an_unknown_address_points_to_start(bot_app: BotApp) -> None:
    gus = bot_app.person("gus@example.com")
    await gus.say("/login")
    answer = await gus.say("gus@example.com")
    assert "No account uses this address" in answer.text
    assert bot_app.smtp.messages == []


async def test_smtp_refusal_is_explained_and_nothing_is_kept(bot_app: BotApp) -> None:
    hal = bot_app.person("hal@example.com")
    await hal.say("/start")
    bot_app.smtp.refuse_next("451 4.3.0 Try again later")
    answer = await hal.say("hal@example.com")
    assert "could not send the email" in answer.text
    async with bot_app.session_factory() as session:
        assert await session.scalar(select(EmailConfirmation)) is None
    retried = await hal.say("hal@example.com")  # no minute's wait after a failed send
    assert "I sent a 6-digit code" in retried.text
