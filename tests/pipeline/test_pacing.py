"""Chat results are paced within Telegram's limits: never more than 30 messages in any second,
never more than one a second to a chat, and a chat waiting its turn holds up no other chat.

Upper bounds are asserted exactly; lower bounds (how fast) generously, as the machine may be
loaded."""

import asyncio
import itertools
import random
from collections import defaultdict
from collections.abc import Hashable, Sequence

from bench.deliveries import max_in_window
from infra.pacing import Pacer
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.aiogram_helpers import make_bot


class FakeChannel:
    """Sends that note when they arrived (the loop's clock), per chat. With `latency`, each
    takes a random time up to it and arrives at a random moment on the way, as a request does
    over a network and through a busy event loop."""

    def __init__(self, pacer: Pacer, latency: float = 0.0) -> None:
        self._pacer = pacer
        self._latency = latency
        self._random = random.Random(8)
        self.sent: list[tuple[float, Hashable]] = []

    async def send(self, chat: Hashable) -> None:
        loop = asyncio.get_running_loop()
        async with self._pacer.sending(chat):
            took = self._random.uniform(0, self._latency)
            arrives = self._random.uniform(0, took)
            await asyncio.sleep(arrives)
            self.sent.append((loop.time(), chat))
            await asyncio.sleep(took - arrives)

    async def send_in_order(self, chat: Hashable, count: int) -> None:
        for _ in range(count):
            await self.send(chat)

    def moments(self) -> list[float]:
        return [moment for moment, _chat in self.sent]

    def by_chat(self) -> dict[Hashable, list[float]]:
        found: dict[Hashable, list[float]] = defaultdict(list)
        for moment, chat in self.sent:
            found[chat].append(moment)
        return found


def _shortest_gap(moments: Sequence[float]) -> float:
    ordered = sorted(moments)
    return min((b - a for a, b in itertools.pairwise(ordered)), default=99.0)


async def test_a_burst_to_many_chats_stays_within_30_a_second_and_one_per_chat() -> None:
    channel = FakeChannel(Pacer(per_second=30, chat_interval=1.0))
    started = asyncio.get_running_loop().time()
    await asyncio.gather(*(channel.send_in_order(chat, 3) for chat in range(40)))
    took = asyncio.get_running_loop().time() - started
    assert len(channel.sent) == 120
    assert max_in_window(channel.moments()) <= 30
    for moments in channel.by_chat().values():
        assert _shortest_gap(moments) >= 1.0
    # 120 messages at about 27 a second: about 4.4 s; allow for a busy machine.
    assert 3.0 < took < 15.0, took


async def test_uneven_delays_on_the_way_never_crowd_a_second() -> None:
    channel = FakeChannel(Pacer(per_second=30, chat_interval=1.0), latency=0.3)
    await asyncio.gather(*(channel.send_in_order(chat, 2) for chat in range(45)))
    assert len(channel.sent) == 90
    assert max_in_window(channel.moments()) <= 30
    for moments in channel.by_chat().values():
        assert _shortest_gap(moments) >= 1.0


async def test_one_chat_gets_one_message_a_second_in_order() -> None:
    channel = FakeChannel(Pacer(per_second=30, chat_interval=1.0))
    await channel.send_in_order("ann", 3)
    assert _shortest_gap(channel.moments()) >= 1.0
    assert channel.moments()[-1] - channel.moments()[0] < 6.0


async def test_a_chat_waiting_its_turn_holds_up_no_other_chat() -> None:
    channel = FakeChannel(Pacer(per_second=30, chat_interval=1.0))
    loop = asyncio.get_running_loop()
    started = loop.time()
    await channel.send("ann")
    second_to_ann = asyncio.create_task(channel.send("ann"))
    await asyncio.sleep(0.05)  # ann's second message is waiting for its second to pass
    await channel.send("bob")
    assert loop.time() - started < 0.9  # bob did not wait for ann
    await second_to_ann
    ann = channel.by_chat()["ann"]
    assert ann[1] - ann[0] >= 1.0


async def test_telegram_asking_to_wait_holds_every_chat() -> None:
    pacer = Pacer(per_second=30, chat_interval=1.0)
    channel = FakeChannel(pacer)
    loop = asyncio.get_running_loop()
    held_at = loop.time()
    pacer.hold(0.5)
    await asyncio.gather(channel.send("ann"), channel.send("bob"))
    assert min(channel.moments()) - held_at >= 0.5


async def test_sends_to_the_fake_bot_api_arrive_within_the_limits() -> None:
    """Counted where Telegram counts them: the fake server's own timestamps, 30 ms away."""
    pacer = Pacer(per_second=30, chat_interval=1.0)
    async with FakeTelegram(delay=0.03) as telegram:
        chats = [telegram.user(6_100_000 + n, opened=True).chat_id for n in range(20)]
        bot = make_bot(telegram)

        async def send_in_order(chat_id: int) -> None:
            for number in range(3):
                async with pacer.sending(chat_id):
                    await bot.send_message(chat_id, f"result {number}")

        try:
            await asyncio.gather(*(send_in_order(chat_id) for chat_id in chats))
        finally:
            await bot.session.close()
        sends = telegram.calls("sendMessage")
    assert len(sends) == 60
    assert all(send.ok for send in sends)
    assert max_in_window([send.at for send in sends]) <= 30
    by_chat: dict[object, list[float]] = defaultdict(list)
    for send in sends:
        by_chat[send.params.get("chat_id")].append(send.at)
    assert all(max_in_window(moments) <= 1 for moments in by_chat.values())
    assert [
        send.params.get("text") for send in sends if send.params.get("chat_id") == chats[0]
    ] == [
        "result 0",
        "result 1",
        "result 2",
    ]
