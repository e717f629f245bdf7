"""Confirmation codes: besides the 60 s pause, at most 5 an hour to one address (whichever
Telegram accounts ask) and 5 an hour for one Telegram account (to whatever addresses)."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from core.clock import ManualClock
from core.errors import CodeLimitError, CodeLimitScope
from core.models import ConfirmationPurpose, EmailConfirmation
from core.services import registration
from core.services.code_limits import CodeLimits
from reviewbot.runtime import Resources
from tests.fake_telegram import BotOutput
from tests.support.app import BotApp, Person
from tests.support.stack import SERVICES


@pytest.fixture
def clock() -> ManualClock:
    """Moved past the 60 s pause between two codes of one chat, and past the hour."""
    return ManualClock()


async def _resend(person: Person, screen: BotOutput) -> BotOutput:
    return await person.click(screen, "Send a new code")


async def test_a_sixth_code_to_one_address_in_an_hour_is_refused_whoever_asks(
    bot_app: BotApp, clock: ManualClock
) -> None:
    address = "hal@example.com"
    first, second = bot_app.person(address), bot_app.person(address)
    for person in (first, second):
        await person.say("/start")
        screen = await person.say(address)
        assert "I sent a 6-digit code" in screen.text
        for _ in range(2 if person is first else 1):
            clock.advance(timedelta(seconds=61))
            screen = await _resend(person, screen)
            assert "I sent a 6-digit code" in screen.text
        clock.advance(timedelta(seconds=61))
    # 3 codes from the first account, 2 from the second: 5 to the address within 5 minutes.
    await bot_app.smtp.wait_for(address, count=5)
    refused = await _resend(second, screen)
    assert "This address has had 5 codes in the last hour" in refused.text
    assert "You can ask for a new code in 55 minutes." in refused.text
    await asyncio.sleep(0.5)
    assert len([m for m in bot_app.smtp.messages if address in str(m["To"])]) == 5
    clock.advance(timedelta(minutes=55))  # the first code leaves the hour
    again = await _resend(second, screen)
    assert "I sent a 6-digit code" in again.text


async def test_a_sixth_code_for_one_account_in_an_hour_is_refused_whatever_address(
    bot_app: BotApp, clock: ManualClock
) -> None:
    ivo = bot_app.person("ivo0@example.com")
    for number in range(5):
        await ivo.say("/start")
        sent = await ivo.say(f"ivo{number}@example.com")
        assert f"I sent a 6-digit code to ivo{number}@example.com" in sent.text
        clock.advance(timedelta(seconds=61))
    await ivo.say("/start")
    refused = await ivo.say("ivo5@example.com")
    assert "You have asked for 5 codes in the last hour" in refused.text
    assert "You can ask for a new code in 55 minutes." in refused.text
    # The address itself was not used up: someone else gets a code for it.
    other = bot_app.person("ivo5@example.com")
    code = await other.ask_code()
    assert len(code) == 6
    assert len([m for m in bot_app.smtp.messages if "ivo5@" in str(m["To"])]) == 1


async def _ask(resources: Resources, clock: ManualClock, telegram_id: int, address: str) -> str:
    """One request for a code, in its own session as an update has: "sent" or why not."""
    async with resources.session_factory() as session:
        try:
            await registration.request_code(
                session,
                resources.mailer,
                resources.email_templates.confirmation("en"),
                telegram_id=telegram_id,
                email_text=address,
                purpose=ConfirmationPurpose.REGISTER,
                clock=clock,
                limits=CodeLimits(per_email=2, per_account=5),
            )
        except CodeLimitError as error:
            return f"refused ({error.scope})"
        return "sent"


async def test_codes_asked_for_at_the_same_moment_do_not_pass_the_address_limit(
    resources: Resources, clock: ManualClock
) -> None:
    """Ten accounts ask for a code to one address at once: no more than the limit (2 here) are
    sent, although none of them was stored while the others counted."""
    asking = (
        _ask(resources, clock, 9_100_000 + number, "kim@example.com") for number in range(10)
    )
    outcomes = await asyncio.gather(*asking)
    assert sorted(outcomes) == [f"refused ({CodeLimitScope.EMAIL})"] * 8 + ["sent"] * 2
    async with resources.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(EmailConfirmation)) == 2


@pytest.mark.parametrize("stack", [SERVICES], indirect=True)
async def test_a_request_waits_while_another_process_counts_codes_for_the_address(
    resources: Resources, clock: ManualClock
) -> None:
    """Across processes the turns are a PostgreSQL advisory lock: while another connection (as
    another bot process would) holds the address's, a request waits, then goes on. The waiting
    is PostgreSQL's own word (a lock asked for and not granted), and the order of events."""
    events: list[str] = []

    async def ask() -> None:
        events.append("request " + await _ask(resources, clock, 9_200_001, "lee@example.com"))

    async with resources.engine.connect() as other_process:
        key = func.hashtext("email:lee@example.com")
        await other_process.execute(select(func.pg_advisory_xact_lock(key)))
        asking = asyncio.create_task(ask())
        await _until_an_advisory_lock_is_waited_for(other_process)
        events.append("request waits for the lock")
        events.append("lock released")
        await other_process.rollback()  # its transaction ends: the lock is released
    await asyncio.wait_for(asking, 10)
    assert events == ["request waits for the lock", "lock released", "request sent"]


async def _until_an_advisory_lock_is_waited_for(connection: AsyncConnection) -> None:
    """Returns once another session of this database waits for an advisory lock (pg_locks shows
    it not granted); fails if none does within 10 s, e.g. because the request did not wait."""
    waiting = text(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        " AND pid <> pg_backend_pid()"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    deadline = asyncio.get_running_loop().time() + 10
    while not (await connection.execute(waiting)).scalar_one():
        assert asyncio.get_running_loop().time() < deadline, "no request waited for the lock"
        await asyncio.sleep(0.02)
