"""What reaches a handler as keyword arguments besides aiogram's own (`bot`, `state`,
`event_from_user`, `callback_data`...), with its type: name a key as a handler parameter and
it is passed in.

- `WorkflowData`: built once at start-up by `bot.app.build_dispatcher` (the Dispatcher's
  keyword arguments), the same objects for every update;
- `UpdateData`: put in per update by the middlewares of `bot.middlewares` (and aiogram's
  I18n middleware, subclassed there), and by the filters that pass on what they found.

A handler, filter or middleware that needs something new: add it here first, then where it
is made. `tests/architecture/test_handler_data.py` fails when a handler asks for a key listed
nowhere."""

from typing import TypedDict

from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession

from bot.code_blocks import PastedCode
from bot.features.auth.codes import CodeSending
from core.clock import Clock
from core.config import Settings
from core.ports import Mailer, RuleCatalog, Wakeup
from core.services.accounts import AccountView
from core.services.fixes import Fixer, FixGate
from core.services.gate import GateChecker
from infra.mail.emails import EmailTemplates
from infra.ruff.runner import RuffRunner


class WorkflowData(TypedDict):
    settings: Settings
    ruff_runner: RuffRunner  # validates people's own configurations
    fixer: Fixer  # autofix previews
    fix_gate: FixGate  # one fix per person, a few at once
    gate_checker: GateChecker  # a team's gate before review (ruff under the team's rules)
    mailer: Mailer
    email_templates: EmailTemplates
    codes: CodeSending  # what the auth handlers need to mail and check a code
    wakeup: Wakeup
    clock: Clock
    rule_catalog: RuleCatalog  # ruff's rule texts, read on first use


class UpdateData(TypedDict, total=False):
    session: AsyncSession  # DbSessionMiddleware: one per update
    account: AccountView  # AccountMiddleware: the caller's Telegram account
    user_id: int  # RegisteredOnly, on the routers of screens for registered people
    i18n: I18n  # LanguageMiddleware (aiogram's I18nMiddleware)
    pasted: PastedCode  # bot.code_blocks.has_code_block, the filter of pasted code
