"""The delivery benchmark's data: registered people, their uploads, and a finished check of each
upload with its two deliveries, written as `checks.claims.record_results` writes them."""

from datetime import timedelta

from sqlalchemy import select

from core.models import (
    Check,
    CheckResult,
    CheckState,
    Delivery,
    DeliveryChannel,
    FileVersion,
    RulePreset,
    TelegramAccount,
    User,
    utcnow,
)
from core.review import Issue
from core.services.files import Uploader, store_upload
from core.services.quotas import StorageLimits
from infra.database import SessionFactory

# The seed measures deliveries, not quotas.
UNLIMITED = StorageLimits(max_files=10**9, max_bytes=10**15)

FIRST_PERSON = 7_300_001
NAMES = ("app.py", "models.py", "views.py")  # uploads cycle through these: later ones replace


def person_ids(users: int) -> list[int]:
    """Telegram ids (and private chat ids) of the benchmark's people."""
    return [FIRST_PERSON + n for n in range(users)]


def _source(upload: int) -> bytes:
    unused = "".join(f"import module_{n}\n" for n in range(upload % 4 + 1))
    return (
        f"{unused}\n\ndef handler_{upload}(value):\n    if value == None:\n"
        f"        return undefined_{upload}\n    return value\n"
    ).encode()


def _issues(upload: int) -> list[Issue]:
    """What ruff reports on `_source(upload)`: unused imports, `== None`, an undefined name."""
    imports = upload % 4 + 1
    found = [
        Issue("F401", f"`module_{n}` imported but unused", n + 1, 8, n + 1, 16, True)
        for n in range(imports)
    ]
    found.append(
        Issue("E711", "Comparison to `None` should be `cond is None`", imports + 4, 17, 0, 0, True)
    )
    found.append(
        Issue("F821", f"Undefined name `undefined_{upload}`", imports + 5, 16, 0, 0, False)
    )
    return found


async def seed_finished_checks(
    session_factory: SessionFactory, *, checks: int, users: int
) -> None:
    """`checks` uploads spread over `users` people (each person's uploads one after another, the
    hardest order for the per-chat limit), each with a finished check and two pending
    deliveries."""
    people = person_ids(users)
    per_person = [checks // users + (1 if n < checks % users else 0) for n in range(users)]
    upload = 0
    for telegram_id, count in zip(people, per_person, strict=True):
        async with session_factory() as session:
            user = User(email=f"person{telegram_id}@example.com", email_confirmed_at=utcnow())
            session.add(user)
            await session.flush()
            account = TelegramAccount(
                telegram_id=telegram_id, chat_id=telegram_id, user_id=user.id
            )
            session.add(account)
            await session.flush()
            uploader = Uploader(user_id=user.id, account_id=account.id, telegram_id=telegram_id)
            for n in range(count):
                stored = await store_upload(
                    session,
                    uploader,
                    name=NAMES[n % len(NAMES)],
                    content=_source(upload),
                    telegram_file_id=None,
                    limits=UNLIMITED,
                )
                version = await session.scalar(
                    select(FileVersion).where(
                        FileVersion.file_id == stored.file_id,
                        FileVersion.number == stored.version,
                    )
                )
                assert version is not None
                version.check_state = CheckState.CHECKED
                issues = _issues(upload)
                finished = utcnow()
                check = Check(
                    version_id=version.id,
                    preset=RulePreset.DEFAULT,
                    config_hash=None,
                    muted_rules=[],
                    ruff_version="0.0.0",
                    started_at=finished - timedelta(milliseconds=200),
                    finished_at=finished,
                    result=CheckResult.FAILED,
                    issue_count=len(issues),
                    issues=[issue.to_json() for issue in issues],
                    error=None,
                )
                session.add(check)
                await session.flush()
                session.add_all(
                    Delivery(check_id=check.id, channel=channel)
                    for channel in (DeliveryChannel.EMAIL, DeliveryChannel.TELEGRAM)
                )
                upload += 1
            await session.commit()


async def pending_delivery_ids(session_factory: SessionFactory) -> dict[DeliveryChannel, int]:
    """How many deliveries of each channel exist (all pending before the run)."""
    async with session_factory() as session:
        channels = list(await session.scalars(select(Delivery.channel)))
    return {channel: channels.count(channel) for channel in DeliveryChannel}
