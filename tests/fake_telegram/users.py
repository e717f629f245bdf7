"""A Telegram user who talks to the bot in a private chat, seen from the test."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tests.fake_telegram.models import BotOutput, JsonDict, StoredMessage
from tests.fake_telegram.state import ChatState

if TYPE_CHECKING:
    from tests.fake_telegram.server import FakeTelegram

COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,32})?")


class TelegramUser:
    """Sends updates as the user and reads what the bot did in the user's private chat."""

    def __init__(self, fake: FakeTelegram, chat: ChatState) -> None:
        self._fake = fake
        self._world = fake.world
        self._chat = chat
        # The update_id of what this user sent last (``fake.world.delivered_at`` is keyed by it).
        self.last_update_id: int | None = None

    @property
    def id(self) -> int:
        return int(self._chat.user["id"])

    @property
    def chat_id(self) -> int:
        return self._chat.chat_id

    @property
    def user_dict(self) -> JsonDict:
        return dict(self._chat.user)

    @property
    def chat_opened(self) -> bool:
        return self._chat.opened

    def open_chat(self) -> TelegramUser:
        """This person started the bot earlier: the bot may write to them from now on.

        (Anything the user sends opens the chat too; until then Telegram answers the bot
        "chat not found".)
        """
        self._chat.opened = True
        return self

    # --- acting as the user ---------------------------------------------------------------

    def _user_message(self, **content: object) -> JsonDict:
        self._chat.opened = True
        message = StoredMessage(
            message_id=self._chat.new_message_id(),
            chat_id=self.chat_id,
            from_bot=False,
            date=self._world.now(),
        )
        self._chat.messages[message.message_id] = message
        result: JsonDict = {
            "message_id": message.message_id,
            "from": self._chat.user,
            "chat": self._chat.chat,
            "date": message.date,
            **content,
        }
        self.last_update_id = self._world.push_update("message", result)["update_id"]
        return result

    async def send_text(self, text: str) -> JsonDict:
        """Send a text message; a leading /command gets its bot_command entity."""
        content: dict[str, object] = {"text": text}
        command = COMMAND_RE.match(text)
        if command is not None:
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": command.end()}]
        return self._user_message(**content)

    async def reply_text(self, target: BotOutput | int, text: str) -> JsonDict:
        """Send a text in reply to a message of this chat (Telegram puts the whole replied-to
        message in ``reply_to_message``)."""
        message_id = target.message_id if isinstance(target, BotOutput) else target
        replied = self._chat.messages.get(message_id) if message_id is not None else None
        if replied is None:
            raise AssertionError(f"no message #{message_id} in chat {self.chat_id} to reply to")
        return self._user_message(text=text, reply_to_message=self._world.message_dict(replied))

    async def send_formatted(
        self,
        text: str,
        entities: list[JsonDict],
        reply_to: BotOutput | int | None = None,
    ) -> JsonDict:
        """Send a text with the entities a Telegram app would attach (a ``pre`` block, say),
        in reply to a message of this chat when ``reply_to`` is given."""
        content: dict[str, object] = {"text": text, "entities": entities}
        if reply_to is not None:
            message_id = reply_to.message_id if isinstance(reply_to, BotOutput) else reply_to
            replied = self._chat.messages.get(message_id) if message_id is not None else None
            if replied is None:
                raise AssertionError(f"no message #{message_id} in chat {self.chat_id}")
            content["reply_to_message"] = self._world.message_dict(replied)
        return self._user_message(**content)

    async def send_document(
        self,
        filename: str | None,
        content: bytes,
        file_size: int | None = None,
        mime_type: str | None = None,
        caption: str | None = None,
        media_group_id: str | None = None,
    ) -> JsonDict:
        """Send a document; ``file_size`` lets a test claim a size without sending the bytes.

        ``media_group_id``: part of an album (Telegram sends each of its files as an update).
        """
        stored = self._world.new_file(content, filename, mime_type, file_size)
        extra: dict[str, object] = {"document": stored.document_dict()}
        if caption is not None:
            extra["caption"] = caption
        if media_group_id is not None:
            extra["media_group_id"] = media_group_id
        return self._user_message(**extra)

    def _bot_message(self, target: BotOutput | int) -> StoredMessage:
        if isinstance(target, BotOutput):
            if target.chat_id != self.chat_id:
                raise AssertionError(
                    f"user {self.id} cannot press buttons of a message in chat {target.chat_id}"
                )
            if target.message_id is None:
                raise AssertionError(f"{target.describe()} is not a message")
            target = target.message_id
        message = self._chat.messages.get(target)
        if message is None or not message.from_bot:
            raise AssertionError(
                f"no bot message #{target} in chat {self.chat_id} (deleted or never sent); "
                f"current messages: {[m.describe() for m in self.messages]}"
            )
        return message

    def _send_callback(self, message: StoredMessage, data: str) -> JsonDict:
        self._chat.opened = True
        state = self._world.new_query(self.chat_id, data)
        query: JsonDict = {
            "id": state.query_id,
            "from": self._chat.user,
            "message": self._world.message_dict(message),
            "chat_instance": f"-{self.chat_id}0042",
            "data": data,
        }
        self.last_update_id = self._world.push_update("callback_query", query)["update_id"]
        return query

    async def click(self, target: BotOutput | int, button: str) -> JsonDict:
        """Press the inline button whose text or callback_data is ``button``.

        ``target`` is an output (or message id) of this chat; the button is looked up on the
        message's current keyboard. Returns the callback query sent to the bot.
        """
        message = self._bot_message(target)
        current = message.to_output("message")
        found = current.find_button(button)
        if found is None:
            raise AssertionError(
                f"no button {button!r} on message #{message.message_id}; "
                f"buttons: {[[(b.text, b.callback_data) for b in row] for row in current.buttons]}"
            )
        if found.callback_data is None:
            raise AssertionError(f"button {found.text!r} has no callback_data (url={found.url})")
        return self._send_callback(message, found.callback_data)

    async def click_data(self, target: BotOutput | int | None, data: str) -> JsonDict:
        """Send a callback query with arbitrary ``data`` on a bot message of THIS user's chat.

        ``target`` None means the latest bot message in this chat. To forge or replay data as
        another user, take the data from one user's output and send it from another user's
        own message (a real client can only press buttons on messages it can see).
        """
        if target is None:
            mine = [m for m in self._chat.messages.values() if m.from_bot]
            if not mine:
                raise AssertionError(f"no bot message in chat {self.chat_id} to click on")
            target = mine[-1].message_id
        return self._send_callback(self._bot_message(target), data)

    # --- observing the bot --------------------------------------------------------------

    @property
    def messages(self) -> list[BotOutput]:
        """Current state (after edits, without deleted ones) of the bot's messages here."""
        return [
            m.to_output("document" if m.document else "message")
            for m in self._chat.messages.values()
            if m.from_bot
        ]

    @property
    def outputs(self) -> list[BotOutput]:
        """Everything the bot did in this chat, consumed or not."""
        return list(self._chat.outputs)

    def _dump(self, what: str, timeout: float) -> str:
        chat = self._chat
        lines = [f"{what} in chat {self.chat_id} within {timeout}s."]
        lines.append("Outputs so far (consumed first):")
        lines.extend(
            f"  {'*' if i >= chat.cursor else ' '} {o.describe()}"
            for i, o in enumerate(chat.outputs)
        )
        if not chat.outputs:
            lines.append("  (none)")
        refused = [r for r in self._fake.requests if not r.ok]
        lines.append(f"Refused requests ({len(refused)}):")
        lines.extend(f"  {r}" for r in refused[-10:])
        calls = [r.method for r in self._fake.requests if r.method != "getUpdates"]
        lines.append(f"Last calls: {calls[-15:]}")
        return "\n".join(lines)

    async def next_output(self, timeout: float = 10.0) -> BotOutput:  # noqa: ASYNC109
        """The next thing the bot did in this chat (in order), not yet consumed."""
        chat = self._chat
        arrived = await chat.changed.wait_until(lambda: len(chat.outputs) > chat.cursor, timeout)
        if not arrived:
            raise AssertionError(self._dump("Nothing new from the bot", timeout))
        output = chat.outputs[chat.cursor]
        chat.cursor += 1
        return output

    async def next_screen(self, timeout: float = 10.0) -> BotOutput:  # noqa: ASYNC109
        """Like next_output, skipping callback answers that show no text."""
        while True:
            output = await self.next_output(timeout)
            if output.kind != "callback_answer" or output.text:
                return output

    def consume_all(self) -> list[BotOutput]:
        """Mark every output so far as consumed; returns the ones not consumed before."""
        skipped = self._chat.outputs[self._chat.cursor :]
        self._chat.cursor = len(self._chat.outputs)
        return skipped

    async def no_output(self, within: float = 0.5) -> None:
        """Assert that the bot does nothing new in this chat for ``within`` seconds."""
        chat = self._chat
        if await chat.changed.wait_until(lambda: len(chat.outputs) > chat.cursor, within):
            raise AssertionError(self._dump("Unexpected output from the bot", within))
