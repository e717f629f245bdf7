"""The webhook, strict like Telegram: setWebhook, getWebhookInfo, deleteWebhook, and delivering
updates by POST to the webhook's URL with the secret header.

Telegram posts only to HTTPS URLs on ports 443, 80, 88 or 8443, so the bot sits behind a
reverse proxy that ends TLS. The test plays that proxy (and a load balancer): a delivery takes
the address(es) to post to, keeps the webhook URL's path, and sends what Telegram sends.
An update is done only when the bot answered it with 2xx; any other answer, or a connection
that failed, leaves it pending for the next delivery (Telegram retries).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import aiohttp

from tests.fake_telegram.methods import method
from tests.fake_telegram.models import ApiError, JsonDict, bad_request
from tests.fake_telegram.params import Params
from tests.fake_telegram.state import WebhookState

if TYPE_CHECKING:
    from tests.fake_telegram.state import World

WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
WEBHOOK_PORTS = frozenset({80, 88, 443, 8443})
# How long Telegram waits for the bot to answer one update.
ANSWER_TIMEOUT = 60.0


@method("setWebhook")
async def set_webhook(world: World, params: Params) -> bool:
    url = params.get_str("url") or ""
    if not url:  # an empty URL removes the webhook
        world.webhook = None
        return True
    parts = urlsplit(url)
    if parts.scheme != "https":
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if not parts.hostname:
        raise bad_request("bad webhook: Failed to resolve host: Name or service not known")
    if (parts.port or 443) not in WEBHOOK_PORTS:
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
    secret = params.get_str("secret_token")
    if secret is not None and not SECRET_RE.fullmatch(secret):
        raise bad_request("bad webhook: secret token contains unallowed characters")
    connections = params.get_int("max_connections") or 40
    if not 1 <= connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    allowed = params.get_json("allowed_updates")
    if allowed is not None:
        if not isinstance(allowed, list):
            raise bad_request("can't parse allowed_updates JSON object")
        world.allowed_updates = [str(kind) for kind in allowed]
    if params.get_bool("drop_pending_updates"):
        world.updates.clear()
    world.webhook = WebhookState(url=url, secret_token=secret, max_connections=connections)
    world.updates_changed.notify()  # a waiting getUpdates ends: the webhook took over
    return True


@method("deleteWebhook")
async def delete_webhook(world: World, params: Params) -> bool:
    world.webhook = None
    if params.get_bool("drop_pending_updates"):
        world.updates.clear()
    return True


@method("getWebhookInfo")
async def get_webhook_info(world: World, params: Params) -> JsonDict:
    hook = world.webhook
    info: JsonDict = {
        "url": hook.url if hook is not None else "",
        "has_custom_certificate": False,
        "pending_update_count": len(world.pending(len(world.updates) or 1)),
    }
    if hook is not None:
        info["max_connections"] = hook.max_connections
        if world.allowed_updates:
            info["allowed_updates"] = list(world.allowed_updates)
        if hook.last_error_date is not None:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
    return info


@dataclass(frozen=True)
class WebhookPost:
    """One update posted to the bot: its HTTP status, or None when no answer came."""

    update_id: int
    via: str
    status: int | None
    error: str = ""

    @property
    def acknowledged(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


async def post_update(
    world: World, update: JsonDict, via: str, *, secret: str | None
) -> WebhookPost:
    """POST one update to ``via`` + the webhook's path, as Telegram does."""
    if world.webhook is None:
        raise ApiError("no webhook is set", 400)
    path = urlsplit(world.webhook.url).path or "/"
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    timeout = aiohttp.ClientTimeout(total=ANSWER_TIMEOUT)
    world.deliver([update])
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout) as client,
            client.post(via.rstrip("/") + path, json=update, headers=headers) as answer,
        ):
            await answer.read()
            return WebhookPost(update["update_id"], via, answer.status)
    except (aiohttp.ClientError, TimeoutError) as error:
        return WebhookPost(update["update_id"], via, None, str(error) or type(error).__name__)


async def deliver_pending(
    world: World, via: list[str], *, concurrency: int = 1
) -> list[WebhookPost]:
    """Post every pending update, update i to ``via[i % len(via)]``, ``concurrency`` at once
    (at most the webhook's max_connections); the acknowledged ones are done, the others stay
    pending. Returns every post, in the updates' order."""
    hook = world.webhook
    if hook is None:
        raise AssertionError("no webhook is set: the bot did not call setWebhook")
    updates = world.pending(len(world.updates) or 1)
    slots = asyncio.Semaphore(max(1, min(concurrency, hook.max_connections)))

    async def post(index: int, update: JsonDict) -> WebhookPost:
        async with slots:
            return await post_update(
                world, update, via[index % len(via)], secret=hook.secret_token
            )

    posts = await asyncio.gather(*(post(i, u) for i, u in enumerate(updates)))
    done = {p.update_id for p in posts if p.acknowledged}
    world.updates = [u for u in world.updates if u["update_id"] not in done]
    for failed in (p for p in posts if not p.acknowledged):
        hook.last_error_date = world.now()
        hook.last_error_message = (
            f"Wrong response from the webhook: {failed.status}"
            if failed.status is not None
            else f"Connection failed: {failed.error}"
        )
    return list(posts)
