"""Registration and login by a one-time code sent to an email address."""

import asyncio
import hashlib
import hmac
import logging
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.email_problems import email_problem
from core.errors import (
    AlreadyRegisteredError,
    CodeExhaustedError,
    CodeExpiredError,
    CodeLimitScope,
    CodeResendTooSoonError,
    ConfirmationNotFoundError,
    EmailProblem,
    EmailTakenError,
    InvalidEmailError,
    MailUnavailableError,
    UnknownEmailError,
    WrongCodeError,
)
from core.models import ConfirmationPurpose, EmailConfirmation, TelegramAccount, User
from core.ports import ENCODED_WORD_START, ConfirmationMessage, Mailer, MailSendError
from core.services.code_limits import (
    LOOKUP_EMAIL,
    CodeLimits,
    base_address,
    check_hourly_limit,
    counting,
    record_lookup,
    same_mailbox,
)

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=10)
CODE_MAX_ATTEMPTS = 5
CODE_RESEND_AFTER = timedelta(seconds=60)
_HASH_ITERATIONS = 100_000


@dataclass(frozen=True)
class CodeSent:
    confirmation_id: int
    email: str
    lifetime_minutes: int = int(CODE_LIFETIME.total_seconds() // 60)


@dataclass(frozen=True)
class Confirmed:
    user_id: int
    email: str
    purpose: ConfirmationPurpose


def normalize_email(text: str) -> str:
    """The address in its normal form, or `InvalidEmailError` with the kind of problem."""
    try:
        result = validate_email(text.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise email_problem(error) from None
    if ENCODED_WORD_START in result.local_part:
        # Valid, but mail programs (Python's email package too) read `=?utf-8?q?x?=@example.com`
        # as an encoded word: the code would go to x@example.com.
        raise InvalidEmailError(EmailProblem.LOCAL_PART_CHARACTERS, characters=("=", "?"))
    return result.normalized.lower()


async def _hash_code(code: str, salt: bytes) -> bytes:
    """PBKDF2 takes tens of milliseconds: done in a thread, not on the event loop."""
    return await asyncio.to_thread(
        hashlib.pbkdf2_hmac, "sha256", code.encode(), salt, _HASH_ITERATIONS
    )


async def request_code(
    session: AsyncSession,
    mailer: Mailer,
    email_message: ConfirmationMessage,
    *,
    telegram_id: int,
    email_text: str,
    purpose: ConfirmationPurpose,
    clock: Clock,
    limits: CodeLimits,
) -> CodeSent:
    """Validate the address for the purpose, then mail a fresh code to it."""
    email = normalize_email(email_text)
    linked_email = await session.scalar(
        select(User.email)
        .join(TelegramAccount, TelegramAccount.user_id == User.id)
        .where(TelegramAccount.telegram_id == telegram_id)
    )
    if linked_email is not None:
        raise AlreadyRegisteredError(linked_email)
    exists = await session.scalar(select(User.id).where(User.email == email))
    if (exists is None) is (purpose is ConfirmationPurpose.LOGIN):
        # The answer tells whether the address is registered: counted like a code mailed.
        await _count_lookup(session, telegram_id, purpose, clock.now(), limits)
        raise UnknownEmailError if exists is None else EmailTakenError
    return await _send_new_code(
        session, mailer, email_message, telegram_id, email, purpose, clock.now(), limits
    )


async def _count_lookup(
    session: AsyncSession,
    telegram_id: int,
    purpose: ConfirmationPurpose,
    now: datetime,
    limits: CodeLimits,
) -> None:
    """`CodeLimitError` when the account's hourly limit is used up, else the look-up is kept."""
    async with counting(session, f"account:{telegram_id}"):
        await _check_account_limit(session, telegram_id, limits, now)
        record_lookup(session, telegram_id, purpose, now, CODE_MAX_ATTEMPTS)
        await session.commit()


async def _check_account_limit(
    session: AsyncSession, telegram_id: int, limits: CodeLimits, now: datetime
) -> None:
    await check_hourly_limit(
        session,
        EmailConfirmation.telegram_id == telegram_id,
        limits.per_account,
        CodeLimitScope.ACCOUNT,
        now,
    )


async def resend_code(
    session: AsyncSession,
    mailer: Mailer,
    email_message: ConfirmationMessage,
    *,
    telegram_id: int,
    confirmation_id: int,
    clock: Clock,
    limits: CodeLimits,
) -> CodeSent:
    """A new code for the same address and purpose as an earlier one."""
    previous = await _own_confirmation(session, telegram_id, confirmation_id)
    return await _send_new_code(
        session,
        mailer,
        email_message,
        telegram_id,
        previous.email,
        previous.purpose,
        clock.now(),
        limits,
    )


async def _send_new_code(
    session: AsyncSession,
    mailer: Mailer,
    email_message: ConfirmationMessage,
    telegram_id: int,
    email: str,
    purpose: ConfirmationPurpose,
    now: datetime,
    limits: CodeLimits,
) -> CodeSent:
    mailbox = f"email:{base_address(email)}"
    async with counting(session, f"account:{telegram_id}"), counting(session, mailbox):
        last_sent = await session.scalar(
            select(EmailConfirmation.sent_at)
            .where(
                EmailConfirmation.telegram_id == telegram_id,
                EmailConfirmation.email != LOOKUP_EMAIL,
            )
            .order_by(EmailConfirmation.sent_at.desc())
            .limit(1)
        )
        if last_sent is not None and now - last_sent < CODE_RESEND_AFTER:
            wait = CODE_RESEND_AFTER - (now - last_sent)
            raise CodeResendTooSoonError(max(1, math.ceil(wait.total_seconds())))
        await check_hourly_limit(
            session, same_mailbox(email), limits.per_email, CodeLimitScope.EMAIL, now
        )
        await _check_account_limit(session, telegram_id, limits, now)
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        salt = secrets.token_bytes(16)
        confirmation = EmailConfirmation(
            telegram_id=telegram_id,
            email=email,
            purpose=purpose,
            code_hash=await _hash_code(code, salt),
            code_salt=salt,
            attempts=0,
            sent_at=now,
            expires_at=now + CODE_LIFETIME,
        )
        session.add(confirmation)
        await session.flush()
        # The row is committed only once the mail was accepted, so a failed send blocks nothing.
        try:
            message = email_message.build(recipient=email, code=code, lifetime=CODE_LIFETIME)
            await mailer.send(message)
        except MailSendError as error:
            await session.rollback()
            logger.warning("confirmation code to %s not sent: %s", email, error.reason)
            raise MailUnavailableError from error
        await session.commit()
        return CodeSent(confirmation_id=confirmation.id, email=email)


async def _own_confirmation(
    session: AsyncSession, telegram_id: int, confirmation_id: int
) -> EmailConfirmation:
    confirmation = await session.get(EmailConfirmation, confirmation_id)
    if (
        confirmation is None
        or confirmation.telegram_id != telegram_id
        or confirmation.confirmed_at is not None
    ):
        raise ConfirmationNotFoundError
    return confirmation


async def _count_attempt(session: AsyncSession, confirmation_id: int) -> int:
    """Count a try before the code is compared, in one statement that also checks the limit,
    so tries sent at the same moment cannot all pass it; committed at once. The tries so far,
    this one included, or `CodeExhaustedError`."""
    attempts = await session.scalar(
        update(EmailConfirmation)
        .where(
            EmailConfirmation.id == confirmation_id,
            EmailConfirmation.attempts < CODE_MAX_ATTEMPTS,
        )
        .values(attempts=EmailConfirmation.attempts + 1)
        .returning(EmailConfirmation.attempts)
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    if attempts is None:
        raise CodeExhaustedError
    return attempts


async def confirm_code(
    session: AsyncSession,
    *,
    telegram_id: int,
    confirmation_id: int,
    code_text: str,
    clock: Clock,
) -> Confirmed:
    """Check the code; on success register the user or link the account to them."""
    confirmation = await _own_confirmation(session, telegram_id, confirmation_id)
    now = clock.now()
    if now >= confirmation.expires_at:
        raise CodeExpiredError
    salt, code_hash = confirmation.code_salt, confirmation.code_hash
    attempts = await _count_attempt(session, confirmation_id)
    given = await _hash_code(code_text.strip(), salt)
    if not hmac.compare_digest(given, code_hash):
        attempts_left = CODE_MAX_ATTEMPTS - attempts
        if attempts_left == 0:
            raise CodeExhaustedError
        raise WrongCodeError(attempts_left)
    confirmation = await _own_confirmation(session, telegram_id, confirmation_id)
    confirmation.confirmed_at = now
    user = await session.scalar(select(User).where(User.email == confirmation.email))
    if confirmation.purpose is ConfirmationPurpose.REGISTER:
        if user is not None:
            raise EmailTakenError
        user = User(email=confirmation.email, email_confirmed_at=now)
        session.add(user)
    elif user is None:
        raise UnknownEmailError
    account = await session.scalar(
        select(TelegramAccount).where(TelegramAccount.telegram_id == telegram_id)
    )
    if account is None:
        raise ConfirmationNotFoundError
    await session.flush()
    account.user_id = user.id
    account.linked_at = now
    try:
        await session.commit()
    except IntegrityError:  # the same address was registered a moment ago by someone else
        await session.rollback()
        raise EmailTakenError from None
    return Confirmed(user_id=user.id, email=user.email, purpose=confirmation.purpose)
