"""Screenshots of Mini App pages: `docs/screenshots/*.png` are written by tests when
`UPDATE_SCREENSHOTS=1` (docs/browser-tests.md)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.async_api import Page

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def screenshots_wanted() -> bool:
    """`UPDATE_SCREENSHOTS=1`: the tests that take screenshots write them into docs/."""
    return os.environ.get("UPDATE_SCREENSHOTS", "") not in {"", "0", "false", "no"}


async def save_screenshot(page: Page, path: Path) -> Path:
    """The whole page (not only the phone's screen) as a PNG at `path`, its folder made if
    missing. Animations are stopped and the caret hidden, so two runs give the same picture."""
    path.parent.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=path, full_page=True, animations="disabled", caret="hide")
    return path
