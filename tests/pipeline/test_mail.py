"""The mail module: SMTP delivery with its failures, and the file fallback."""

from pathlib import Path

import pytest

from core.config import Settings, SmtpSecurity
from core.ports import MailSendError
from infra.mail.mailers import FileMailer, SmtpMailer, build_mailer, compose
from tests.support.smtp import SmtpSink, body_text, free_port


def _smtp(port: int) -> SmtpMailer:
    return SmtpMailer(
        host="127.0.0.1", port=port, security=SmtpSecurity.NONE, login=None, timeout=5
    )


async def test_smtp_mailer_delivers_text_and_html(smtp_server: SmtpSink) -> None:
    smtp_server.clear()
    message = compose(
        sender="reviewbot@localhost",
        recipient="zed@example.com",
        subject="Привет, ruff",
        text="plain body ✓",
        html="<p>html body ✓</p>",
    )
    await _smtp(smtp_server.port).send(message)
    received = await smtp_server.wait_for("zed@example.com")
    assert received["Subject"] == "Привет, ruff"
    assert body_text(received).strip() == "plain body ✓"
    html = received.get_body(preferencelist=("html",))
    assert html is not None
    assert "html body ✓" in str(html.get_content())


async def test_temporary_and_permanent_refusals_are_told_apart(smtp_server: SmtpSink) -> None:
    smtp_server.clear()
    message = compose(sender="a@localhost", recipient="b@example.com", subject="s", text="t")
    smtp_server.refuse_next("451 4.3.0 Try again later")
    with pytest.raises(MailSendError) as temporary:
        await _smtp(smtp_server.port).send(message)
    assert temporary.value.temporary
    smtp_server.refuse_next("554 5.7.1 Rejected")
    with pytest.raises(MailSendError) as permanent:
        await _smtp(smtp_server.port).send(message)
    assert not permanent.value.temporary
    assert smtp_server.messages == []


async def test_unreachable_server_is_a_temporary_failure() -> None:
    message = compose(sender="a@localhost", recipient="b@example.com", subject="s", text="t")
    with pytest.raises(MailSendError) as failure:
        await _smtp(free_port()).send(message)
    assert failure.value.temporary
    assert "unreachable" in failure.value.reason


async def test_without_smtp_host_mail_is_written_as_eml_files(tmp_path: Path) -> None:
    mailer = build_mailer(Settings(_env_file=None, smtp_host="", mail_dir=tmp_path / "mail"))
    assert isinstance(mailer, FileMailer)
    await mailer.send(
        compose(sender="a@localhost", recipient="b@example.com", subject="s", text="t")
    )
    [written] = list((tmp_path / "mail").glob("*.eml"))
    assert "To: b@example.com" in written.read_text()
