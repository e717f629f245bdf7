"""Sending a review notice into a person's chat, or one line into the team's group chat (the
Telegram side of the review notices' outbox), paced with the results by the same `Pacer`."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiogram import Bot
from aiogram.utils.i18n import I18n

from bot.features.reviews.notice_keyboards import build_notice_kb
from bot.features.reviews.notice_texts import notice_message
from bot.notify import telegram_delivery_errors
from bot.retry_after import caller_retries
from core.i18n import pick_locale
from core.notice_delivery import NoticeSend
from core.services.notices import Notice
from infra.pacing import Pacer


class TelegramNoticeSender:
    def __init__(
        self, bot: Bot, i18n: I18n, pacer: Pacer | None = None, *, webapp_url: str = ""
    ) -> None:
        self._bot = bot
        self._i18n = i18n
        self._pacer = pacer or Pacer()
        self._webapp_url = webapp_url  # WEBAPP_URL: Open goes to the Mini App's code view

    @asynccontextmanager
    async def opened(self) -> AsyncIterator[NoticeSend]:
        """Nothing to open: the bot's own HTTP session is reused."""
        yield self.send

    async def send(self, notice: Notice) -> int:
        """The message's id (a reply to it comments on the submission)."""
        assert notice.chat_id is not None  # the review job fails chat-less notices itself
        with self._i18n.context(), self._i18n.use_locale(pick_locale(notice.locale)):
            text = notice_message(notice)
            keyboard = build_notice_kb(notice, self._webapp_url)
        with telegram_delivery_errors(self._bot, self._pacer):
            async with self._pacer.sending(notice.chat_id):
                with caller_retries():
                    message = await self._bot.send_message(
                        notice.chat_id, text, reply_markup=keyboard
                    )
        return message.message_id
