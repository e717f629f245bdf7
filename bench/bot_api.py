"""Benchmark 6, reading the Bot API's answers: our session (bot/session.py) against aiogram's.

aiogram reads each answer as `Response[<what the method returns>]`, a pydantic generic model
that pydantic keeps only in a weak cache: once the garbage collector has run, the next answer
builds the model again. A busy process collects garbage all the time; here the youngest
generation is collected after every `--every` answers. Reads `--answers` answers of the four
methods the bot calls most (sendMessage, editMessageText, answerCallbackQuery, getUpdates),
first with aiogram's session, then with ours, in this process; prints the CPU time per answer
of each and last `ratio: X` = aiogram's time ÷ ours (how many times faster ours is; target
≥ 2).

    .venv/bin/python -m bench.bot_api [--answers 400] [--every 4]
"""

import argparse
import gc
import json
import sys
import time
from collections.abc import Sequence
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods import AnswerCallbackQuery, EditMessageText, GetUpdates, SendMessage

from bot import session as our_session

TARGET = 2.0
_CHAT = {"id": 1, "type": "private", "first_name": "Ann"}
_MESSAGE = {"message_id": 1, "date": 0, "chat": _CHAT, "text": "Review of a.py, version 1"}
_UPDATE = {"update_id": 1, "message": _MESSAGE}
# (method, the answer's JSON) as the Bot API sends them
CALLS: list[tuple[Any, str]] = [
    (SendMessage(chat_id=1, text="hi"), json.dumps({"ok": True, "result": _MESSAGE})),
    (
        EditMessageText(chat_id=1, message_id=1, text="hi"),
        json.dumps({"ok": True, "result": _MESSAGE}),
    ),
    (AnswerCallbackQuery(callback_query_id="1"), json.dumps({"ok": True, "result": True})),
    (GetUpdates(offset=1), json.dumps({"ok": True, "result": [_UPDATE]})),
]


def seconds_per_answer(session: AiohttpSession, answers: int, every: int) -> float:
    """CPU seconds per answer read (the collections between them not counted)."""
    bot = Bot("1:bench", session=session)
    spent = 0.0
    for number in range(answers):
        method, content = CALLS[number % len(CALLS)]
        started = time.process_time()
        session.check_response(bot, method, 200, content)
        spent += time.process_time() - started
        if number % every == every - 1:
            gc.collect(0)  # the youngest generation, as a busy process does every moment
    return spent / answers


def measure(answers: int, every: int) -> tuple[float, float]:
    """aiogram's and ours, seconds per answer; aiogram's first, before ours keeps any type."""
    our_session._RESPONSE_TYPES.clear()
    gc.collect()
    theirs = seconds_per_answer(AiohttpSession(), answers, every)
    ours = seconds_per_answer(our_session.BotApiSession(), answers, every)
    return theirs, ours


def report(theirs: float, ours: float) -> str:
    ratio = theirs / ours
    return "\n".join(
        [
            f"aiogram's session: {theirs * 1000:.2f} ms of CPU per answer",
            f"ours: {ours * 1000:.2f} ms of CPU per answer",
            f"target met: {'yes' if ratio >= TARGET else 'no'} (≥ {TARGET} times faster)",
            f"ratio: {ratio:.2f}",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.bot_api", description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=400)
    parser.add_argument("--every", type=int, default=4, help="answers between two collections")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    print(report(*measure(args.answers, args.every)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
