"""What the Mini App's handlers use, built once when the app is (see `reviewbot.webapp_side`)."""

from dataclasses import dataclass

from babel.support import Translations

from bot.app import Catalogues
from core.clock import Clock
from core.config import Settings
from core.ports import RuleCatalog, Wakeup
from core.services.fixes import Fixer, FixGate
from infra.database import SessionFactory
from infra.ruff.runner import RuffRunner


@dataclass(frozen=True)
class WebappDeps:
    settings: Settings
    session_factory: SessionFactory
    bot_token: str  # checks Telegram's launch data
    link_key: bytes  # signs and checks the report links of result emails
    translations: dict[str, Translations]
    i18n: Catalogues  # the bot's texts (domain errors, labels) in the person's language
    wakeup: Wakeup
    clock: Clock
    ruff_runner: RuffRunner
    fixer: Fixer
    fix_gate: FixGate  # shared with the bot: one fix per person, a few at once
    rule_catalog: RuleCatalog
