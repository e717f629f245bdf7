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
