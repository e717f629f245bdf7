"""Rows a database holds at each revision, written with that revision's columns only.

The rule: every migration adds its revision here in the same change (a function building on the
one before it, plus the default of each column it adds in NEW_COLUMN_DEFAULTS).
tests/data/test_migration_data.py fills a database at each revision with these rows, upgrades it to
head and compares every row; it fails when a revision has no fixture.
"""

import copy
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

Row = dict[str, Any]
Rows = dict[str, list[Row]]

T0 = datetime(2026, 11, 1, 8, 30, 15, 123456, tzinfo=UTC)

# Bytes a file may hold: NUL, 0xFF, invalid UTF-8, CRLF, a lone CR, non-ASCII text, nothing.
CONTENTS = [
    b"print('hello')\n",
    b"x = 1\r\ny = 2\r\n\r\n",
    b"\x00\xff\xfe\x80 invalid \xc3\x28 utf-8\r\x00",
    "# коммент ü 😀\nname = 'Jürgen'\n".encode(),
    bytes(range(256)),
    b"",
    b"import os\n" * 500,
    b"\xef\xbb\xbfprint(1)\r\n",  # with a UTF-8 byte order mark
]


def _at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _rows_0001() -> Rows:
    users: list[Row] = [
        {"id": 1, "email": "anna@example.org", "rule_preset": "default"},
        {"id": 2, "email": "jürgen.groß@пример.рф", "rule_preset": "pep8"},
        {"id": 3, "email": "zoë+tag@example.com", "rule_preset": "strict"},
    ]
    for user in users:
        user |= {"email_confirmed_at": _at(user["id"]), "created_at": _at(0)}
    accounts: list[Row] = [  # two accounts of one person, one of another, one never linked
        {"id": 1, "telegram_id": 1001, "chat_id": 1001, "user_id": 1, "language_code": "en"},
        {"id": 2, "telegram_id": 1002, "chat_id": -100500, "user_id": 1, "language_code": "ru"},
        {"id": 3, "telegram_id": 1003, "chat_id": 1003, "user_id": 2, "language_code": "pt-BR"},
        {"id": 4, "telegram_id": 2**53 + 1, "chat_id": 2**53 + 1, "user_id": None},
    ]
    for account in accounts:
        linked = account["user_id"] is not None
        account.setdefault("language_code", "uk")
        account |= {"linked_at": _at(5) if linked else None, "created_at": _at(1)}
    confirmations: list[Row] = [
        {
            "id": 1,
            "telegram_id": 1001,
            "email": "anna@example.org",
            "purpose": "register",
            "confirmed_at": _at(3),
        },
        {
            "id": 2,
            "telegram_id": 2**53 + 1,
            "email": "ёжик@пример.рф",
            "purpose": "login",
            "confirmed_at": None,
        },
    ]
    for confirmation in confirmations:
        confirmation |= {
            "code_hash": b"\x00\xff" + bytes(range(62)),
            "code_salt": b"\xff" * 16 + b"\x00" * 16,
            "attempts": confirmation["id"],
            "sent_at": _at(2),
            "expires_at": _at(12),
        }
    statuses = ["new", "replaced", "checking", "checked", "error", "deleted", "deleted"]
    names = ["main.py", "модуль_ü.py", "😀 emoji.py", "a b\tc.py", "x.py", "main.py", "old.py"]
    files: list[Row] = [
        {
            "id": i,
            "user_id": 1 if i in {1, 6} else 2 if i % 2 else 3,
            "name": name,
            "status": status,
            "current_version": 2 if status == "replaced" else 1,
            "created_at": _at(10 + i),
            "updated_at": _at(20 + i),
        }
        for i, (name, status) in enumerate(zip(names, statuses, strict=True), start=1)
    ]
    versions: list[Row] = []
    events: list[Row] = []
    for file in files:
        for number in range(1, file["current_version"] + 1):
            content = CONTENTS[len(versions) % len(CONTENTS)]
            version_id = len(versions) + 1
            versions.append(
                {
                    "id": version_id,
                    "file_id": file["id"],
                    "number": number,
                    "content": content,
                    "size": len(content),
                    "sha256": hashlib.sha256(content).hexdigest(),
                    "telegram_file_id": f"BQACAgIAAx{version_id}-_" if version_id % 3 else None,
                    "uploaded_by": [1, 2, 3, 4, None][version_id % 5],
                    "uploaded_at": _at(30 + version_id),
                }
            )
            kind = "upload" if number == 1 else "replace"
            events.append(
                {
                    "file_id": file["id"],
                    "version_id": version_id,
                    "kind": kind,
                    "telegram_id": 1001 if version_id % 2 else 2**53 + 1,
                }
            )
        if file["status"] == "deleted":
            events.append(
                {"file_id": file["id"], "version_id": None, "kind": "delete", "telegram_id": None}
            )
    for number, event in enumerate(events, start=1):
        event |= {"id": number, "created_at": _at(40 + number)}
    return {
        "users": users,
        "telegram_accounts": accounts,
        "email_confirmations": confirmations,
        "files": files,
        "file_versions": versions,
        "file_events": events,
    }


def _rows_0002() -> Rows:
    rows = _rows_0001()
    states = ["pending", "claimed", "checked", "failed"]
    for version in rows["file_versions"]:
        state = states[version["id"] % len(states)]
        version |= {
            "check_state": state,
            "check_after": _at(60) if state == "pending" else None,
            "check_attempts": version["id"] % 4,
            "claimed_by": "worker-ü-1" if state == "claimed" else None,
            "claim_expires_at": _at(65) if state == "claimed" else None,
        }
    presets = ["default", "pep8", "strict"]
    results = ["passed", "failed", "error"]
    checks: list[Row] = []
    for number in range(1, 7):
        result = results[number % 3]
        issues = (
            []
            if result != "failed"
            else [
                {
                    "code": "E501",
                    "message": "Line too long (120 > 99) — «ü»",
                    "row": 1,
                    "col": 100,
                },
                {"code": None, "message": "SyntaxError: \x00 unexpected", "row": 2, "col": 1},
            ]
        )
        checks.append(
            {
                "id": number,
                "version_id": number,
                "preset": presets[number % 3],
                "ruff_version": "0.8.1",
                "started_at": _at(70 + number),
                "finished_at": _at(71 + number),
                "result": result,
                "issue_count": len(issues),
                "issues": issues,
                "error": "ruff: тайм-аут\r\nline 2" if result == "error" else None,
            }
        )
    deliveries: list[Row] = []
    for check in checks:
        for channel in ["email", "telegram"]:
            number = len(deliveries) + 1
            status = ["pending", "sent", "failed"][number % 3]
            deliveries.append(
                {
                    "id": number,
                    "check_id": check["id"],
                    "channel": channel,
                    "status": status,
                    "attempts": number % 5,
                    "last_error": "550 5.1.1 «нет такого»" if status == "failed" else None,
                    "next_attempt_at": _at(80 + number),
                    "claimed_until": _at(90) if status == "pending" and number % 2 else None,
                    "sent_at": _at(85) if status == "sent" else None,
                    "created_at": _at(72),
                }
            )
    return rows | {"checks": checks, "deliveries": deliveries}


CONFIG_TEXT = '# своё\r\nline-length = 120\n\n[lint]\nselect = ["E", "F"]\n'
CONFIG_HASH = hashlib.sha256(CONFIG_TEXT.encode()).hexdigest()


def _rows_0003() -> Rows:
    rows = _rows_0002()
    rows["review_configs"] = [{"hash": CONFIG_HASH, "text": CONFIG_TEXT, "created_at": _at(3)}]
    for user in rows["users"]:
        custom = user["id"] == 3
        user |= {
            "rule_preset": "custom" if custom else user["rule_preset"],
            "ruff_config_hash": CONFIG_HASH if user["id"] != 1 else None,
            "muted_rules": ["E501", "W291"] if custom else [],
        }
    for check in rows["checks"]:
        custom = check["id"] % 2 == 0
        check |= {
            "preset": "custom" if custom else check["preset"],
            "config_hash": CONFIG_HASH if custom else None,
            "muted_rules": ["E501"] if check["id"] > 3 else [],
        }
    return rows


def _rows_0004() -> Rows:
    rows = _rows_0003()
    for check in rows["checks"]:
        check["issues_truncated"] = check["result"] == "failed" and check["id"] > 3
    for delivery in rows["deliveries"]:
        held = delivery["claimed_until"] is not None
        delivery["claimed_by"] = "host-ü:1234:worker" if held else None
    return rows


def _rows_0005() -> Rows:
    """A team of three (user 3 submits file 2, reviewed by user 2) with a submission at each
    step: its history, a gate check of its own, comments (one by a forgotten reviewer, one
    general), and notices sent, pending and failed, one to the group chat."""
    rows = _rows_0004()
    for check in rows["checks"]:
        check |= {"gate": False, "team_id": None}
    rows["checks"].append(
        rows["checks"][2]
        | {"id": 7, "gate": True, "team_id": 1, "preset": "custom", "config_hash": CONFIG_HASH}
    )
    rows["teams"] = [
        {
            "id": 1,
            "name": "Группа ü «1»",
            "preset": "custom",
            "config_hash": CONFIG_HASH,
            "gate_max_issues": 3,
            "invite_token": "Ab-_0123456789abcdefghijklmnopqr",
            "group_chat_id": -(10**12) - 5,
            "created_at": _at(80),
        },
        {
            "id": 2,
            "name": "x",
            "preset": "strict",
            "config_hash": None,
            "gate_max_issues": 0,
            "invite_token": "t2",
            "group_chat_id": None,
            "created_at": _at(81),
        },
    ]
    rows["team_members"] = [
        {
            "id": 1,
            "team_id": 1,
            "user_id": 1,
            "role": "owner",
            "joined_at": _at(80),
            "display_name": "Анна 😀",
        },
        {
            "id": 2,
            "team_id": 1,
            "user_id": 2,
            "role": "reviewer",
            "joined_at": _at(82),
            "display_name": "<b>J</b>",
        },
        {
            "id": 3,
            "team_id": 1,
            "user_id": 3,
            "role": "member",
            "joined_at": _at(83),
            "display_name": "Zoë",
        },
        {
            "id": 4,
            "team_id": 2,
            "user_id": 3,
            "role": "owner",
            "joined_at": _at(84),
            "display_name": "Z",
        },
    ]
    rows["submissions"] = [
        {
            "id": 1,
            "team_id": 1,
            "file_id": 2,
            "member_id": 3,
            "version_id": 3,
            "status": "changes",
            "reviewer_id": 2,
            "created_at": _at(85),
            "updated_at": _at(90),
        },
        {
            "id": 2,
            "team_id": 1,
            "file_id": 2,
            "member_id": 3,
            "version_id": 2,
            "status": "withdrawn",
            "reviewer_id": None,
            "created_at": _at(84),
            "updated_at": _at(84),
        },
    ]
    events = [(1, "submitted", 2, 3), (1, "in_review", 2, 2), (1, "changes", 3, None)]
    events.append((2, "withdrawn", 2, 3))
    rows["submission_events"] = [
        {
            "id": number,
            "submission_id": submission,
            "status": status,
            "version_id": version,
            "actor_id": actor,
            "created_at": _at(85 + number),
        }
        for number, (submission, status, version, actor) in enumerate(events, start=1)
    ]
    rows["gate_runs"] = [
        {
            "id": 1,
            "team_id": 1,
            "member_id": 3,
            "file_id": 2,
            "version_id": 3,
            "submission_id": 1,
            "check_id": 7,
            "passed": True,
            "issue_count": 2,
            "created_at": _at(86),
        },
        {
            "id": 2,
            "team_id": 1,
            "member_id": 3,
            "file_id": 2,
            "version_id": 2,
            "submission_id": None,
            "check_id": None,
            "passed": False,
            "issue_count": 40,
            "created_at": _at(85),
        },
    ]
    comment = {
        "submission_id": 1,
        "version_id": 2,
        "state": "open",
        "at_version_id": 3,
        "resolved_at": None,
        "resolved_by": None,
    }
    rows["review_comments"] = [
        comment
        | {
            "id": 1,
            "author_id": 2,
            "first_line": 3,
            "last_line": 5,
            "line_text": "x = 1\r\n\tif ü:\n",
            "body": "<b>не</b> так & \u2028",
            "at_first_line": 8,
            "at_last_line": 10,
            "created_at": _at(87),
        },
        comment
        | {
            "id": 2,
            "author_id": None,
            "first_line": None,
            "last_line": None,
            "line_text": "",
            "body": "general 😀",
            "state": "outdated",
            "at_first_line": None,
            "at_last_line": None,
            "created_at": _at(88),
        },
        comment
        | {
            "id": 3,
            "author_id": 1,
            "first_line": 1,
            "last_line": 1,
            "line_text": "",
            "body": "ok",
            "state": "resolved",
            "at_version_id": None,
            "at_first_line": None,
            "at_last_line": None,
            "created_at": _at(89),
            "resolved_at": _at(91),
            "resolved_by": 2,
        },
    ]
    notice = {
        "submission_id": 1,
        "gate_run_id": None,
        "attempts": 0,
        "last_error": None,
        "claimed_until": None,
        "claimed_by": None,
        "sent_at": None,
        "chat_id": None,
        "message_id": None,
    }
    rows["review_notices"] = [
        notice
        | {
            "id": 1,
            "event_id": 1,
            "kind": "submitted",
            "recipient_id": 2,
            "channel": "telegram",
            "status": "sent",
            "attempts": 1,
            "next_attempt_at": _at(86),
            "sent_at": _at(86),
            "chat_id": 1003,
            "message_id": 2**40,
            "created_at": _at(86),
        },
        notice
        | {
            "id": 2,
            "event_id": 3,
            "kind": "changes",
            "recipient_id": 3,
            "channel": "email",
            "status": "failed",
            "attempts": 8,
            "last_error": "550 «нет»",
            "next_attempt_at": _at(95),
            "created_at": _at(88),
        },
        notice
        | {
            "id": 3,
            "event_id": 3,
            "kind": "changes",
            "recipient_id": None,
            "channel": "telegram",
            "status": "pending",
            "next_attempt_at": _at(96),
            "claimed_until": _at(97),
            "claimed_by": "w-1",
            "created_at": _at(88),
        },
        notice
        | {
            "id": 4,
            "event_id": None,
            "gate_run_id": 2,
            "kind": "blocked",
            "recipient_id": 3,
            "channel": "telegram",
            "status": "pending",
            "next_attempt_at": _at(85),
            "created_at": _at(85),
        },
    ]
    return rows


def _rows_0006() -> Rows:
    """Line counts on every check, a check judged against a baseline (an accepted issue with
    a fix, one not), and a file's baseline."""
    rows = _rows_0005()
    contents = {version["id"]: version["content"] for version in rows["file_versions"]}
    for check in rows["checks"]:
        check |= {
            "line_count": len(contents[check["version_id"]].splitlines()),
            "baseline_version": None,
            "accepted_count": 0,
        }
    second = next(version for version in rows["file_versions"] if version["number"] == 2)
    first = next(
        version
        for version in rows["file_versions"]
        if version["file_id"] == second["file_id"] and version["number"] == 1
    )
    fix = {
        "applicability": "display-only",
        "message": "Add explicit `check=False` «ü»",
        "edits": [
            {
                "content": ", check=False\r\n",
                "line": 1,
                "column": 3,
                "end_line": 2,
                "end_column": 1,
            }
        ],
    }
    issue = {
        "code": "PLW1510",
        "message": "`subprocess.run` without explicit `check` argument",
        "line": 1,
        "column": 1,
        "end_line": 1,
        "end_column": 3,
        "fixable": True,
        "url": None,
    }
    rows["checks"].append(
        rows["checks"][0]
        | {
            "id": 8,
            "version_id": second["id"],
            "result": "passed",
            "issue_count": 2,
            "issues": [issue | {"fix": fix, "accepted": True}, issue | {"fix": None, "line": 2}],
            "line_count": len(second["content"].splitlines()),
            "baseline_version": 1,
            "accepted_count": 1,
        }
    )
    rows["file_baselines"] = [
        {"file_id": second["file_id"], "version_id": first["id"], "created_at": _at(90)}
    ]
    return rows


# Revision → the rows a database at that revision holds. A new migration adds its entry.
FIXTURES: dict[str, Callable[[], Rows]] = {
    "0001": _rows_0001,
    "0002": _rows_0002,
    "0003": _rows_0003,
    "0004": _rows_0004,
    "0005": _rows_0005,
    "0006": _rows_0006,
}


class VersionLines:
    """The default of `checks.line_count`, filled by its migration: the lines of the checked
    version's bytes."""

    def __call__(self, row: Row, before: Rows) -> int:
        versions = {version["id"]: version for version in before["file_versions"]}
        return len(bytes(versions[row["version_id"]]["content"]).splitlines())


# Columns added after a revision: what rows written before it read at head (a callable: what
# the migration fills in, from the row and the database before the upgrade).
NEW_COLUMN_DEFAULTS: dict[tuple[str, str], Any] = {
    ("file_versions", "check_state"): "pending",
    ("file_versions", "check_after"): None,
    ("file_versions", "check_attempts"): 0,
    ("file_versions", "claimed_by"): None,
    ("file_versions", "claim_expires_at"): None,
    ("users", "ruff_config_hash"): None,
    ("users", "muted_rules"): [],
    ("checks", "config_hash"): None,
    ("checks", "muted_rules"): [],
    ("checks", "issues_truncated"): False,
    ("deliveries", "claimed_by"): None,
    ("checks", "gate"): False,
    ("checks", "team_id"): None,
    ("checks", "line_count"): VersionLines(),
    ("checks", "baseline_version"): None,
    ("checks", "accepted_count"): 0,
}


def rows_at(revision: str) -> Rows:
    return copy.deepcopy(FIXTURES[revision]())
