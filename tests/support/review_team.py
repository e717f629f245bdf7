"""The team most review notice tests start from: Olga owns "Backend", Rob reviews in it, and
Mia, a member, sent calc.py v2 for review (people seeded with linked chats, opened)."""

from sqlalchemy import select

from core.models import TelegramAccount
from core.team_models import TeamRole
from infra.database import SessionFactory
from tests.support.app import BotApp, Person
from tests.support.people import seeded
from tests.support.review_notices import Scene, build_scene

GROUP_CHAT = -1001234


async def review_team(
    app: BotApp, *, member_language: str = "en", group: bool = False, versions: int = 2
) -> tuple[Scene, dict[str, Person]]:
    """Olga owns "Backend", Rob reviews in it, Mia is a member and sent calc.py v2."""
    people = {
        "Olga": await seeded(app, "olga@example.com"),
        "Rob": await seeded(app, "rob@example.com"),
        "Mia": await seeded(app, "mia@example.com", language_code=member_language),
    }
    for person in people.values():
        person.chat.open_chat()
    roles = {"Olga": TeamRole.OWNER, "Rob": TeamRole.REVIEWER, "Mia": TeamRole.MEMBER}
    members = {
        name: (await user_id_of(app.session_factory, person.chat.id), roles[name])
        for name, person in people.items()
    }
    if group:
        app.telegram.in_group(people["Olga"].chat, GROUP_CHAT)
    scene = await build_scene(
        app.session_factory,
        members,
        member="Mia",
        versions=versions,
        submitted=2,
        group_chat_id=GROUP_CHAT if group else None,
    )
    return scene, people


async def wake(app: BotApp) -> None:
    await app.resources.wakeup.notify()


async def user_id_of(session_factory: SessionFactory, telegram_id: int) -> int:
    async with session_factory() as session:
        found = await session.scalar(
            select(TelegramAccount.user_id).where(TelegramAccount.telegram_id == telegram_id)
        )
    assert found is not None
    return found
