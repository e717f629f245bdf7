"""The fake Telegram Bot API server: real HTTP on 127.0.0.1, strict like Telegram."""

from __future__ import annotations

import asyncio
import json
import re
from types import TracebackType
from typing import Any

from aiohttp import web

from tests.fake_telegram.methods_bot import ALL_HANDLERS
from tests.fake_telegram.models import ApiError, JsonDict, RecordedRequest, bad_request
from tests.fake_telegram.params import Params, Upload
from tests.fake_telegram.state import (
    QUERY_LIFETIME,
    CallbackQueryState,
    ChatState,
    WebhookState,
    World,
)
from tests.fake_telegram.users import TelegramUser
from tests.fake_telegram.webhook import WebhookPost, deliver_pending, post_update

TOKEN_RE = re.compile(r"\d+:[A-Za-z0-9_-]+")
CLIENT_MAX_SIZE = 64 * 1024 * 1024


class FakeTelegram:
    """A local Bot API server that a real aiogram ``Bot`` can talk to."""

    def __init__(
        self,
        token: str = "123456:TEST-token",
        *,
        strict_ampersand: bool = True,
        query_lifetime: float = QUERY_LIFETIME,
        delay: float = 0.0,
    ) -> None:
        """``query_lifetime``: seconds a callback query can be answered (Telegram: about 15).

        ``delay``: seconds added before every Bot API request and file download is served, as
        the round trip to Telegram would add (benchmarks use about 0.03); may be changed later.
        """
        if not TOKEN_RE.fullmatch(token):
            raise ValueError(f"not a Telegram-like bot token: {token!r}")
        self.world = World(token, strict_ampersand=strict_ampersand, query_lifetime=query_lifetime)
        self.requests: list[RecordedRequest] = []
        self._refused: list[RecordedRequest] = []
        self._expected: list[str] = []
        self._faults: dict[str, list[ApiError]] = {}
        self._runner: web.AppRunner | None = None
        self._url: str | None = None
        self._users: dict[int, TelegramUser] = {}
        self._revoked = False
        self.delay = delay

    # --- lifecycle ----------------------------------------------------------------------------

    @property
    def token(self) -> str:
        return self.world.token

    @property
    def url(self) -> str:
        if self._url is None:
            raise RuntimeError("FakeTelegram is not started: await fake.start() first")
        return self._url

    async def start(self, port: int = 0) -> None:
        """Listen on 127.0.0.1:``port`` (0: a free port, kept across ``stop``/``start``)."""
        app = web.Application(client_max_size=CLIENT_MAX_SIZE)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, handler_cancellation=True, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self._url = f"http://{host}:{port}"
        self.world.closing = False

    async def stop(self) -> None:
        self.world.closing = True
        self.world.updates_changed.notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    # --- the test's side ----------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        *,
        language_code: str | None = "en",
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        opened: bool = False,
    ) -> TelegramUser:
        """The user ``user_id`` (created on first call; the private chat id is the user id).

        ``opened=True``: the person started the bot before the test, so the bot may write to
        them at once (see ``TelegramUser.open_chat``).
        """
        existing = self._users.get(user_id)
        if existing is not None:
            return existing.open_chat() if opened else existing
        user: JsonDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        chat: JsonDict = {"id": user_id, "type": "private", "first_name": first_name}
        for key, value in (("last_name", last_name), ("username", username)):
            if value is not None:
                user[key] = chat[key] = value
        if language_code is not None:
            user["language_code"] = language_code
        self.world.chats[user_id] = ChatState(user=user, chat=chat, opened=opened)
        self._users[user_id] = TelegramUser(self, self.world.chats[user_id])
        return self._users[user_id]

    def in_group(
        self, member: TelegramUser, chat_id: int, *, kind: str = "supergroup"
    ) -> TelegramUser:
        """``member`` as seen in a group chat (negative ``chat_id``) that has the bot in it;
        what they send there comes from that chat, and the bot's answers land there."""
        assert chat_id < 0, "group chat ids are negative"
        chat: JsonDict = {"id": chat_id, "type": kind, "title": f"Group {-chat_id}"}
        self.world.chats[chat_id] = ChatState(user=member.user_dict, chat=chat, opened=True)
        return TelegramUser(self, self.world.chats[chat_id])

    def calls(self, method: str) -> list[RecordedRequest]:
        """Recorded requests of ``method`` (case-insensitive, like Telegram)."""
        return [r for r in self.requests if r.method.lower() == method.lower()]

    @property
    def refused(self) -> list[RecordedRequest]:
        """Requests answered ok=false that the test did not announce."""
        return list(self._refused)

    @property
    def dropped_links(self) -> list[str]:
        """``<a href>`` targets Telegram silently dropped (shown as plain text) as invalid."""
        return list(self.world.dropped_links)

    def unanswered_queries(self) -> list[CallbackQueryState]:
        """Callback queries the bot received (getUpdates) and has not answered."""
        return self.world.unanswered_queries()

    async def wait_for_answers(self, seconds: float) -> list[CallbackQueryState]:
        """Wait up to ``seconds`` for answers still on their way; the queries left open."""
        await self.world.queries_changed.wait_until(
            lambda: not self.world.unanswered_queries(), seconds
        )
        return self.world.unanswered_queries()

    # --- the webhook (see tests/fake_telegram/webhook.py) ------------------------------------

    @property
    def webhook(self) -> WebhookState | None:
        """The webhook the bot set (None: it polls, or nothing yet)."""
        return self.world.webhook

    async def deliver_webhook(
        self, via: str | list[str], *, concurrency: int = 1
    ) -> list[WebhookPost]:
        """Post every pending update to the webhook through ``via`` (the reverse proxy's or load
        balancer's addresses, ``http://127.0.0.1:PORT``; update i goes to ``via[i % n]``), with
        the secret; the acknowledged (2xx) ones are done, the others stay pending."""
        targets = [via] if isinstance(via, str) else list(via)
        return await deliver_pending(self.world, targets, concurrency=concurrency)

    async def post_update(
        self, update: JsonDict, via: str, *, secret: str | None = None
    ) -> WebhookPost:
        """Post one update as anyone could: with ``secret`` as the header (None: none)."""
        return await post_update(self.world, update, via, secret=secret)

    def fail_next(
        self,
        method: str,
        error_code: int = 429,
        description: str = "Too Many Requests: retry after 2",
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail exactly like Telegram would."""
        error = ApiError(description, error_code, retry_after, announced=True)
        self._faults.setdefault(method.lower(), []).extend([error] * times)

    def revoke_token(self) -> None:
        """As if the token were revoked in @BotFather: every call answers 401 Unauthorized."""
        self._revoked = True

    def block(self, user_id: int) -> None:
        """The user blocks the bot: 403 "Forbidden: bot was blocked by the user" from now on.

        Sends, edits, deletions, chat actions and answers to that user's queries all fail.
        """
        self.world.blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        self.world.blocked.discard(user_id)

    def expect_refusal(self, text: str) -> _ExpectedRefusal:
        """Refusals whose description contains ``text`` are expected (not in ``refused``).

        As a plain call it lasts for the rest of the test; as ``with`` only for the block.
        """
        self._expected.append(text)
        return _ExpectedRefusal(self, text)

    def forget_refusal(self, text: str) -> None:
        """Undo one ``expect_refusal(text)``."""
        if text in self._expected:
            self._expected.remove(text)

    # --- HTTP -------------------------------------------------------------------------------

    def _record(self, method: str, params: Params, error: ApiError | None) -> None:
        if error is None:
            self.requests.append(RecordedRequest(method, params.record(), ok=True))
            return
        entry = RecordedRequest(
            method, params.record(), ok=False, error=error.description, error_code=error.error_code
        )
        self.requests.append(entry)
        if not error.announced and not any(t in error.description for t in self._expected):
            self._refused.append(entry)

    async def _read_params(self, request: web.Request) -> Params:
        raw: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    raise bad_request("can't parse JSON encoded request parameters") from None
                if not isinstance(body, dict):
                    raise bad_request("JSON encoded request parameters must be an Object")
                raw.update(body)
            else:
                for key, value in (await request.post()).items():
                    if isinstance(value, web.FileField):
                        raw[key] = Upload(value.filename, value.file.read(), value.content_type)
                    else:
                        raw[key] = value
        return Params(raw)

    async def _call(self, token: str, method: str, params: Params) -> Any:
        if token != self.token:
            raise ApiError("Unauthorized", 401)
        if self._revoked:
            raise ApiError("Unauthorized", 401, announced=True)
        handler = ALL_HANDLERS.get(method.lower())
        if handler is None:
            raise ApiError("Not Found", 404)
        faults = self._faults.get(method.lower())
        if faults:
            fault = faults.pop(0)
            if method.lower() == "answercallbackquery" and fault.retry_after is not None:
                self.world.answer_flooded(
                    params.get_str("callback_query_id") or "", fault.retry_after
                )
            raise fault
        return await handler(self.world, params)

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = Params({})
        if self.delay > 0:
            await asyncio.sleep(self.delay)
        try:
            params = await self._read_params(request)
            result = await self._call(request.match_info["token"], method, params)
        except ApiError as error:
            self._record(method, params, error)
            body: JsonDict = {
                "ok": False,
                "error_code": error.error_code,
                "description": error.description,
            }
            if error.retry_after is not None:
                body["parameters"] = {"retry_after": error.retry_after}
            return web.json_response(body, status=error.error_code, dumps=json.dumps)
        self._record(method, params, None)
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        params = Params({"file_path": path})
        if self.delay > 0:
            await asyncio.sleep(self.delay)
        stored = self.world.files_by_path.get(path)
        if request.match_info["token"] != self.token or stored is None:
            self._record("downloadFile", params, ApiError("Not Found", 404))
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        self._record("downloadFile", params, None)
        return web.Response(body=stored.content, content_type="application/octet-stream")


class _ExpectedRefusal:
    """Returned by ``expect_refusal``: usable as a plain call or as a context manager."""

    def __init__(self, fake: FakeTelegram, text: str) -> None:
        self._fake = fake
        self._text = text

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._fake.forget_refusal(self._text)
