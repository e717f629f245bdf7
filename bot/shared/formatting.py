"""Small formatting pieces shared by the text modules."""

from datetime import datetime

from aiogram.utils.i18n import get_i18n
from aiogram.utils.text_decorations import html_decoration
from babel.numbers import format_decimal

quote = html_decoration.quote


def when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def number(value: int) -> str:
    """A number as the person's language writes it (1,048,576 or 1 048 576)."""
    return format_decimal(value, locale=get_i18n().current_locale)
