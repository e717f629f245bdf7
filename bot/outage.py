"""The bot while a dependency is away: the database (the update is not handled; the person is
asked to send it again) and Redis, which keeps where each person is in a dialogue (FSM)."""

import logging
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# The state of a person while the FSM storage does not answer: no handler of a dialogue
# matches it, commands do, and other messages are told to start again
# (bot/features/errors/router.py).
UNKNOWN_STATE = State("unknown", group_name="Outage")
STORAGE_ERRORS = (RedisError, OSError)


class ResilientStorage(BaseStorage):
    """FSM storage that survives its backend going away: reading a state gives UNKNOWN_STATE
    instead of failing the whole update, so commands that need no dialogue keep working.
    Writes and data reads still raise, and the error handler asks the person to start again."""

    def __init__(self, storage: BaseStorage) -> None:
        self._storage = storage
        self._failing = False

    async def get_state(self, key: StorageKey) -> str | None:
        try:
            state = await self._storage.get_state(key)
        except STORAGE_ERRORS as error:
            if not self._failing:
                logger.warning("FSM storage out of reach (%s): dialogues start over", error)
            self._failing = True
            return UNKNOWN_STATE.state
        if self._failing:
            logger.info("FSM storage answers again")
            self._failing = False
        return state

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        await self._storage.set_state(key, state)

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._storage.set_data(key, data)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return await self._storage.get_data(key)

    async def close(self) -> None:
        await self._storage.close()
