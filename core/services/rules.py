"""A person's review rules: the preset, the muted rules, their own ruff configuration; and the
configuration each of their next checks runs with."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import (
    FileNotFoundForUserError,
    NoOwnConfigError,
    RuleNotInCheckError,
    TooManyMutedError,
)
from core.models import ReviewConfigText, RulePreset, User
from core.review import SYNTAX_ERROR_CODE
from core.ruff_config import RULE_CODE, ConfigSummary, OwnConfig, summarize
from core.services.reports import own_check, require_own_check

# The most rules one person can mute: more is a configuration of their own.
MAX_MUTED = 50

ConfigValidator = Callable[[OwnConfig], Awaitable[None]]


@dataclass(frozen=True)
class RuleSettings:
    preset: RulePreset
    muted: tuple[str, ...]
    own_config_hash: str | None  # kept when they go back to a built-in preset
    own_config: ConfigSummary | None
    own_config_text: str | None = None  # as stored: the normalized ruff.toml text


async def _user(session: AsyncSession, user_id: int, *, for_update: bool = False) -> User:
    query = select(User).where(User.id == user_id)
    user = await session.scalar(query.with_for_update() if for_update else query)
    if user is None:  # the account middleware only lets linked accounts here
        raise FileNotFoundForUserError
    return user


async def rule_settings(session: AsyncSession, user_id: int) -> RuleSettings:
    user = await _user(session, user_id)
    summary = text = None
    if user.ruff_config_hash is not None:
        text = await session.scalar(
            select(ReviewConfigText.text).where(ReviewConfigText.hash == user.ruff_config_hash)
        )
        summary = summarize(text) if text is not None else None
    return RuleSettings(
        preset=user.rule_preset,
        muted=tuple(user.muted_rules or ()),
        own_config_hash=user.ruff_config_hash,
        own_config=summary,
        own_config_text=text,
    )


async def choose_preset(session: AsyncSession, user_id: int, preset: RulePreset) -> RuleSettings:
    """Use a built-in preset, or (`custom`) the configuration the person sent before."""
    user = await _user(session, user_id, for_update=True)
    if preset is RulePreset.CUSTOM and user.ruff_config_hash is None:
        await session.rollback()
        raise NoOwnConfigError
    user.rule_preset = preset
    await session.commit()
    return await rule_settings(session, user_id)


async def use_own_config(
    session: AsyncSession, user_id: int, config: OwnConfig, validate: ConfigValidator
) -> RuleSettings:
    """Validate the configuration with ruff (ConfigRefusedError with ruff's reason), store it
    once by its hash, and make it this person's rules."""
    await validate(config)
    digest = config.hash
    if await session.get(ReviewConfigText, digest) is None:
        session.add(ReviewConfigText(hash=digest, text=config.normalized))
        await session.flush()
    user = await _user(session, user_id, for_update=True)
    user.ruff_config_hash = digest
    user.rule_preset = RulePreset.CUSTOM
    await session.commit()
    return await rule_settings(session, user_id)


async def mute_rule(session: AsyncSession, user_id: int, check_id: int, code: str) -> None:
    """Leave a rule that one of the person's checks reported out of their next checks. A rule
    the check did not report (or anyone else's check) changes nothing."""
    owned = await own_check(session, user_id, check_id)
    reported = {str(issue.get("code")) for issue in owned.check.issues}
    if code not in reported or code == SYNTAX_ERROR_CODE or not RULE_CODE.fullmatch(code):
        raise RuleNotInCheckError
    user = await _user(session, user_id, for_update=True)
    muted = set(user.muted_rules or ())
    if code not in muted and len(muted) >= MAX_MUTED:
        await session.rollback()
        raise TooManyMutedError(MAX_MUTED)
    user.muted_rules = sorted(muted | {code})
    await session.commit()


async def unmute_rule(
    session: AsyncSession, user_id: int, code: str, *, from_check: int | None = None
) -> None:
    """Check the rule again in the person's next checks; pressed on a report (`from_check`),
    only when the report is theirs (forged data changes nothing)."""
    if from_check is not None:
        await require_own_check(session, user_id, from_check)
    user = await _user(session, user_id, for_update=True)
    user.muted_rules = sorted(set(user.muted_rules or ()) - {code})
    await session.commit()
