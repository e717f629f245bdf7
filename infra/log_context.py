"""What a log line is about: the update, the Telegram user, the file, version, check or
delivery being handled. Set by the outer dispatcher middleware (update and user) and by the
jobs (version, check, delivery); `ContextFilter` puts the fields on every record, so JSON lines
carry them as keys and console lines end with them."""

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType

# Every field a record may carry, in the order the console shows them.
FIELDS = (
    "update_id",
    "user_id",  # the Telegram user's id
    "file_id",
    "version_id",
    "version_ids",  # the versions of one ruff run
    "check_id",
    "check_ids",
    "delivery_id",
)

FieldValue = int | list[int]

_fields: ContextVar[Mapping[str, FieldValue]] = ContextVar(
    "log_fields", default=MappingProxyType({})
)


@contextmanager
def bound(**fields: FieldValue | None) -> Iterator[None]:
    """These fields (those not None) on every record logged inside the block, in this task and
    the tasks it starts."""
    token = _fields.set({**_fields.get(), **{k: v for k, v in fields.items() if v is not None}})
    try:
        yield
    finally:
        _fields.reset(token)


class ContextFilter(logging.Filter):
    """Adds the bound fields to each record (a field the call passed in `extra` wins)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in _fields.get().items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


def context_suffix(record: logging.LogRecord) -> str:
    """` [update_id=… user_id=…]` for a console line, or nothing."""
    shown = [f"{name}={getattr(record, name)}" for name in FIELDS if getattr(record, name, None)]
    return f" [{' '.join(shown)}]" if shown else ""
