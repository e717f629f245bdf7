"""Texts about the limits a person ran into. Plain text: they also go into callback alerts."""

from aiogram.utils.i18n import ngettext

from core.errors import CodeLimitError, CodeLimitScope


def too_many_updates(wait_seconds: int) -> str:
    return ngettext(
        "Slow down, please: you are sending me too much at once. Try again in {count} second; "
        "until then I ignore what you send.",
        "Slow down, please: you are sending me too much at once. Try again in {count} "
        "seconds; until then I ignore what you send.",
        wait_seconds,
    ).format(count=wait_seconds)


def too_many_uploads(wait_seconds: int, limit: int) -> str:
    text = ngettext(
        "Slow down, please: I take at most {limit} files a minute. The files above that were "
        "not saved: send them again in {count} second.",
        "Slow down, please: I take at most {limit} files a minute. The files above that were "
        "not saved: send them again in {count} seconds.",
        wait_seconds,
    )
    return text.format(count=wait_seconds, limit=limit)


def code_limit(error: CodeLimitError) -> str:
    minutes = max(1, -(-error.wait_seconds // 60))
    if error.scope is CodeLimitScope.EMAIL:
        text = ngettext(
            "This address has had {limit} codes in the last hour, the most I send to one "
            "address. You can ask for a new code in {count} minute.",
            "This address has had {limit} codes in the last hour, the most I send to one "
            "address. You can ask for a new code in {count} minutes.",
            minutes,
        )
    else:
        text = ngettext(
            "You have asked for {limit} codes in the last hour, the most I send. You can ask "
            "for a new code in {count} minute.",
            "You have asked for {limit} codes in the last hour, the most I send. You can ask "
            "for a new code in {count} minutes.",
            minutes,
        )
    return text.format(limit=error.limit, count=minutes)
