"""The answers to the domain errors of teams (core/team_errors.py); `error_texts.error_text`
asks here for the ones it does not know."""

from aiogram.utils.i18n import gettext as _

from bot.shared.formatting import quote
from core import team_errors
from core.services.team_settings import MAX_GATE_ISSUES
from core.team_models import TeamRole

# Answered as an alert on the button (like a file that is not found): nothing else is shown.
ALERTS = (
    team_errors.TeamNotFoundError,
    team_errors.TeamMemberNotFoundError,
    team_errors.TeamRoleRequiredError,
)


def team_error_text(error: Exception) -> str | None:  # noqa: PLR0911, PLR0912 - one case per error
    match error:
        case team_errors.TeamNotFoundError():
            return team_not_found()
        case team_errors.TeamMemberNotFoundError():
            return _("This person is no longer in the team.")
        case team_errors.TeamRoleRequiredError(needed=TeamRole.OWNER):
            return _("Only the team's owner can do this.")
        case team_errors.TeamRoleRequiredError():
            return _("Only the team's owner and reviewers can do this.")
        case team_errors.InviteNotValidError():
            return _(
                "This invite link does not work: it is mistyped, or the team's owner made a new "
                "one (or deleted the team). Ask them for the current link."
            )
        case team_errors.AlreadyInTeamError(team_name=name):
            return _("You are already in <b>{team}</b>: /team to open it.").format(
                team=quote(name)
            )
        case team_errors.TeamNameRefusedError(max_length=length):
            return _(
                "A team's name is 1 to {count} characters, on one line. Send another one, or "
                "/cancel."
            ).format(count=length)
        case team_errors.TooManyTeamsError(limit=limit):
            return _("You own {count} teams, the most one person can. Delete one first.").format(
                count=limit
            )
        case team_errors.OwnerCannotLeaveError():
            return _(
                "The owner cannot leave the team: make a reviewer its owner first (👥 Members), "
                "or delete the team."
            )
        case team_errors.NewOwnerNotReviewerError():
            return _("Only a reviewer can become the owner: make them a reviewer first.")
        case team_errors.OwnRoleError():
            return _("Your own role is not changed here: hand the team to a reviewer instead.")
        case team_errors.GateRefusedError():
            return _(
                "The gate is a whole number from 0 (no issues) to {count}. Send another one, "
                "or /cancel."
            ).format(count=MAX_GATE_ISSUES)
        case team_errors.GroupLinkedElsewhereError():
            return _("This group is linked to another team: only that team's owner can move it.")
    return None


def team_not_found() -> str:
    return _("Team not found.")
