"""The headers every Mini App answer carries. Telegram's web clients show a Mini App in a frame,
and X-Frame-Options cannot name another site, so app pages send none and say who may frame
them in the Content-Security-Policy (`frame-ancestors`); the report links of emails, opened in
a browser on their own, may be framed by no one."""

from urllib.parse import urlsplit

TELEGRAM_FRAMES = "https://web.telegram.org https://*.telegram.org"


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def app_headers(telegram_js_url: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": (
            "default-src 'none'; "
            f"script-src 'self' {origin(telegram_js_url)}; "
            "style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            "form-action 'self'; base-uri 'none'; "
            f"frame-ancestors 'self' {TELEGRAM_FRAMES}"
        ),
        **_COMMON,
    }


def link_page_headers() -> dict[str, str]:
    return {
        "Content-Security-Policy": (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
        ),
        "X-Frame-Options": "DENY",
        **_COMMON,
    }


_COMMON = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # a report link never leaks through a Referer
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
}
