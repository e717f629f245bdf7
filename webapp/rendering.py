"""Server-side HTML: one Jinja environment per language (autoescaped, the catalogues of
`locales/` installed), and the JSON form of the same data for the API."""

import dataclasses
import enum
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from core.i18n import DEFAULT_LOCALE
from core.rule_cards import localized_message

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"


class Templates:
    def __init__(self, translations: dict[str, Translations], globals_: dict[str, Any]) -> None:
        self._environments: dict[str, Environment] = {}
        for locale, catalogue in translations.items():
            environment = Environment(
                loader=FileSystemLoader(TEMPLATES_DIR),
                autoescape=select_autoescape(enabled_extensions=("html",), default=True),
                undefined=StrictUndefined,
                extensions=["jinja2.ext.i18n"],
                trim_blocks=True,
                lstrip_blocks=True,
            )
            environment.install_gettext_translations(catalogue, newstyle=True)  # type: ignore[attr-defined]
            environment.globals.update(globals_, locale=locale)
            # An issue's message in the language (a rule card's reason where there is one).
            environment.globals["issue_message"] = partial(localized_message, locale)
            self._environments[locale] = environment

    def render(self, locale: str, name: str, **context: Any) -> str:
        environment = self._environments.get(locale, self._environments[DEFAULT_LOCALE])
        return environment.get_template(name).render(context)


def jsonable(value: Any) -> Any:
    """Dataclasses, enums and times as JSON values (dicts, strings in ISO 8601)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            field.name: jsonable(getattr(value, field.name)) for field in dataclasses.fields(value)
        }
    if isinstance(value, enum.Enum | datetime | bytes):
        # content is downloaded, never inlined
        return None if isinstance(value, bytes) else _scalar(value)
    if isinstance(value, dict):
        return {str(jsonable(key)): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(item) for item in value]
    return value


def _scalar(value: enum.Enum | datetime) -> Any:
    return value.value if isinstance(value, enum.Enum) else value.isoformat()
