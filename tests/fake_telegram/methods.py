"""Bot API methods that send, edit, delete and answer things in chats."""

from __future__ import annotations

import mimetypes
from collections.abc import Awaitable, Callable
from typing import Any

from tests.fake_telegram.formatting import (
    check_callback_answer_text,
    check_caption,
    check_text,
    render,
)
from tests.fake_telegram.keyboards import parse_reply_markup
from tests.fake_telegram.models import ApiError, BotOutput, JsonDict, StoredMessage, bad_request
from tests.fake_telegram.params import Params, Upload
from tests.fake_telegram.state import ChatState, World

Handler = Callable[[World, Params], Awaitable[Any]]
HANDLERS: dict[str, Handler] = {}
MAX_UPLOAD = 50 * 1024 * 1024
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


def method(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[name.lower()] = handler
        return handler

    return register


def sendable_chat(world: World, params: Params) -> ChatState:
    """The chat of ``chat_id``: opened by the user and not blocked."""
    return world.reachable_chat(params.chat_id())


def check_reply_target(chat: ChatState, params: Params) -> None:
    """Telegram refuses a reply to a message that is not in the chat (unless told not to)."""
    reply = params.get_json("reply_parameters")
    target = reply.get("message_id") if isinstance(reply, dict) else None
    target = target if target is not None else params.get_int("reply_to_message_id")
    if target is None or target in chat.messages:
        return
    allowed = params.get_bool("allow_sending_without_reply") or (
        isinstance(reply, dict) and reply.get("allow_sending_without_reply") is True
    )
    if not allowed:
        raise bad_request("message to be replied not found")


def _text(world: World, params: Params, name: str) -> tuple[str, str, list[JsonDict]]:
    raw = params.get_str(name) or ""
    entities_field = "entities" if name == "text" else "caption_entities"
    rendered = render(
        raw,
        params.get_str("parse_mode"),
        params.get_json(entities_field),
        known_user=world.known_user,
        strict_ampersand=world.strict_ampersand,
    )
    world.dropped_links.extend(rendered.dropped_links)
    return raw, rendered.text, rendered.entities


@method("sendMessage")
async def send_message(world: World, params: Params) -> JsonDict:
    chat = sendable_chat(world, params)
    check_reply_target(chat, params)
    raw, plain, entities = _text(world, params, "text")
    check_text(plain)
    markup = parse_reply_markup(params.get_json("reply_markup"), private_chat=chat.private)
    message = StoredMessage(
        message_id=chat.new_message_id(),
        chat_id=chat.chat_id,
        from_bot=True,
        date=world.now(),
        text=plain,
        html=raw,
        parse_mode=params.get_str("parse_mode"),
        entities=entities,
        reply_markup=markup,
    )
    chat.messages[message.message_id] = message
    chat.add_output(message.to_output("message"))
    return world.message_dict(message)


def _upload_or_file(world: World, params: Params) -> tuple[Upload | None, str | None]:
    upload = params.upload("document")
    if upload is not None:
        return upload, None
    value = params.get_str("document")
    if not value:
        raise bad_request("there is no document in the request")
    if value.startswith("attach://"):
        upload = params.upload(value.removeprefix("attach://"))
        if upload is None:
            raise bad_request(f"file {value!r} not found in the request")  # tdlib-like
        return upload, None
    return None, value


@method("sendDocument")
async def send_document(world: World, params: Params) -> JsonDict:
    chat = sendable_chat(world, params)
    check_reply_target(chat, params)
    upload, file_id = _upload_or_file(world, params)
    raw, plain, entities = _text(world, params, "caption")  # the Bot API reads it before files
    check_caption(plain)
    if upload is not None:
        if not upload.content:
            raise bad_request("file must be non-empty")
        if len(upload.content) > MAX_UPLOAD:
            raise ApiError("Request Entity Too Large", 413)
        mime = mimetypes.guess_type(upload.filename or "")[0] or "application/octet-stream"
        stored = world.new_file(upload.content, upload.filename, mime)
    else:
        known = world.files.get(file_id or "")
        if known is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        stored = known
    message = StoredMessage(
        message_id=chat.new_message_id(),
        chat_id=chat.chat_id,
        from_bot=True,
        date=world.now(),
        text=plain,
        html=raw,
        parse_mode=params.get_str("parse_mode") if raw else None,
        entities=entities,
        reply_markup=parse_reply_markup(
            params.get_json("reply_markup"), private_chat=chat.private
        ),
        document=stored,
    )
    chat.messages[message.message_id] = message
    chat.add_output(message.to_output("document"))
    return world.message_dict(message)


def _message_to_edit(world: World, params: Params) -> tuple[ChatState, StoredMessage]:
    if "inline_message_id" in params:
        raise bad_request("message to edit not found")  # the fake sends no inline messages
    chat = sendable_chat(world, params)
    message = chat.messages.get(params.required_int("message_id"))
    if message is None:
        raise bad_request("message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return chat, message


def _store_edit(world: World, chat: ChatState, message: StoredMessage) -> JsonDict:
    message.edit_date = world.now()
    chat.add_output(message.to_output("edit"))
    return world.message_dict(message)


@method("editMessageText")
async def edit_message_text(world: World, params: Params) -> JsonDict:
    chat, message = _message_to_edit(world, params)
    if message.document is not None:
        raise bad_request("there is no text in the message to edit")
    raw, plain, entities = _text(world, params, "text")
    check_text(plain)
    markup = parse_reply_markup(
        params.get_json("reply_markup"), inline_only=True, private_chat=chat.private
    )
    if (plain, entities, markup) == (message.text, message.entities, message.reply_markup):
        raise bad_request(NOT_MODIFIED)
    message.text, message.html, message.entities = plain, raw, entities
    message.parse_mode = params.get_str("parse_mode")
    message.reply_markup = markup
    return _store_edit(world, chat, message)


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(world: World, params: Params) -> JsonDict:
    chat, message = _message_to_edit(world, params)
    markup = parse_reply_markup(
        params.get_json("reply_markup"), inline_only=True, private_chat=chat.private
    )
    if markup == message.reply_markup:
        raise bad_request(NOT_MODIFIED)
    message.reply_markup = markup
    return _store_edit(world, chat, message)


@method("deleteMessage")
async def delete_message(world: World, params: Params) -> bool:
    chat = sendable_chat(world, params)
    message = chat.messages.pop(params.required_int("message_id"), None)
    if message is None:
        raise bad_request("message to delete not found")
    chat.add_output(message.to_output("delete"))
    return True


@method("answerCallbackQuery")
async def answer_callback_query(world: World, params: Params) -> bool:
    text = params.get_str("text")
    check_callback_answer_text(text)
    query = world.answer_query(params.get_str("callback_query_id") or "")
    world.chats[query.chat_id].add_output(
        BotOutput(
            kind="callback_answer",
            chat_id=query.chat_id,
            text=text or "",
            html=text or "",
            show_alert=params.get_bool("show_alert"),
        )
    )
    return True
