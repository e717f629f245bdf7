"""Texts of autofix: the preview with its diff, the fixed file, and the saved version."""

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.features.reports.texts import TELEGRAM_TEXT_LIMIT, telegram_length
from bot.shared.formatting import quote
from core.services.files import StoredUpload
from core.services.fixes import FixPreview
from core.source_excerpts import visible


def button_fix() -> str:
    return _("🛠 Fix")


def button_fixed_file() -> str:
    return _("⬇️ Get fixed file")


def button_save(version: int) -> str:
    return _("💾 Save as version {version}").format(version=version)


def button_unsafe() -> str:
    return _("⚠️ Include unsafe fixes")


def button_open_file() -> str:
    return _("Open the file")


def _head(preview: FixPreview) -> list[str]:
    lines = [
        _("🛠 Fixes for <b>{name}</b>, version {version}").format(
            name=quote(preview.file_name), version=preview.version
        ),
        _(
            "⚠️ With unsafe fixes: they may change what the code does. Read the diff before "
            "you use it."
        )
        if preview.unsafe
        else _("ruff's safe fixes, then ruff format."),
    ]
    outcome = preview.outcome
    if preview.changed:
        fixes = ngettext(
            "Fixes {fixed} of {count} issue",
            "Fixes {fixed} of {count} issues",
            outcome.issues_before,
        ).format(fixed=preview.fixed_count, count=outcome.issues_before)
        remain = ngettext("{count} remains.", "{count} remain.", len(outcome.remaining)).format(
            count=len(outcome.remaining)
        )
        lines.append(f"{fixes}; {remain}")
    else:
        lines.append(_("Nothing to fix: the file would stay exactly as it is."))
    if outcome.unsafe_available and not preview.unsafe:
        lines.append(
            ngettext(
                "{count} more issue has an unsafe fix.",
                "{count} more issues have unsafe fixes.",
                outcome.unsafe_available,
            ).format(count=outcome.unsafe_available)
        )
    if not outcome.formatted:
        lines.append(_("Not formatted: ruff format cannot parse this file."))
    return lines


def preview_text(preview: FixPreview) -> tuple[str, str | None]:
    """The preview screen, and the diff to send as a document when it is too long for a
    message (None when it fits, or there is none)."""
    head = _head(preview)
    if not preview.changed:
        return "\n".join(head), None
    diff = preview.diff
    block = f'<pre><code class="language-diff">{quote(_shown(diff))}</code></pre>'
    text = "\n".join([*head, "", block])
    if telegram_length(text) <= TELEGRAM_TEXT_LIMIT:
        return text, None
    note = _("The diff is long: it follows as {name}.").format(
        name=f"<code>{quote(diff_name(preview))}</code>"
    )
    return "\n".join([*head, "", note]), diff


def _shown(diff: str) -> str:
    """The diff as a message shows it: line by line, control and bidi characters made visible
    and harmless (tabs kept; the `.diff` document has the exact bytes)."""
    lines = diff.replace("\r\n", "\n").split("\n")
    return "\n".join("\t".join(map(visible, line.split("\t"))) for line in lines)


def _stem(name: str) -> str:
    return (name[:-3] if name.lower().endswith(".py") else name) or "file"


def diff_name(preview: FixPreview) -> str:
    """`calc-v2-fix.diff` (or `calc-v2-unsafe-fix.diff`) for version 2 of calc.py."""
    kind = "unsafe-fix" if preview.unsafe else "fix"
    return f"{_stem(preview.file_name)}-v{preview.version}-{kind}.diff"


def diff_caption(preview: FixPreview) -> str:
    return _("The fixes of <b>{name}</b>, version {version}, as a unified diff.").format(
        name=quote(preview.file_name), version=preview.version
    )


def fixed_file_caption(preview: FixPreview) -> str:
    if preview.unsafe:
        return _(
            "<b>{name}</b>, version {version}, with safe and unsafe fixes. Not saved: "
            "your files are unchanged."
        ).format(name=quote(preview.file_name), version=preview.version)
    return _(
        "<b>{name}</b>, version {version}, with safe fixes. Not saved: your files are unchanged."
    ).format(name=quote(preview.file_name), version=preview.version)


def saved(stored: StoredUpload) -> str:
    return _(
        "💾 Saved as version {version} of <b>{name}</b>. Its review follows in a moment."
    ).format(version=stored.version, name=quote(stored.name))


def still_working() -> str:
    return _("Still working on the last fix, one moment.")


def fixes_busy() -> str:
    return _("Busy with other people's fixes right now: try again in a moment.")
