"""Launch data as Telegram gives it to a Mini App: the signed `initData` and the launch URL
whose fragment carries it with the theme (see docs/browser-tests.md)."""

import hashlib
import hmac
import json
from urllib.parse import quote, urlencode

# Telegram for Android's default themes, as its launch URLs carry them (tgWebAppThemeParams):
# "Day" (light) and "Night" (dark).
LIGHT_THEME: dict[str, str] = {
    "bg_color": "#ffffff",
    "text_color": "#222222",
    "hint_color": "#a8a8a8",
    "link_color": "#2678b6",
    "button_color": "#50a8eb",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#f0f0f0",
    "header_bg_color": "#527da3",
    "accent_text_color": "#1c93e3",
    "section_bg_color": "#ffffff",
    "section_header_text_color": "#3a95d5",
    "subtitle_text_color": "#82868a",
    "destructive_text_color": "#cc2929",
}
DARK_THEME: dict[str, str] = {
    "bg_color": "#212d3b",
    "text_color": "#ffffff",
    "hint_color": "#7d8b99",
    "link_color": "#5eabe1",
    "button_color": "#50a8eb",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#151e27",
    "header_bg_color": "#242d39",
    "accent_text_color": "#64b5ef",
    "section_bg_color": "#1d2733",
    "section_header_text_color": "#79c4fc",
    "subtitle_text_color": "#7b8790",
    "destructive_text_color": "#ee686f",
}

WEB_APP_VERSION = "8.0"
PLATFORM = "android"


def _compact_json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def signed_init_data(
    bot_token: str,
    *,
    user: dict[str, object],
    auth_date: int,
    query_id: str = "AAHdF6IQAAAAAN0XohDhrOrc",
) -> str:
    """`Telegram.WebApp.initData` signed with `bot_token` as Telegram signs it: the fields
    url-encoded (`user` as JSON); `hash` is the hex HMAC-SHA256 of the data-check-string (the
    other fields as sorted `key=value` lines joined by newlines) under the key
    HMAC-SHA256(key=b"WebAppData", msg=bot_token)."""
    fields = {"query_id": query_id, "user": _compact_json(user), "auth_date": str(auth_date)}
    check_string = "\n".join(f"{key}={value}" for key, value in sorted(fields.items()))
    secret = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    digest = hmac.new(secret, check_string.encode(), hashlib.sha256).hexdigest()
    return urlencode({**fields, "hash": digest}, quote_via=quote)


def launch_url(page_url: str, init_data: str, theme: dict[str, str]) -> str:
    """The address Telegram opens: the page with the launch parameters in its fragment."""
    return (
        f"{page_url}#tgWebAppData={quote(init_data, safe='')}"
        f"&tgWebAppVersion={WEB_APP_VERSION}&tgWebAppPlatform={PLATFORM}"
        f"&tgWebAppThemeParams={quote(_compact_json(theme), safe='')}"
    )
