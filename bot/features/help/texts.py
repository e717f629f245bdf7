"""/help, /cancel and the command menu."""

from aiogram.utils.i18n import gettext as _


def command_descriptions() -> dict[str, str]:
    return {
        "start": _("Register or see your account"),
        "files": _("Your files"),
        "report": _("Every check of your files, with exports"),
        "rules": _("Rule presets, muted rules, your own ruff configuration"),
        "team": _("Your teams: review by people"),
        "reviews": _("What waits for your review, and your submissions"),
        "help": _("What I can do"),
        "login": _("Sign in to an existing account"),
        "logout": _("Sign out in this chat"),
        "forget": _("Delete your account and everything stored for it"),
        "cancel": _("Stop what is in progress"),
    }


def help_text() -> str:
    return _(
        "I review Python files with <b>ruff</b> and send the result here and by email.\n\n"
        "Send a <code>.py</code> file as a document to add it; a file with the same name "
        "becomes its new version. Or paste code as a code block (between <code>```</code> "
        "lines): it becomes <code>snippet-N.py</code>, and a code block sent in reply to a "
        "result makes that file's next version.\n\n"
        "/files — your files: report, replace, download, history, delete\n"
        "/report — every check of your files, with CSV, XLSX and JSON exports\n"
        "/rules — the rules your files are checked with: presets, muted rules, your own "
        "ruff configuration\n"
        "/team — your teams: invite people, choose reviewers, the team's rules and gate\n"
        "/reviews — what waits for your review, and your files sent for review\n"
        "/start — register or see your account\n"
        "/login — sign in to an existing account with its email\n"
        "/logout — sign out in this chat\n"
        "/forget — delete your account and everything stored for it\n"
        "/cancel — stop what is in progress\n"
        "/help — this message\n\n"
        "<b>What I store</b>: your email address; the ids, chats and language of the "
        "Telegram accounts signed in to it; every file you send, with every version; every "
        "check with its issues; the record of each result sent by chat and email; your rule "
        "settings and your own ruff configuration; your teams with the name you had in "
        "Telegram when you joined; your files sent for review, with their history and the "
        "comments on them, and the comments you wrote; the codes I mailed (only their "
        "hashes).\n"
        "<b>For how long</b>: until you /forget. Deleting a file takes it off your list, but "
        "its versions, checks and deliveries stay stored until then. /forget deletes all of "
        "it for good, after a confirmation, and signs out every linked Telegram account."
    )


def cancelled() -> str:
    return _("Cancelled.")


def nothing_to_cancel() -> str:
    return _("There is nothing to cancel.")
