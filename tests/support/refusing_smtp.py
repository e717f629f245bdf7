"""A real SMTP server (aiosmtpd) that answers what a test tells it at each stage: 421 at connect,
450 at RCPT for the first seconds (greylisting), 535 at AUTH for a wrong password, 530 at MAIL,
550 at RCPT, 552 at DATA… and keeps the messages it accepts."""

import email
import email.policy
import functools
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from email.message import EmailMessage
from typing import Any, TypeVar, cast

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

from tests.support.smtp import free_port

STAGES = ("CONNECT", "HELO", "AUTH", "MAIL", "RCPT", "DATA")
USERNAME = "reviewbot"
PASSWORD = "right-password"  # the test server's own


_Hook = TypeVar("_Hook", bound=Callable[..., Awaitable[Any]])


def _refusable(stage: str, *, as_list: bool = False) -> Callable[[_Hook], _Hook]:
    """A hook of `_Script` that first asks the script: a refusal set for `stage` is answered
    instead (as a list of lines for EHLO); otherwise the hook accepts as it says."""

    def wrap(accept: _Hook) -> _Hook:
        @functools.wraps(accept)  # aiosmtpd reads the hook's signature: keep the original's
        async def hook(script: "_Script", *args: Any) -> Any:
            refusal = script.answer(stage)
            if refusal is not None:
                return [refusal] if as_list else refusal
            return await accept(script, *args)

        return cast(_Hook, hook)

    return wrap


class _Script:
    """What to answer, shared between the test and the server's thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.answers: dict[str, tuple[str, float]] = {}  # stage -> (reply, until monotonic)
        self.asked: Counter[str] = Counter()  # stage -> commands received
        self.messages: list[EmailMessage] = []

    def answer(self, stage: str) -> str | None:
        with self.lock:
            self.asked[stage] += 1
            reply, until = self.answers.get(stage, ("", 0.0))
            return reply if time.monotonic() < until else None

    @_refusable("HELO", as_list=True)
    async def handle_EHLO(  # noqa: N802 - aiosmtpd's hook names
        self, _server: Any, session: Any, _envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        return responses

    @_refusable("HELO")
    async def handle_HELO(  # noqa: N802
        self, _server: Any, session: Any, _envelope: Any, hostname: str
    ) -> str:
        session.host_name = hostname
        return "250 refusing-smtp"

    @_refusable("MAIL")
    async def handle_MAIL(  # noqa: N802
        self, _server: Any, _session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    @_refusable("RCPT")
    async def handle_RCPT(  # noqa: N802
        self, _server: Any, _session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    @_refusable("DATA")
    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def authenticate(
        self, _server: Any, _session: Any, _envelope: Any, _mechanism: str, data: Any
    ) -> AuthResult:
        refusal = self.answer("AUTH")
        if refusal is not None:
            return AuthResult(success=False, handled=False, message=refusal)
        right = isinstance(data, LoginPassword) and (data.login, data.password) == (
            USERNAME.encode(),
            PASSWORD.encode(),
        )
        # aiosmtpd answers 535 5.7.8 when not (and warns that it sets Session.login_data when
        # it is: tests using AUTH ignore that DeprecationWarning).
        return AuthResult(success=right, handled=False)


class _Server(SMTP):
    def __init__(self, script: _Script, **kwargs: Any) -> None:
        super().__init__(script, **kwargs)
        self._script = script

    async def _handle_client(self) -> None:
        refusal = self._script.answer("CONNECT")
        if refusal is None:
            await super()._handle_client()
            return
        await self.push(refusal)
        assert self.transport is not None
        self.transport.close()


class _Controller(Controller):
    def __init__(self, script: _Script, port: int) -> None:
        super().__init__(
            script,
            hostname="127.0.0.1",
            port=port,
            authenticator=script.authenticate,
            auth_require_tls=False,
        )
        self._script = script

    def factory(self) -> SMTP:
        return _Server(self._script, **self.SMTP_kwargs)


class RefusingSmtp:
    """Started and stopped by the test (`with RefusingSmtp() as server:`). It offers AUTH and
    accepts USERNAME with PASSWORD; `refuse(stage, reply, seconds)` makes it answer `reply` at
    that stage for that long (forever when not given), `accept(stage)` ends that."""

    def __init__(self) -> None:
        self.port = free_port()
        self._script = _Script()
        self._controller = _Controller(self._script, self.port)

    def __enter__(self) -> "RefusingSmtp":
        self._controller.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._controller.stop()

    def refuse(self, stage: str, reply: str, seconds: float = float("inf")) -> None:
        assert stage in STAGES, stage
        with self._script.lock:
            self._script.answers[stage] = (reply, time.monotonic() + seconds)

    def accept(self, stage: str) -> None:
        with self._script.lock:
            self._script.answers.pop(stage, None)

    def asked(self, stage: str) -> int:
        """How many times the client reached this stage (connections, for CONNECT)."""
        with self._script.lock:
            return self._script.asked[stage]

    @property
    def messages(self) -> list[EmailMessage]:
        with self._script.lock:
            return list(self._script.messages)
