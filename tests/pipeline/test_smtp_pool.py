"""Pooled SMTP connections: reused for a run of messages, replaced when the server dropped them,
and refusals told apart exactly as for a single message."""

import asyncio

import pytest

from core.config import SmtpSecurity
from core.ports import MailSendError
from infra.mail.mailers import SmtpMailer, compose
from tests.support.smtp import SmtpSink


def _mailer(port: int) -> SmtpMailer:
    return SmtpMailer(
        host="127.0.0.1",
        port=port,
        security=SmtpSecurity.NONE,
        login=None,
        timeout=5,
        pool_size=2,
    )


async def test_a_run_of_messages_goes_out_over_the_pool(smtp_server: SmtpSink) -> None:
    smtp_server.clear()
    async with _mailer(smtp_server.port).connections() as mailer:
        await asyncio.gather(
            *(
                mailer.send(
                    compose(
                        sender="reviewbot@localhost",
                        recipient=f"p{n}@example.com",
                        subject=f"n{n}",
                        text="t",
                    )
                )
                for n in range(12)
            )
        )
    assert sorted(str(m["Subject"]) for m in smtp_server.messages) == sorted(
        f"n{n}" for n in range(12)
    )
    assert smtp_server.connections == 2  # the pool's size, not one per message


async def test_a_connection_the_server_dropped_is_replaced(smtp_server: SmtpSink) -> None:
    smtp_server.clear()
    first = compose(sender="a@localhost", recipient="first@example.com", subject="1", text="t")
    second = compose(sender="a@localhost", recipient="second@example.com", subject="2", text="t")
    async with _mailer(smtp_server.port).connections() as mailer:
        await mailer.send(first)
        smtp_server.down()  # the idle pooled connection is closed by the server
        smtp_server.up()
        await mailer.send(second)
    assert [str(m["Subject"]) for m in smtp_server.messages] == ["1", "2"]
    assert smtp_server.connections == 2  # the dropped one and its replacement


async def test_refusals_keep_their_kind_and_the_connection(smtp_server: SmtpSink) -> None:
    smtp_server.clear()
    message = compose(sender="a@localhost", recipient="b@example.com", subject="s", text="t")
    async with _mailer(smtp_server.port).connections() as mailer:
        smtp_server.refuse_next("451 4.3.0 Try again later")
        with pytest.raises(MailSendError) as temporary:
            await mailer.send(message)
        assert temporary.value.temporary
        smtp_server.refuse_next("554 5.7.1 Rejected")
        with pytest.raises(MailSendError) as permanent:
            await mailer.send(message)
        assert not permanent.value.temporary
        await mailer.send(message)  # the same connections go on
    assert len(smtp_server.messages) == 1
    assert smtp_server.connections == 1  # one at a time: the first connection carried all three


async def test_a_server_that_is_gone_is_a_temporary_failure(smtp_server: SmtpSink) -> None:
    message = compose(sender="a@localhost", recipient="b@example.com", subject="s", text="t")
    async with _mailer(smtp_server.port).connections() as mailer:
        smtp_server.down()
        try:
            with pytest.raises(MailSendError) as failure:
                await mailer.send(message)
        finally:
            smtp_server.up()
    assert failure.value.temporary
    assert "unreachable" in failure.value.reason
