"""Domain errors of teams and review by people (see core/errors.py for the rule: each names what
went wrong; the bot says it in the person's language)."""

from dataclasses import dataclass

from core.errors import DomainError
from core.team_models import SubmissionStatus, TeamRole


class TeamNotFoundError(DomainError):
    """No such team for this person: it does not exist, was deleted, or they are not in it
    (forged ids read the same)."""


@dataclass
class TeamRoleRequiredError(DomainError):
    """The person is in the team but their role does not allow this (`needed`: the least)."""

    needed: TeamRole


class InviteNotValidError(DomainError):
    """The invite link is unknown: mistyped, or replaced by a new one."""


@dataclass
class AlreadyInTeamError(DomainError):
    team_name: str


@dataclass
class TeamNameRefusedError(DomainError):
    """A team name must be 1 to `max_length` printable characters."""

    max_length: int


@dataclass
class TooManyTeamsError(DomainError):
    limit: int


class NotInAnyTeamError(DomainError):
    """Sending for review needs a team to send to."""


class SubmissionNotFoundError(DomainError):
    """No such submission for this person: not theirs, not submitted to a team they review in,
    or they left the team (forged ids read the same)."""


@dataclass
class AlreadySubmittedError(DomainError):
    """The file is already under review in that team."""

    status: SubmissionStatus


@dataclass
class SubmissionStatusError(DomainError):
    """The step is not possible from the submission's status (approved, withdrawn, taken…)."""

    status: SubmissionStatus


class OwnSubmissionError(DomainError):
    """A reviewer cannot review their own file."""


@dataclass
class CommentLinesError(DomainError):
    """The lines are not in the version (it has `line_count` lines)."""

    line_count: int


@dataclass
class CommentRefusedError(DomainError):
    """A comment must have text, at most `max_length` characters."""

    max_length: int


class CommentNotFoundError(DomainError):
    pass


class NotACommentReplyError(DomainError):
    """A reply that is not to a submission's message: nothing to comment on."""


# --- teams: membership and the owner's settings ------------------------------------------------


class OwnerCannotLeaveError(DomainError):
    """The owner leaves only by deleting the team or handing it to a reviewer first."""


class TeamMemberNotFoundError(DomainError):
    """No such person in the team (left, removed, or a forged id)."""


class NewOwnerNotReviewerError(DomainError):
    """The team is handed only to one of its reviewers."""


class OwnRoleError(DomainError):
    """The owner's own role or membership is not changed from the members' buttons."""


@dataclass
class GateRefusedError(DomainError):
    """The gate is a whole number of issues from 0 (none) to `maximum`."""

    maximum: int


class GroupLinkedElsewhereError(DomainError):
    """The group chat is linked to another team, whose owner alone may move it."""
