"""The keyword arguments handlers ask for are ones something puts in, with the type it puts
in; `user_id` is asked for only behind the registration middleware; callback prefixes are
unique. Checked over the routers the bot really runs (`bot.routers.build_routers`)."""

import inspect
from collections.abc import Callable, Iterator
from typing import Any, get_type_hints

import pytest
from aiogram import Router
from aiogram.dispatcher.event.handler import HandlerObject
from aiogram.filters.callback_data import CallbackData

from bot import callbacks
from bot.handler_data import UpdateData, WorkflowData
from bot.middlewares import RegisteredOnly
from bot.routers import build_routers

# What aiogram itself passes (the dispatcher, the FSM, the update's parts and filters' results).
AIOGRAM_KEYS = {
    "bot",
    "state",
    "raw_state",
    "fsm_storage",
    "event_from_user",
    "event_chat",
    "event_update",
    "event_router",
    "callback_data",
    "command",
    "handler",
    "dispatcher",
}
OUR_TYPES = {**get_type_hints(WorkflowData), **get_type_hints(UpdateData)}


def _routers(router: Router) -> Iterator[Router]:
    yield router
    for child in router.sub_routers:
        yield from _routers(child)


def _handlers() -> Iterator[tuple[Router, str, HandlerObject]]:
    for root in build_routers():
        for router in _routers(root):
            for name, observer in router.observers.items():
                for handler in observer.handlers:
                    yield router, name, handler


def _keywords(callback: Callable[..., Any]) -> dict[str, Any]:
    """The parameters after the event, with their annotations."""
    function = callback if inspect.isfunction(callback) else type(callback).__call__
    hints = get_type_hints(function)
    names = list(inspect.signature(function).parameters)
    names = names[2:] if names[0] == "self" else names[1:]
    return {name: hints.get(name) for name in names}


def _ours(callback: Callable[..., Any]) -> bool:
    owner = callback if inspect.isfunction(callback) else type(callback)
    return owner.__module__.startswith("bot.")


def _registered(router: Router, event: str) -> bool:
    return any(
        isinstance(middleware, RegisteredOnly)
        for chained in router.chain_head
        for middleware in chained.observers[event].middleware
    )


def test_every_handler_and_filter_asks_only_for_what_is_put_in_with_its_type() -> None:
    asked = []
    for _router, _event, handler in _handlers():
        callables = [handler.callback, *(f.callback for f in handler.filters or ())]
        for callback in callables:
            if not _ours(callback):  # aiogram's filters (Command, F..., states)
                continue
            for name, annotation in _keywords(callback).items():
                asked.append(name)
                if name in AIOGRAM_KEYS:
                    continue
                assert name in OUR_TYPES, f"{callback.__qualname__} asks for unknown {name!r}"
                assert annotation == OUR_TYPES[name], (callback.__qualname__, name)
    assert {"session", "account", "user_id", "codes", "settings"} <= set(asked)


def test_user_id_is_asked_for_only_behind_the_registration_middleware() -> None:
    behind = []
    for router, event, handler in _handlers():
        registered = (
            _registered(router, event) if event in {"message", "callback_query"} else False
        )
        if "user_id" in _keywords(handler.callback):
            assert registered, f"{handler.callback.__qualname__} gets no user_id on {router.name}"
            behind.append(handler.callback.__qualname__)
    assert len(behind) >= 20  # files, uploads, history, reports, fixes, rules, check log, unlink


def _callback_data_classes() -> list[type[CallbackData]]:
    return [
        value
        for value in vars(callbacks).values()
        if isinstance(value, type)
        and issubclass(value, CallbackData)
        and value is not CallbackData
    ]


@pytest.mark.parametrize("factory", _callback_data_classes(), ids=lambda cls: cls.__name__)
def test_callback_prefix_is_short_and_unique(factory: type[CallbackData]) -> None:
    prefixes = [cls.__prefix__ for cls in _callback_data_classes()]
    assert prefixes.count(factory.__prefix__) == 1
    assert ":" not in factory.__prefix__
    assert len(factory.__prefix__) <= 2
