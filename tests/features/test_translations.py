"""The Russian catalogue: complete, in step with the code, and safe to send as Telegram HTML.

English texts are the msgids in the `texts.py` modules under `bot/` (one per feature, and
`bot/shared/`) and in `infra/mail/templates/`; Russian lives in
`locales/ru/LC_MESSAGES/messages.po`, which `core.i18n` reads at start-up.
"""

import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from core.i18n import DEFAULT_LOCALE, LOCALES_DIR, load_translations, pick_locale

ROOT = Path(__file__).resolve().parents[2]
RU_PO = LOCALES_DIR / "ru" / "LC_MESSAGES" / "messages.po"

# The same keywords as `pybabel extract -k _ -k gettext -k ngettext:1,2` (added to the defaults).
KEYWORDS = {**DEFAULT_KEYWORDS, "_": None, "gettext": None, "ngettext": (1, 2)}

HOW_TO_FIX = (
    "To fix: run `make locales` (extracts the texts from the code into locales/messages.pot "
    "and updates locales/ru/LC_MESSAGES/messages.po from it), then translate every new or "
    'changed entry in the .po file (fill each msgstr / msgstr[0..2], remove "#, fuzzy" flags '
    'and delete leftover "#~" entries).'
)

# A msgid as the code has it: a text, or (singular, plural) for ngettext.
MessageId = str | tuple[str, str]

PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\(\w+\)[a-z]")
TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
COMMAND = re.compile(r"(?<![\w/])/[a-z_]+\b")


def message_id(raw: object) -> MessageId:
    """Babel gives a msgid as a str, or as a tuple/list of (singular, plural)."""
    if isinstance(raw, str):
        return raw
    assert isinstance(raw, tuple | list)
    singular, plural = raw[0], raw[1]
    assert isinstance(singular, str)
    assert isinstance(plural, str)
    return (singular, plural)


def code_messages() -> set[MessageId]:
    """What `pybabel extract -F babel.cfg` finds in the project right now."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        # Babel's own reader of babel.cfg, so the test sees exactly what `pybabel extract` sees.
        mapping = parse_mapping_cfg(config, "babel.cfg")  # type: ignore[no-untyped-call]
    method_map, options_map = mapping
    return {
        message_id(message)
        for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS
        )
    }


def read_ru() -> Catalog:
    with RU_PO.open("rb") as po_file:
        return read_po(po_file, locale="ru", domain="messages")


def entries(catalog: Catalog) -> list[Message]:
    return [message for message in catalog if message.id]


def forms(message: Message) -> list[str]:
    string = message.string
    if string is None:
        return [""]
    if isinstance(string, str):
        return [string]
    return [form if isinstance(form, str) else "" for form in string]


def listing(ids: set[MessageId]) -> str:
    return "\n".join(f"  - {message!r}" for message in sorted(ids, key=str))


def test_russian_catalogue_exists_with_russian_plural_rules() -> None:
    assert RU_PO.is_file(), f"{RU_PO} is missing. {HOW_TO_FIX}"
    catalog = read_ru()
    assert catalog.num_plurals == 3
    assert catalog.plural_expr == (
        "(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)"
    )


def test_every_text_in_the_code_has_a_russian_translation() -> None:
    in_code = code_messages()
    assert len(in_code) > 50, "the extraction found almost nothing; is babel.cfg right?"
    catalog = read_ru()
    translated = {
        message_id(message.id)
        for message in entries(catalog)
        if "fuzzy" not in message.flags
        and len(forms(message)) == (catalog.num_plurals if message.pluralizable else 1)
        and all(form.strip() for form in forms(message))
    }
    missing = in_code - translated
    assert not missing, (
        f"{len(missing)} text(s) in the code have no finished Russian translation "
        f"(absent, empty, missing a plural form, or marked fuzzy) in {RU_PO.relative_to(ROOT)}:"
        f"\n{listing(missing)}\n{HOW_TO_FIX}"
    )


def test_russian_catalogue_has_no_texts_the_code_no_longer_uses() -> None:
    in_code = code_messages()
    catalog = read_ru()
    stale = {message_id(message.id) for message in entries(catalog)} - in_code
    stale |= {message_id(message.id) for message in catalog.obsolete.values()}
    assert not stale, (
        f"{len(stale)} entr(y/ies) in {RU_PO.relative_to(ROOT)} no longer exist in the code "
        f"(or are kept as obsolete #~ entries):\n{listing(stale)}\n{HOW_TO_FIX}"
    )


def ru_pairs() -> list[tuple[str, str]]:
    """(English, Russian) for every translated text; plural forms against the plural msgid."""
    pairs: list[tuple[str, str]] = []
    for message in entries(read_ru()):
        english = message_id(message.id)
        source = english if isinstance(english, str) else english[1]
        pairs += [(source, form) for form in forms(message) if form]
    return pairs


def test_translations_keep_placeholders_markup_commands_and_line_breaks() -> None:
    problems: list[str] = []
    for english, russian in ru_pairs():
        for what, pattern in (
            ("placeholders", PLACEHOLDER),
            ("HTML tags", TAG),
            ("/commands", COMMAND),
        ):
            expected = Counter(pattern.findall(english))
            found = Counter(pattern.findall(russian))
            if expected != found:
                problems.append(
                    f"{english!r}\n    -> {russian!r}\n"
                    f"    {what}: expected {sorted(expected.elements())}, "
                    f"got {sorted(found.elements())}"
                )
        if english.count("\n") != russian.count("\n"):
            problems.append(f"{english!r}\n    -> {russian!r}\n    line breaks differ")
    assert not problems, "Translations that would break the bot's messages:\n" + "\n".join(
        problems
    )


def test_html_tags_in_translations_are_properly_nested() -> None:
    problems: list[str] = []
    for english, russian in ru_pairs():
        open_tags: list[str] = []
        for tag in TAG.findall(russian):
            name = tag.strip("</>").split()[0]
            if not tag.startswith("</"):
                open_tags.append(name)
            elif not open_tags or open_tags.pop() != name:
                problems.append(f"{english!r}\n    -> {russian!r}: misplaced {tag}")
                break
        else:
            if open_tags:
                problems.append(f"{english!r}\n    -> {russian!r}: unclosed <{open_tags[-1]}>")
    assert not problems, "Telegram would reject these messages:\n" + "\n".join(problems)


def test_loaded_catalogues_speak_russian_and_leave_english_as_it_is() -> None:
    catalogues = load_translations()
    assert set(catalogues) >= {DEFAULT_LOCALE, "ru"}
    russian = catalogues["ru"]
    assert russian.gettext("Cancelled.") == "Отменено."
    assert russian.gettext("Your files") == "Ваши файлы"
    assert catalogues[DEFAULT_LOCALE].gettext("Cancelled.") == "Cancelled."


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, "Неверный код. Осталась 1 попытка."),
        (2, "Неверный код. Осталось 2 попытки."),
        (4, "Неверный код. Осталось 4 попытки."),
        (5, "Неверный код. Осталось 5 попыток."),
        (11, "Неверный код. Осталось 11 попыток."),
        (21, "Неверный код. Осталась 21 попытка."),
        (0, "Неверный код. Осталось 0 попыток."),
    ],
)
def test_russian_plurals_agree_with_the_number(count: int, expected: str) -> None:
    russian = load_translations()["ru"]
    text = russian.ngettext(
        "Wrong code. {count} try left.", "Wrong code. {count} tries left.", count
    )
    assert text.format(count=count) == expected


@pytest.mark.parametrize("language_code", ["ru", "ru-RU", "RU"])
def test_russian_telegram_users_get_russian(language_code: str) -> None:
    assert pick_locale(language_code) == "ru"


@pytest.mark.parametrize("language_code", ["en", "uk", None, ""])
def test_everyone_else_gets_english(language_code: str | None) -> None:
    assert pick_locale(language_code) == "en"
