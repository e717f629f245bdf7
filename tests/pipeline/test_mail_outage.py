"""A mail server's refusals of the bot itself: TLS failures told apart, and a server refusing
the bot's login is asked again only after a pause that doubles up to a cap."""

import itertools
from collections.abc import Iterator

import pytest

from core.config import SmtpSecurity
from core.delivery import ChannelUnavailable
from core.ports import MailFailure, MailSendError
from infra.mail.mailers import SmtpMailer, compose
from infra.mail.results import MailOutage
from tests.support.refusing_smtp import RefusingSmtp

RECIPIENT = "ann@example.com"


@pytest.fixture
def server() -> Iterator[RefusingSmtp]:
    with RefusingSmtp() as running:
        yield running


@pytest.mark.parametrize(
    ("security", "kind"),
    [
        # A TLS handshake with a server that speaks plain SMTP fails: temporary, like a lost
        # connection.
        (SmtpSecurity.TLS, MailFailure.TEMPORARY),
        # STARTTLS asked for and not offered: the settings do not fit the server.
        (SmtpSecurity.STARTTLS, MailFailure.POLICY),
    ],
)
async def test_tls_failures_are_told_apart(
    server: RefusingSmtp, security: SmtpSecurity, kind: MailFailure
) -> None:
    mailer = SmtpMailer(
        host="127.0.0.1", port=server.port, security=security, login=None, timeout=5
    )
    message = compose(sender="a@localhost", recipient=RECIPIENT, subject="s", text="t")
    with pytest.raises(MailSendError) as failure:
        await mailer.send(message)
    assert failure.value.kind is kind
    assert server.messages == []


def test_a_refusing_server_is_asked_again_after_a_pause_that_doubles_up_to_a_cap() -> None:
    now = [0.0]
    outage = MailOutage(first_pause=60, max_pause=900, clock=lambda: now[0])
    refused = MailSendError("SMTP 535: 5.7.8 invalid", kind=MailFailure.AUTHENTICATION)
    asked_at: list[float] = []
    while now[0] < 3600:
        try:
            outage.check()
        except ChannelUnavailable:
            pass
        else:
            asked_at.append(now[0])
            outage.refused(refused)
        now[0] += 5  # a run of the delivery job every 5 s
    pauses = [later - earlier for earlier, later in itertools.pairwise(asked_at)]
    assert pauses[:5] == [60, 120, 240, 480, 900]
    assert set(pauses[5:]) == {900}
    outage.accepted()
    outage.check()  # mail goes again: nothing held back
