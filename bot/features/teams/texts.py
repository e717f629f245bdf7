"""Texts of `/team`: the person's teams, a team's screen, the owner's settings, the invite link
and the group chat."""

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.features.reports.texts import preset_name
from bot.features.rules.texts import preset_description
from bot.shared.formatting import quote
from core.models import RulePreset
from core.services.teams import MemberView, TeamSummary, TeamView
from core.team_models import TeamRole

# The most people a team's screen lists (Telegram's messages hold 4096 characters).
MAX_LISTED_MEMBERS = 40
ROLE_MARKS = {TeamRole.OWNER: "👑", TeamRole.REVIEWER: "🔎", TeamRole.MEMBER: "•"}


def role_name(role: TeamRole) -> str:
    match role:
        case TeamRole.OWNER:
            return _("owner")
        case TeamRole.REVIEWER:
            return _("reviewer")
        case TeamRole.MEMBER:
            return _("member")


def invite_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start=join_{token}"


def teams_screen(teams: list[TeamSummary], notice: str | None = None) -> str:
    lines = [notice, ""] if notice else []
    if not teams:
        lines.append(
            _(
                "<b>Teams</b>: review by people. You are in no team yet.\n\n"
                "Create one and send its invite link to the people whose code you review, "
                "or open the invite link someone sent you."
            )
        )
        return "\n".join(lines)
    lines.append(
        ngettext("<b>Your team</b> ({count}):", "<b>Your teams</b> ({count}):", len(teams)).format(
            count=len(teams)
        )
    )
    lines += [f"{ROLE_MARKS[t.role]} {quote(t.name)} — {role_name(t.role)}" for t in teams]
    return "\n".join(lines)


def gate_text(max_issues: int) -> str:
    if max_issues == 0:
        return _("no issues")
    return ngettext("at most {count} issue", "at most {count} issues", max_issues).format(
        count=max_issues
    )


def rules_text(view: TeamView) -> str:
    return quote(preset_name(view.preset, view.config_hash))


def member_line(member: MemberView) -> str:
    return f"{ROLE_MARKS[member.role]} {quote(member.display_name)} — {role_name(member.role)}"


def team_screen(view: TeamView, bot_username: str, notice: str | None = None) -> str:
    lines = [notice, ""] if notice else []
    lines.append(f"👥 <b>{quote(view.name)}</b>")
    lines.append(_("Your role: {role}").format(role=role_name(view.role)))
    lines.append(
        _("Rules: {rules} · gate: {gate}").format(
            rules=rules_text(view), gate=gate_text(view.gate_max_issues)
        )
    )
    if view.invite_token is not None:
        lines.append("")
        lines.append(_("Invite link (whoever opens it joins as a member):"))
        lines.append(quote(invite_link(bot_username, view.invite_token)))
    if view.role is TeamRole.OWNER:
        lines.append("")
        if view.group_chat_id is not None:
            lines.append(_("Group chat: linked; it gets one line per status change."))
        else:
            lines.append(_("Group chat: none. Add me to a group and send /team there to link it."))
    lines.append("")
    if view.members:
        lines.append(
            ngettext("{count} person:", "{count} people:", view.member_count).format(
                count=view.member_count
            )
        )
        lines += [member_line(member) for member in view.members[:MAX_LISTED_MEMBERS]]
        rest = len(view.members) - MAX_LISTED_MEMBERS
        if rest > 0:
            lines.append(_("and {count} more").format(count=rest))
    else:
        lines.append(
            ngettext(
                "{count} person in the team.", "{count} people in the team.", view.member_count
            ).format(count=view.member_count)
        )
    return "\n".join(lines)


def members_screen(view: TeamView) -> str:
    return _("<b>{team}</b>: press a person to change their role or remove them.").format(
        team=quote(view.name)
    )


def member_screen(view: TeamView, name: str, role: TeamRole, notice: str | None = None) -> str:
    lines = [notice, ""] if notice else []
    lines.append(
        _("<b>{name}</b> in {team}: {role}.").format(
            name=quote(name), team=quote(view.name), role=role_name(role)
        )
    )
    lines.append(
        _(
            "Reviewers see what the team's members send for review, take it, comment and "
            "approve. The team can be handed only to a reviewer."
        )
    )
    return "\n".join(lines)


def role_changed(name: str, role: TeamRole) -> str:
    return _("{name} is now a {role}.").format(name=name, role=role_name(role))


def confirm_owner(name: str, team: str) -> str:
    return _(
        "Hand <b>{team}</b> to <b>{name}</b>? They become its owner and you stay on as a reviewer."
    ).format(name=quote(name), team=quote(team))


def owner_changed(name: str) -> str:
    return _("{name} owns the team now; you are a reviewer.").format(name=name)


def confirm_remove(name: str, team: str) -> str:
    return _(
        "Remove <b>{name}</b> from <b>{team}</b>? Their open submissions are withdrawn and "
        "they no longer see anything of the team."
    ).format(name=quote(name), team=quote(team))


def removed(name: str) -> str:
    return _("{name} is no longer in the team.").format(name=name)


def confirm_delete(team: str) -> str:
    return _(
        "Delete <b>{team}</b>? Its memberships, submissions, comments and statuses are deleted "
        "for everyone, and its invite link stops working. This cannot be undone."
    ).format(team=quote(team))


def deleted(team: str) -> str:
    return _("Team <b>{team}</b> is deleted.").format(team=quote(team))


def confirm_leave(team: str) -> str:
    return _(
        "Leave <b>{team}</b>? Your open submissions there are withdrawn and you no longer see "
        "anything of the team."
    ).format(team=quote(team))


def left(team: str) -> str:
    return _("You left <b>{team}</b>.").format(team=quote(team))


def ask_name() -> str:
    return _("Send the new team's name (1 to 64 characters). /cancel to stop.")


def ask_rename(team: str) -> str:
    return _("Send a new name for <b>{team}</b> (1 to 64 characters). /cancel to stop.").format(
        team=quote(team)
    )


def name_expected() -> str:
    return _("I am waiting for the team's name as a text message. /cancel to stop.")


def created(team: str) -> str:
    return _(
        "✅ Team <b>{team}</b> is created and you are its owner. Send the invite link below to "
        "the people who should join."
    ).format(team=quote(team))


def renamed() -> str:
    return _("✅ The team is renamed.")


def new_link() -> str:
    return _("🔗 A new invite link: the old one no longer works.")


def ask_gate(view: TeamView) -> str:
    return _(
        "The gate of <b>{team}</b> is now: {gate}.\n"
        "Send the most issues a file may have, under the team's rules, to go to review: "
        "<code>0</code> for none, up to 999. /cancel to stop."
    ).format(team=quote(view.name), gate=gate_text(view.gate_max_issues))


def gate_set(max_issues: int) -> str:
    return _("✅ The gate is now: {gate}.").format(gate=gate_text(max_issues))


def gate_expected() -> str:
    return _("I am waiting for a number from 0 to 999. /cancel to stop.")


def team_rules_screen(view: TeamView, notice: str | None = None) -> str:
    lines = [notice, ""] if notice else []
    lines.append(
        _("<b>Rules of {team}</b>: a file sent for review is checked with them.").format(
            team=quote(view.name)
        )
    )
    lines.append("")
    for preset in RulePreset.built_in():
        mark = "✅" if view.preset is preset else "•"
        lines.append(f"{mark} <b>{preset.value}</b> — {preset_description(preset)}")
    if view.config_hash is not None:
        mark = "✅" if view.preset is RulePreset.CUSTOM else "•"
        name = preset_name(RulePreset.CUSTOM, view.config_hash)
        lines.append(f"{mark} <b>{quote(name)}</b> — " + _("the team's own configuration"))
    lines.append("")
    lines.append(
        _(
            "«Use a configuration» takes a <code>pyproject.toml</code>, "
            "<code>ruff.toml</code> or <code>.ruff.toml</code> for the team."
        )
    )
    return "\n".join(lines)


def team_preset_chosen(view: TeamView) -> str:
    return _("The team's files are checked with {rules} now.").format(
        rules=preset_name(view.preset, view.config_hash)
    )


def team_config_saved() -> str:
    return _("✅ The configuration is saved: the team's files are checked with it.")


def send_team_config(team: str) -> str:
    return _(
        "Send the ruff configuration of <b>{team}</b>: <code>pyproject.toml</code>, "
        "<code>ruff.toml</code> or <code>.ruff.toml</code> as a document, or paste its text "
        "here. Settings that name files or paths are not accepted. /cancel to stop."
    ).format(team=quote(team))


def group_unlinked() -> str:
    return _("The group chat is unlinked: it gets nothing more.")


def joined(team: str, role: TeamRole) -> str:
    return _("✅ You joined <b>{team}</b> as a {role}.").format(
        team=quote(team), role=role_name(role)
    )


def register_to_join() -> str:
    return _(
        "This is an invite to a team. Register first (or /login if you have an account): "
        "once your address is confirmed, you join the team at once."
    )


# --- group chats ------------------------------------------------------------------------------


def group_choose_team() -> str:
    return _("Link this group to which of your teams? It will get one line per status change.")


def group_owner_only() -> str:
    return _("Only a team's owner can link this group to a team, with /team here.")


def group_linked(team: str) -> str:
    return _("✅ This group is linked to <b>{team}</b>.").format(team=quote(team))
