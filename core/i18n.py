"""Translation catalogues: `locales/<lang>/LC_MESSAGES/messages.po`, compiled in memory.

English is the source language (the msgids); other languages are read from their `.po` files
at start-up, so there is no compiled artifact to keep in step with the source.
"""

import functools
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
DEFAULT_LOCALE = "en"


def load_translations(locales_dir: Path = LOCALES_DIR) -> dict[str, Translations]:
    """Every catalogue under `locales_dir`, plus an empty one for the source language (read
    once per process: each bot the tests start asks again)."""
    return dict(_read_catalogues(locales_dir))


@functools.cache
def _read_catalogues(locales_dir: Path) -> dict[str, Translations]:
    catalogues: dict[str, Translations] = {DEFAULT_LOCALE: Translations()}
    for po_path in sorted(locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        locale = po_path.parent.parent.name
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=locale, domain=DOMAIN)
        buffer = BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        catalogues[locale] = Translations(buffer, domain=DOMAIN)
    return catalogues


def pick_locale(language_code: str | None) -> str:
    """`ru*` gives Russian; anything else English (PRODUCT.md §3)."""
    if language_code and language_code.lower().startswith("ru"):
        return "ru"
    return DEFAULT_LOCALE
