"""Typed fields of a JSON object, with tdlib's ``JsonObject`` wording when one is wrong.

The Bot API reads every JSON parameter (entities, keyboards) through these getters, so its
refusals name the field the same way: ``Can't find field "text"``, ``Field "x" must be of type
Boolean``. Callers put their own prefix in front (``Can't parse MessageEntity: ...``).
"""

from __future__ import annotations

import re
from typing import Any

from tests.fake_telegram.models import JsonDict

INTEGER_RE = re.compile(r"-?[0-9]+")
INT32 = 31
INT64 = 63
JSON_TYPE_NAMES = {dict: "Object", list: "Array", bool: "Boolean", str: "String"}


class FieldError(ValueError):
    """A field is missing or of the wrong type; ``str(err)`` is tdlib's message."""


def _missing(name: str) -> FieldError:
    return FieldError(f'Can\'t find field "{name}"')


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def integer(obj: JsonDict, name: str, *, bits: int = INT32, default: int | None = None) -> int:
    """A Number or a String holding a whole number that fits (``get_required_int_field``)."""
    if name not in obj:
        if default is None:
            raise _missing(name)
        return default
    value = obj[name]
    if not (_is_number(value) or isinstance(value, str)):
        raise FieldError(f'Field "{name}" must be a Number')
    text = str(value)
    if not INTEGER_RE.fullmatch(text) or not -(1 << bits) <= int(text) < (1 << bits):
        raise FieldError(f'Field "{name}" must be a valid Number')
    return int(text)


def string(obj: JsonDict, name: str, *, required: bool = False) -> str:
    """A String (a Number is taken as its text); "" when optional and absent."""
    if name not in obj:
        if required:
            raise _missing(name)
        return ""
    value = obj[name]
    if isinstance(value, str):
        return value
    if _is_number(value):
        return json_number_text(value)
    raise FieldError(f'Field "{name}" must be of type String')


def boolean(obj: JsonDict, name: str) -> bool:
    """An optional Boolean (``get_optional_bool_field``): false when absent."""
    value = obj.get(name, False)
    if not isinstance(value, bool):
        raise FieldError(f'Field "{name}" must be of type Boolean')
    return value


def typed(obj: JsonDict, name: str, kind: type[Any], *, required: bool = False) -> Any:
    """A field that must hold one JSON type (``extract_required_field``); None when absent."""
    if name not in obj:
        if required:
            raise _missing(name)
        return None
    value = obj[name]
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise FieldError(f'Field "{name}" must be of type {JSON_TYPE_NAMES[kind]}')
    return value


def json_number_text(value: float) -> str:
    """How the number looked in JSON (whole floats keep their ``.0``, like the raw text)."""
    return repr(value) if isinstance(value, float) else str(value)


def bot_api_wording(message: str) -> str:
    """The Bot API lower-cases the first letter of a message unless it is a CONSTANT_NAME."""
    if len(message) >= 2 and (message[1] == "_" or message[1].isupper()):
        return message
    return message[:1].lower() + message[1:]
