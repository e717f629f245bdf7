"""Signed "open in browser" links to one check's report (`WEBAPP_URL/r/<token>`), carried by
result emails and readable without Telegram.

A token is `<check id>.<expiry, unix seconds>.<signature>`. The signature is an HMAC-SHA256
(first 18 bytes, base64url) over the check id, the expiry, the check's owner and the moment the
check started, with the server's link key. So a changed token, another check, an expired link,
or a check whose person was forgotten (the rows are gone; an id SQLite hands out again belongs
to another check, started at another moment) is not valid."""

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

_TOKEN = re.compile(r"([1-9][0-9]{0,9})\.([1-9][0-9]{0,11})\.([A-Za-z0-9_-]{24})")
_SIGNATURE_BYTES = 18
_KEY_CONTEXT = b"reviewbot report links"


def link_key(configured_secret: str, bot_token: str) -> bytes:
    """REPORT_LINK_SECRET when set, else a key derived from the bot token (so a new token, or a
    new secret, makes every link sent so far invalid)."""
    if configured_secret:
        return hashlib.sha256(configured_secret.encode()).digest()
    return hmac.new(_KEY_CONTEXT, bot_token.encode(), hashlib.sha256).digest()


@dataclass(frozen=True)
class LinkedCheck:
    """What a token claims, before the signature is checked against the check's rows."""

    check_id: int
    expires: int  # unix seconds
    signature: str


def _signature(key: bytes, check_id: int, expires: int, owner_id: int, started: datetime) -> str:
    message = f"{check_id}.{expires}.{owner_id}.{started.isoformat()}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()[:_SIGNATURE_BYTES]
    return base64.urlsafe_b64encode(digest).decode()


def sign_link(
    key: bytes, *, check_id: int, owner_id: int, started: datetime, now: datetime, days: int
) -> str:
    expires = int((now + timedelta(days=days)).timestamp())
    return f"{check_id}.{expires}.{_signature(key, check_id, expires, owner_id, started)}"


def read_link(token: str) -> LinkedCheck | None:
    """The claim of a well-formed token; None for anything else."""
    match = _TOKEN.fullmatch(token)
    if match is None:
        return None
    return LinkedCheck(int(match[1]), int(match[2]), match[3])


def link_is_valid(
    key: bytes, claim: LinkedCheck, *, owner_id: int, started: datetime, now: datetime
) -> bool:
    """The signature matches this check's rows, and the link has not expired."""
    expected = _signature(key, claim.check_id, claim.expires, owner_id, started)
    return hmac.compare_digest(expected, claim.signature) and now.timestamp() < claim.expires
