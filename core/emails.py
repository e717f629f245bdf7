"""Email bodies rendered from templates (plain text and HTML) in the person's language."""

from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from core.i18n import DEFAULT_LOCALE
from core.mail import compose

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


class EmailTemplates:
    """One Jinja environment per language, built once at start-up."""

    def __init__(self, *, sender: str, translations: dict[str, Translations]) -> None:
        self.sender = sender
        self._environments: dict[str, Environment] = {}
        for locale, catalogue in translations.items():
            environment = Environment(
                loader=FileSystemLoader(TEMPLATES_DIR),
                autoescape=select_autoescape(enabled_extensions=("html",), default=False),
                undefined=StrictUndefined,
                extensions=["jinja2.ext.i18n"],
                keep_trailing_newline=True,
            )
            environment.install_gettext_translations(catalogue, newstyle=True)  # type: ignore[attr-defined]
            self._environments[locale] = environment

    def environment(self, locale: str) -> Environment:
        return self._environments.get(locale, self._environments[DEFAULT_LOCALE])

    def confirmation(self, locale: str) -> "ConfirmationEmail":
        return ConfirmationEmail(self, locale)


class ConfirmationEmail:
    """The message carrying a one-time code."""

    def __init__(self, templates: EmailTemplates, locale: str) -> None:
        self._templates = templates
        self._locale = locale

    def build(self, *, recipient: str, code: str, lifetime: timedelta) -> EmailMessage:
        environment = self._templates.environment(self._locale)
        context = {"code": code, "minutes": int(lifetime.total_seconds() // 60)}
        subject = environment.get_template("confirmation_code.subject.txt").render(context)
        return compose(
            sender=self._templates.sender,
            recipient=recipient,
            subject=subject.strip(),
            text=environment.get_template("confirmation_code.txt").render(context),
            html=environment.get_template("confirmation_code.html").render(context),
        )
