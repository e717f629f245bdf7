"""A person registers with an email address confirmed by a one-time code."""

from sqlalchemy import select, update

from core.models import EmailConfirmation, TelegramAccount, User, utcnow
from tests.support.app import BotApp
from tests.support.smtp import body_text, code_in


async def test_person_registers_with_the_code_sent_by_email(bot_app: BotApp) -> None:
    ann = bot_app.person("ann@example.com")

    welcome = await ann.say("/start")
    assert "send me your email address" in welcome.text

    refused = await ann.say("not-an-address")
    assert "does not look right" in refused.text
    assert "@-sign" in refused.text  # the reason itself, from the validator

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
