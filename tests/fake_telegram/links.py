"""Telegram's URL check, ported from tdlib (``LinkManager::check_link`` over ``td::parse_url``).

``check_link`` returns the URL as Telegram stores it (``http://`` added, host lower-cased, a
``/`` path) or raises :class:`LinkError` with tdlib's reason. Only what matters for links in
messages and buttons is kept: http(s), tg:// and ton:// links; no IDN or t.me special cases.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

HOST_SYMBOLS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-_!$,~*'();&+=")
INTERNAL_SCHEMES = ("tg:", "ton:", "tonsite:")
USER_LINK_RE = re.compile(r"tg:(?://)?user/?\?(?P<query>[^#]*)", re.IGNORECASE)
MAX_USER_ID = (1 << 40) - 1


class LinkError(ValueError):
    """The URL is not one Telegram accepts; ``str(err)`` is tdlib's reason."""


@dataclass(frozen=True)
class HttpUrl:
    https: bool
    userinfo: str
    host: str
    is_ipv6: bool
    specified_port: int
    query: str

    def url(self) -> str:
        userinfo = f"{self.userinfo}@" if self.userinfo else ""
        port = f":{self.specified_port}" if self.specified_port else ""
        scheme = "https" if self.https else "http"
        return f"{scheme}://{userinfo}{self.host}{port}{self.query}"


def _read_till(text: str, pos: int, stops: str) -> int:
    while pos < len(text) and text[pos] not in stops:
        pos += 1
    return pos


def _port(text: str) -> int:
    digits = text.lstrip("0") or text[-1:]
    if not digits.isascii() or not digits.isdigit() or int(digits) == 0:
        return -1
    return int(digits)


def _check_host(host: str, is_ipv6: bool) -> None:
    if is_ipv6:
        return
    i = 0
    while i < len(host):
        c = host[i]
        if c == "%":
            pair = host[i + 1 : i + 3]
            if len(pair) < 2 or any(h not in "0123456789abcdef" for h in pair):
                raise LinkError("Wrong percent-encoded symbol in URL host")
            i += 3
            continue
        if c not in HOST_SYMBOLS and ord(c) < 128:  # plain UTF-8 is allowed
            raise LinkError("Wrong URL host")
        i += 1


def parse_url(url: str) -> HttpUrl:
    """``td::parse_url``: ``[https?://][userinfo@]host[:port][/path?query#fragment]``."""
    pos = _read_till(url, 0, ":/?#@[]")
    https = False
    if url.startswith("://", pos):
        protocol = url[:pos].lower()
        if protocol not in ("http", "https"):
            raise LinkError("Unsupported URL protocol")
        https = protocol == "https"
        pos += 3
    else:
        pos = 0
    end = _read_till(url, pos, "/?#")
    authority, rest = url[pos:end], url[end:]
    port = 0
    colon = max(authority.rfind(":"), authority.rfind("]"), authority.rfind("@"))
    if colon > 0 and authority[colon] == ":":
        port, authority = _port(authority[colon + 1 :]), authority[:colon]
    if not 0 <= port <= 65535:
        raise LinkError("Wrong port number specified in the URL")
    userinfo, _, host = authority.rpartition("@")
    is_ipv6 = host.startswith("[") and host.endswith("]") and len(host) > 1
    if is_ipv6:
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise LinkError("Wrong IPv6 address specified in the URL") from None
    if not host:
        raise LinkError("URL host is empty")
    if host == ".":
        raise LinkError("Host is invalid")
    host = host.lower()
    _check_host(host, is_ipv6)
    query = rest.rstrip(" \t\r\n\v\f") or "/"
    query = ("" if query.startswith("/") else "/") + "".join(
        f"%{ord(c):02X}" if ord(c) <= 0x20 else c for c in query
    )
    return HttpUrl(https, userinfo, host, is_ipv6, port, query)


def check_link(link: str, *, https_only: bool = False) -> str:
    """The link as Telegram keeps it; raises LinkError when Telegram refuses it.

    ``https_only``: a Web App's address (inline ``web_app`` buttons, the menu button), which
    Telegram opens only over https; checked right after the URL parses, so ``example`` (read
    as ``http://example``) is refused for that, not as a host without a dot.
    """
    scheme = next((s for s in INTERNAL_SCHEMES if link.lower().startswith(s)), None)
    rest = link[len(scheme) :] if scheme else link
    if scheme and rest.startswith("//"):
        rest = rest[2:]
    parsed = parse_url(rest)
    if https_only and (scheme is not None or not parsed.https):
        raise LinkError("Only HTTPS links are allowed")
    if scheme is not None:
        if (
            rest.lower().startswith("http://")
            or parsed.https
            or parsed.userinfo
            or parsed.specified_port
            or parsed.is_ipv6
        ):
            raise LinkError("Wrong tg URL" if scheme == "tg:" else "Wrong ton URL")
        allowed_dot = scheme == "tonsite:"
        if any(not (c.isascii() and (c.isalnum() or c in "-_" or (allowed_dot and c == ".")))
               for c in parsed.host):  # fmt: skip
            raise LinkError("Unallowed characters in URL host")
        query = parsed.query[1:] if parsed.query.startswith("/?") else parsed.query
        return f"{scheme[:-1].lower()}://{parsed.host}{query}"
    if "." not in parsed.host and not parsed.is_ipv6:
        raise LinkError("Wrong HTTP URL")
    return parsed.url()


def link_error(link: str, reason: LinkError) -> str:
    """tdlib's wording of a refused link, as ``check_link`` reports it."""
    return f"URL '{link}' is invalid: {reason}"


def link_user_id(url: str) -> int | None:
    """The user id of a ``tg://user?id=<id>`` link (``LinkManager::get_link_user_id``)."""
    found = USER_LINK_RE.fullmatch(url.split("#", 1)[0])
    if found is None:
        return None
    for parameter in found["query"].split("&"):
        key, _, value = parameter.partition("=")
        if key == "id":
            if not re.fullmatch(r"-?\d{1,19}", value):
                return None
            user_id = int(value)
            return user_id if 0 < user_id <= MAX_USER_ID else None
    return None
