"""Texts about where the bot works and which Telegram accounts are signed in."""

from collections.abc import Mapping

from aiogram.utils.i18n import gettext as _

from bot.shared.formatting import quote, when
from core.services.accounts import LinkedAccount


def private_chats_only(bot_username: str) -> str:
    return _("I work in private chats only: open a chat with me, @{bot}.").format(
        bot=quote(bot_username)
    )


def group_button_refused() -> str:
    return _("I work in private chats only: open a chat with me.")


def _account_line(account: LinkedAccount, current_id: int, name: str | None) -> str:
    linked = when(account.linked_at) if account.linked_at is not None else "—"
    if name is not None and account.account_id == current_id:
        return _("• {name}, Telegram id {telegram_id} (this one), signed in {linked}").format(
            name=quote(name), telegram_id=account.telegram_id, linked=linked
        )
    if name is not None:
        return _("• {name}, Telegram id {telegram_id}, signed in {linked}").format(
            name=quote(name), telegram_id=account.telegram_id, linked=linked
        )
    if account.account_id == current_id:
        return _("• Telegram id {telegram_id} (this one), signed in {linked}").format(
            telegram_id=account.telegram_id, linked=linked
        )
    return _("• Telegram id {telegram_id}, signed in {linked}").format(
        telegram_id=account.telegram_id, linked=linked
    )


def linked_accounts(
    accounts: list[LinkedAccount], current_id: int, names: Mapping[int, str]
) -> str:
    """The accounts with their Telegram names (by account id) where known."""
    lines = [_("Telegram accounts signed in to this account:")]
    lines += [
        _account_line(account, current_id, names.get(account.account_id)) for account in accounts
    ]
    return "\n".join(lines)


def button_unlink(telegram_id: int) -> str:
    return _("Unlink {telegram_id}").format(telegram_id=telegram_id)


def unlinked(telegram_id: int) -> str:
    return _("Telegram account {telegram_id} is signed out.").format(telegram_id=telegram_id)


def account_not_found() -> str:
    return _("Account not found.")


def signed_in_elsewhere(telegram_id: int) -> str:
    return _(
        "Your account was just signed in from another Telegram account: id {telegram_id}. "
        "If this was not you, press Unlink in /start."
    ).format(telegram_id=telegram_id)
