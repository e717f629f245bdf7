"""People registered without the chat: for tests whose subject is not registration."""

from core.models import TelegramAccount, User, utcnow
from core.services.accounts import touch_account
from tests.support.app import BotApp, Person


async def seeded(app: BotApp, email: str, *, language_code: str = "en") -> Person:
    """A person as /start, the address and the mailed code leave them (the account the bot
    makes at the first update, a user with the confirmed address, the two linked), written with
    the services instead of three round trips and a mail. Registration's own tests keep
    `BotApp.registered`, which goes through the chat."""
    person = app.person(email, language_code=language_code)
    async with app.session_factory() as session:
        view = await touch_account(
            session, telegram_id=person.chat.id, chat_id=person.chat.id,
            language_code=language_code,
        )  # fmt: skip
        now = utcnow()
        user = User(email=email, email_confirmed_at=now)
        session.add(user)
        await session.flush()
        account = await session.get_one(TelegramAccount, view.account_id)
        account.user_id = user.id
        account.linked_at = now
        await session.commit()
    return person
