"""The HTTP session the Bot talks to the Bot API through: aiogram's, with two costs removed.

- Each answer is read as `Response[<what the method returns>]`, a pydantic generic model that
  aiogram builds on every call; pydantic keeps built ones only in a weak cache, so once the
  garbage collector has run, the next call builds it again: milliseconds of CPU for a Message
  (bench/bot_api.py). The types built here are kept, so each is built once per process.
- Closing waits 250 ms for TLS connections to close (aiohttp's advice); over plain HTTP (a
  local Bot API server, the tests' fake one) there are none, and no pause.
"""

from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

# What a method returns -> Response[that], held so that pydantic's weak cache keeps it.
_RESPONSE_TYPES: dict[Any, type[Response[Any]]] = {}


def keep_response_type(returning: Any) -> type[Response[Any]]:
    """`Response[returning]`, built at most once in this process."""
    kept = _RESPONSE_TYPES.get(returning)
    if kept is None:
        kept = _RESPONSE_TYPES[returning] = Response[returning]
    return kept


class BotApiSession(AiohttpSession):
    def check_response(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        status_code: int,
        content: str,
    ) -> Response[TelegramType]:
        keep_response_type(method.__returning__)  # aiogram's `Response[...]` finds it built
        return super().check_response(bot, method, status_code, content)

    async def close(self) -> None:
        if self.api.base.startswith("https://"):
            await super().close()
        elif self._session is not None and not self._session.closed:
            await self._session.close()
