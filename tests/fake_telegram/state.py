"""Everything the fake Telegram remembers: chats, messages, files, updates, queries."""

from __future__ import annotations

import asyncio
import itertools
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.fake_telegram.models import (
    ApiError,
    BotOutput,
    JsonDict,
    StoredFile,
    StoredMessage,
    bad_request,
)
from tests.fake_telegram.polling import PollSlot

# Telegram's default when allowed_updates was never set or set to [].
NOT_DEFAULT_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# How long a callback query can be answered (Telegram shows the spinner until then).
QUERY_LIFETIME = 15.0
BLOCKED = "Forbidden: bot was blocked by the user"


class Signal:
    """Wakes every coroutine waiting for some state to change."""

    def __init__(self) -> None:
        self._waiters: set[asyncio.Future[None]] = set()

    def notify(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def wait_until(self, predicate: Callable[[], bool], seconds: float) -> bool:
        """Wait until ``predicate()`` holds; False when ``seconds`` passed first."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.add(waiter)
            try:
                await asyncio.wait_for(waiter, remaining)
            except TimeoutError:
                pass
            finally:
                self._waiters.discard(waiter)
        return True


@dataclass
class ChatState:
    """A private chat between the bot and one user.

    Until ``opened`` (the user sent the bot something, or the test says they did earlier) the
    bot cannot write there: Telegram answers "chat not found".
    """

    user: JsonDict
    chat: JsonDict
    opened: bool = False
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    outputs: list[BotOutput] = field(default_factory=list)
    cursor: int = 0
    next_message_id: int = 1
    changed: Signal = field(default_factory=Signal)

    @property
    def chat_id(self) -> int:
        return int(self.chat["id"])

    @property
    def private(self) -> bool:
        return self.chat.get("type") == "private"

    def new_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def add_output(self, output: BotOutput) -> None:
        self.outputs.append(output)
        self.changed.notify()


@dataclass
class WebhookState:
    """The webhook set with setWebhook: Telegram posts updates there instead of getUpdates."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    # Deliveries that failed, as getWebhookInfo reports them.
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class CallbackQueryState:
    """A button press: open (spinner shown) until the bot answers it or its lifetime ends."""

    query_id: str
    chat_id: int
    data: str
    created_at: float = field(default_factory=time.monotonic)
    delivered: bool = False  # the bot received it through getUpdates
    answered: bool = False
    # Telegram told the bot to wait (429) longer than the query lives: no answer can be given.
    unanswerable: bool = False

    def describe(self) -> str:
        return f"query {self.query_id} (data {self.data!r}) in chat {self.chat_id}"


class World:
    """The shared state behind the HTTP server and the TelegramUser helpers."""

    def __init__(
        self, token: str, *, strict_ampersand: bool = True, query_lifetime: float = QUERY_LIFETIME
    ) -> None:
        self.token = token
        self.strict_ampersand = strict_ampersand
        self.query_lifetime = query_lifetime
        self.bot_user: JsonDict = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": "Review Bot",
            "username": "review_test_bot",
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.chats: dict[int, ChatState] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.queries: dict[str, CallbackQueryState] = {}
        self.queries_changed = Signal()
        self.dropped_links: list[str] = []
        self.commands: dict[tuple[str, str], list[JsonDict]] = {}
        # The chat menu button: the default one (key None) and those of single private chats.
        self.menu_buttons: dict[int | None, JsonDict] = {}
        self.blocked: set[int] = set()
        self.updates: list[JsonDict] = []
        # update_id -> when getUpdates handed it to the bot (time.monotonic(), the first time)
        self.delivered_at: dict[int, float] = {}
        self.allowed_updates: list[str] = []
        self.updates_changed = Signal()
        self.polls = PollSlot(self.updates_changed.notify)
        self.webhook: WebhookState | None = None
        self.closing = False
        self._update_ids = itertools.count(700_000_001)
        self._serial = itertools.count(1)

    # --- chats and messages -------------------------------------------------------------

    def chat(self, chat_id: int) -> ChatState:
        """A chat the bot may use: one the user opened, else "chat not found"."""
        state = self.chats.get(chat_id)
        if state is None or not state.opened:
            raise bad_request("chat not found")
        return state

    def reachable_chat(self, chat_id: int) -> ChatState:
        """Like ``chat``, refused with 403 when the user blocked the bot (announced by block)."""
        state = self.chat(chat_id)
        if chat_id in self.blocked:
            raise ApiError(BLOCKED, 403, announced=True)
        return state

    def known_user(self, user_id: int) -> JsonDict | None:
        """The user, if the bot has met them (they opened their chat)."""
        state = self.chats.get(user_id)
        return dict(state.user) if state is not None and state.opened else None

    def message_dict(self, message: StoredMessage) -> JsonDict:
        chat = self.chats[message.chat_id]
        result: JsonDict = {
            "message_id": message.message_id,
            "from": self.bot_user if message.from_bot else chat.user,
            "chat": chat.chat,
            "date": message.date,
        }
        if message.edit_date is not None:
            result["edit_date"] = message.edit_date
        if message.document is not None:
            result["document"] = message.document.document_dict()
            if message.text:
                result["caption"] = message.text
            if message.entities:
                result["caption_entities"] = message.entities
        else:
            result["text"] = message.text or ""
            if message.entities:
                result["entities"] = message.entities
        if message.reply_markup is not None and "inline_keyboard" in message.reply_markup:
            result["reply_markup"] = message.reply_markup
        return result

    # --- files ----------------------------------------------------------------------------

    def new_file(
        self,
        content: bytes,
        filename: str | None,
        mime_type: str | None = None,
        size: int | None = None,
    ) -> StoredFile:
        serial = next(self._serial)
        stored = StoredFile(
            file_id=f"BQACAgIAAxkBAAI{serial:04d}{secrets.token_urlsafe(24)}",
            file_unique_id=f"AgAD{serial:04d}{secrets.token_urlsafe(6)}",
            content=content,
            size=len(content) if size is None else size,
            filename=filename,
            mime_type=mime_type,
        )
        self.files[stored.file_id] = stored
        return stored

    def file_path_for(self, stored: StoredFile) -> str:
        if stored.file_path is None:
            suffix = ""
            if stored.filename and "." in stored.filename:
                suffix = "." + stored.filename.rsplit(".", 1)[1]
            stored.file_path = f"documents/file_{next(self._serial)}{suffix}"
            self.files_by_path[stored.file_path] = stored
        return stored.file_path

    # --- callback queries -------------------------------------------------------------------

    def new_query(self, chat_id: int, data: str) -> CallbackQueryState:
        query_id = f"{next(self._serial)}{secrets.randbelow(10**12):012d}"
        query = CallbackQueryState(query_id=query_id, chat_id=chat_id, data=data)
        self.queries[query_id] = query
        return query

    def answer_query(self, query_id: str) -> CallbackQueryState:
        """Close the spinner of a query still open; Telegram's refusal otherwise."""
        query = self.queries.get(query_id)
        expired = query is not None and time.monotonic() - query.created_at >= self.query_lifetime
        if query is None or query.answered or expired:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        if query.chat_id in self.blocked:
            query.answered = True  # the bot tried; the user will not see a spinner any more
            self.queries_changed.notify()
            raise ApiError(BLOCKED, 403, announced=True)
        query.answered = True
        self.queries_changed.notify()
        return query

    def answer_flooded(self, query_id: str, retry_after: float) -> None:
        """The answer to ``query_id`` got a 429: a wait that outlives the query leaves the bot
        no way to answer it (a later try is refused as too old), so it is not held against it.
        """
        query = self.queries.get(query_id)
        if query is None:
            return
        if time.monotonic() + retry_after - query.created_at >= self.query_lifetime:
            query.unanswerable = True
            self.queries_changed.notify()

    def unanswered_queries(self) -> list[CallbackQueryState]:
        """Queries the bot received but never answered (nor could answer in time)."""
        return [
            q
            for q in self.queries.values()
            if q.delivered and not q.answered and not q.unanswerable
        ]

    # --- updates ----------------------------------------------------------------------------

    def push_update(self, kind: str, payload: JsonDict) -> JsonDict:
        update = {"update_id": next(self._update_ids), kind: payload}
        self.updates.append(update)
        self.updates_changed.notify()
        return update

    def _allowed(self, update: JsonDict) -> bool:
        kind = next(key for key in update if key != "update_id")
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in NOT_DEFAULT_UPDATES

    def confirm(self, offset: int | None) -> None:
        if offset is None:
            return
        if offset < 0:
            self.updates = self.updates[offset:]
        else:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]

    def pending(self, limit: int) -> list[JsonDict]:
        self.updates = [u for u in self.updates if self._allowed(u)]
        return self.updates[:limit]

    def deliver(self, updates: list[JsonDict]) -> list[JsonDict]:
        """Hand ``updates`` to the bot; their callback queries now wait for an answer."""
        now = time.monotonic()
        for update in updates:
            self.delivered_at.setdefault(update["update_id"], now)
            query = update.get("callback_query")
            if query is not None:
                self.queries[query["id"]].delivered = True
        return updates

    def now(self) -> int:
        return int(time.time())
