"""Button labels of `/team`."""

from aiogram.utils.i18n import gettext as _

from bot.features.teams.texts import ROLE_MARKS
from core.services.teams import MemberView, TeamSummary


def button_new_team() -> str:
    return _("➕ New team")


def button_team(summary: TeamSummary) -> str:
    return f"{ROLE_MARKS[summary.role]} {summary.name}"


def button_members() -> str:
    return _("👥 Members")


def button_member(member: MemberView) -> str:
    return f"{ROLE_MARKS[member.role]} {member.display_name}"


def button_dashboard() -> str:
    return _("📊 Dashboard")


def button_rename() -> str:
    return _("✏️ Rename")


def button_new_link() -> str:
    return _("🔗 New link")


def button_rules() -> str:
    return _("📏 Rules")


def button_gate() -> str:
    return _("🚦 Gate")


def button_unlink() -> str:
    return _("🔌 Unlink the group")


def button_delete() -> str:
    return _("🗑 Delete the team")


def button_leave() -> str:
    return _("🚪 Leave the team")


def button_make_reviewer() -> str:
    return _("🔎 Make reviewer")


def button_make_member() -> str:
    return _("• Make member")


def button_make_owner() -> str:
    return _("👑 Make owner")


def button_remove() -> str:
    return _("❌ Remove from the team")


def button_use_config() -> str:
    return _("📄 Use a configuration")


def button_yes_owner() -> str:
    return _("Yes, hand it over")


def button_yes_remove() -> str:
    return _("Yes, remove")


def button_yes_delete() -> str:
    return _("Yes, delete it")


def button_yes_leave() -> str:
    return _("Yes, leave")


def button_teams() -> str:
    return _("« Teams")


def button_back_to_team() -> str:
    return _("« Team")


def button_back_to_members() -> str:
    return _("« Members")
