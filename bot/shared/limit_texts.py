"""Texts about the limits a person ran into. Plain text: they also go into callback alerts."""

from aiogram.utils.i18n import get_i18n, ngettext
from aiogram.utils.i18n import gettext as _
from babel.numbers import format_decimal

from bot.shared.formatting import number
from bot.shared.texts import size_label
from core.errors import CodeLimitError, CodeLimitScope, StorageFullError, StorageLimit

MEGABYTE = 1_048_576


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


def storage_full(error: StorageFullError) -> str:
    """Why an upload was not saved, and what the person can do about it."""
    if error.limit_kind is StorageLimit.FILES:
        text = ngettext(
            "This new file was not saved: you have {count} file, and I keep at most {limit} "
            "per person. Delete files you no longer need with /files, then send it again. New "
            "versions of the files you have are still taken.",
            "This new file was not saved: you have {count} files, and I keep at most {limit} "
            "per person. Delete files you no longer need with /files, then send it again. New "
            "versions of the files you have are still taken.",
            error.used,
        )
        return text.format(count=number(error.used), limit=number(error.limit))
    return _(
        "This file was not saved: your stored files take {used}, and this one would add "
        "{adding}, past the limit of {limit} per person. Every version of your files counts, "
        "old versions too. Delete files you no longer need with /files (a deleted file takes "
        "no room), then send it again."
    ).format(
        used=megabytes(error.used), adding=megabytes(error.adding), limit=megabytes(error.limit)
    )


def megabytes(size: int) -> str:
    """A stored size: in bytes below 1 MB, else in MB (of 1,048,576 bytes) with one decimal,
    as the person's language writes it."""
    if size < MEGABYTE:
        return size_label(size)
    mb = format_decimal(size / MEGABYTE, format="#,##0.0", locale=get_i18n().current_locale)
    return _("{size} MB").format(size=mb)
