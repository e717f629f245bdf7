"""What mailing and checking a one-time code needs, bundled once at start-up
(`bot.app.build_dispatcher`) so that the auth handlers take it as one argument, `codes`."""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.config import Settings
from core.models import ConfirmationPurpose
from core.ports import Mailer
from core.services import registration
from core.services.code_limits import CodeLimits
from core.services.registration import CodeSent, Confirmed
from infra.mail.emails import EmailTemplates


@dataclass(frozen=True)
class CodeSending:
    mailer: Mailer
    email_templates: EmailTemplates
    clock: Clock
    settings: Settings  # the limits are read from it at each request, as before

    async def request(
        self,
        session: AsyncSession,
        *,
        locale: str,
        telegram_id: int,
        email_text: str,
        purpose: ConfirmationPurpose,
    ) -> CodeSent:
        """Mail a code to the address the person typed, in their language."""
        return await registration.request_code(
            session,
            self.mailer,
            self.email_templates.confirmation(locale),
            telegram_id=telegram_id,
            email_text=email_text,
            purpose=purpose,
            clock=self.clock,
            limits=CodeLimits.of(self.settings),
        )

    async def resend(
        self, session: AsyncSession, *, locale: str, telegram_id: int, confirmation_id: int
    ) -> CodeSent:
        """A new code for the address of the code the person is waiting for."""
        return await registration.resend_code(
            session,
            self.mailer,
            self.email_templates.confirmation(locale),
            telegram_id=telegram_id,
            confirmation_id=confirmation_id,
            clock=self.clock,
            limits=CodeLimits.of(self.settings),
        )

    async def confirm(
        self, session: AsyncSession, *, telegram_id: int, confirmation_id: int, code_text: str
    ) -> Confirmed:
        return await registration.confirm_code(
            session,
            telegram_id=telegram_id,
            confirmation_id=confirmation_id,
            code_text=code_text,
            clock=self.clock,
        )
