"""Texts of the admins' `/stats`."""

from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _
from babel.numbers import format_percent

from bot.shared.formatting import number, quote
from core.models import CheckResult, DeliveryChannel
from core.services.stats import Backlog, BotStats


def admin_command_descriptions() -> dict[str, str]:
    """Commands only the admins' menu shows (after the ordinary ones)."""
    return {"stats": _("Figures of the whole bot (admins)")}


def percent(rate: float) -> str:
    """75.0% or 75,0 %, as the person's language writes it."""
    return format_percent(rate, format="#,##0.0%", locale=get_i18n().current_locale)


def pass_rate_line(stats: BotStats) -> str:
    rate = stats.pass_rate
    if rate is None:
        return _("Pass rate: no check has passed or failed yet.")
    return _(
        "Pass rate: {rate} (passed of passed and failed; checks that could not run are left out)"
    ).format(rate=percent(rate))


def backlog_line(channel: DeliveryChannel, backlog: Backlog) -> str:
    if channel is DeliveryChannel.EMAIL:
        text = _("Email: {pending} pending, {failed} failed")
    else:
        text = _("Chat: {pending} pending, {failed} failed")
    return text.format(pending=number(backlog.pending), failed=number(backlog.failed))


def top_rules_lines(stats: BotStats) -> list[str]:
    if not stats.top_rules:
        return [_("No issues found yet.")]
    return [
        f"{place}. <code>{quote(rule.code)}</code> — {number(rule.count)}"
        for place, rule in enumerate(stats.top_rules, start=1)
    ]


def stats_text(stats: BotStats) -> str:
    checks = stats.checks
    lines = [
        _("<b>reviewbot statistics</b>"),
        _("Users: {count}").format(count=number(stats.users)),
        _("Files: {active} active, {deleted} deleted").format(
            active=number(stats.active_files), deleted=number(stats.deleted_files)
        ),
        _("Versions: {count}").format(count=number(stats.versions)),
        _("Checks: {today} today (UTC), {total} in all").format(
            today=number(stats.checks_today), total=number(stats.checks_total)
        ),
        _("Results: {passed} passed, {failed} failed, {errors} could not run").format(
            passed=number(checks[CheckResult.PASSED]),
            failed=number(checks[CheckResult.FAILED]),
            errors=number(checks[CheckResult.ERROR]),
        ),
        pass_rate_line(stats),
        "",
        _("<b>Deliveries not sent yet</b>"),
        *(backlog_line(channel, backlog) for channel, backlog in stats.backlog.items()),
        "",
        _("<b>Most frequent rules</b> (issues of every check)"),
        *top_rules_lines(stats),
    ]
    return "\n".join(lines)
