from aiogram.fsm.state import State, StatesGroup


class AuthFlow(StatesGroup):
    """Registration (/start) and login (/login): an address, then the code sent to it."""

    email = State()
    code = State()


class ReplaceFlow(StatesGroup):
    """After the Replace button: the next document becomes a new version of that file."""

    document = State()


class RulesFlow(StatesGroup):
    """After "Use my configuration": the next document or text is a ruff configuration."""

    config = State()


class TeamFlow(StatesGroup):
    """/team's dialogues: a new team's name; and, for the team in the data's `team_id`, a new
    name, the gate, or the team's ruff configuration."""

    name = State()
    rename = State()
    gate = State()
    config = State()
