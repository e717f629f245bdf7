"""Reading ruff's `--output-format json-lines` as it arrives, in pieces: the first issues of
each file are kept, the rest only counted, so a file with a million issues costs its count and
not 460 MB of JSON held and decoded at once.

Every diagnostic is one compact JSON object on one line. Counting uses a regular expression on
the whole piece (C speed, nothing decoded): a `"filename":"` with both quotes unescaped can only
be the key itself, since a quote inside a JSON string is always escaped. Only a kept line is
decoded. On 1,048,576 diagnostics (341 MB) this took 0.6 s and 22 MB, where `json.loads` of
ruff's JSON array took 12 s and 2.3 GB (docs/poison-uploads.md).
"""

import asyncio
import json
import os
import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

from core.review import MAX_FIX_TEXT, SYNTAX_ERROR_CODE, Fix, FoundIssues, Issue

_FILENAME = re.compile(rb'"filename":"([^"]*)"')
# Newer ruff reports a syntax error under this code; older ruff gives no code at all.
_RUFF_SYNTAX_CODES = {None, "invalid-syntax"}


class UnreadableOutputError(ValueError):
    """ruff printed something that is not its json-lines output."""


def to_issue(diagnostic: Mapping[str, Any]) -> Issue:
    code = diagnostic["code"]
    start, end = diagnostic["location"], diagnostic["end_location"]
    return Issue(
        code=SYNTAX_ERROR_CODE if code in _RUFF_SYNTAX_CODES else str(code),
        message=str(diagnostic["message"]),
        line=int(start["row"]),
        column=int(start["column"]),
        end_line=int(end["row"]),
        end_column=int(end["column"]),
        fixable=diagnostic.get("fix") is not None,
        url=str(diagnostic["url"]) if diagnostic.get("url") else None,
        fix=_fix(diagnostic.get("fix")),
    )


def _fix(data: Any) -> Fix | None:
    """ruff's fix as we keep it: its edits in our shape, left out when they are too long."""
    if not isinstance(data, dict):
        return None
    edits = [
        {
            "content": edit["content"],
            "line": edit["location"]["row"],
            "column": edit["location"]["column"],
            "end_line": edit["end_location"]["row"],
            "end_column": edit["end_location"]["column"],
        }
        for edit in data.get("edits") or ()
    ]
    if sum(len(edit["content"]) for edit in edits) > MAX_FIX_TEXT:
        edits = []
    return Fix.from_json({**data, "edits": edits})


class DiagnosticReader:
    """Feed it ruff's output piece by piece (`feed`, from any one thread at a time), then
    `finish`: the issues of each file, at most `max_issues` kept (the first in ruff's order,
    which is file order) and every one counted."""

    def __init__(self, names: Mapping[str, int], max_issues: int) -> None:
        self._names = names
        self._max = max_issues
        self._kept: dict[int, list[Issue]] = {key: [] for key in names.values()}
        self._counts: dict[int, int] = dict.fromkeys(names.values(), 0)
        self._rest = b""  # an unfinished last line

    def feed(self, data: bytes) -> None:
        data = self._rest + data
        end = data.rfind(b"\n") + 1
        self._rest = data[end:]
        if end:
            self._lines(data[:end])

    def finish(self) -> dict[int, FoundIssues]:
        if self._rest.strip():
            self._lines(self._rest + b"\n")
        self._rest = b""
        found = {}
        for key, kept in self._kept.items():
            kept.sort(key=lambda issue: (issue.line, issue.column, issue.code))
            found[key] = FoundIssues(kept, total=self._counts[key])
        return found

    def _lines(self, lines: bytes) -> None:
        """Whole lines: counted per file; decoded only for a file still short of its cap."""
        names = _FILENAME.findall(lines)
        if len(names) != lines.count(b"\n") and len(names) != _non_blank(lines):
            raise UnreadableOutputError(f"not one diagnostic a line: {lines[:80]!r}")
        filling = False
        for name, count in Counter(names).items():
            key = self._key(name)
            filling = filling or len(self._kept[key]) < self._max
            self._counts[key] += count
        if filling:
            self._decode(lines)

    def _decode(self, lines: bytes) -> None:
        for line in lines.splitlines():
            if not line.strip():
                continue
            match = _FILENAME.search(line)
            if match is None:
                raise UnreadableOutputError(f"no file name in {line[:80]!r}")
            kept = self._kept[self._key(match.group(1))]
            if len(kept) >= self._max:
                continue
            try:
                kept.append(to_issue(json.loads(line)))
            except (ValueError, TypeError, KeyError) as error:
                raise UnreadableOutputError(repr(error)) from error

    def _key(self, name: bytes) -> int:
        # Our own names (v12.py) need no JSON unescaping; not Path(): 5x slower.
        base = name.decode("utf-8", "replace").rpartition(os.sep)[2]
        try:
            return self._names[base]
        except KeyError:
            raise UnreadableOutputError(f"a diagnostic of an unknown file {base!r}") from None


def _non_blank(lines: bytes) -> int:
    return sum(1 for line in lines.splitlines() if line.strip())


async def communicate(
    process: asyncio.subprocess.Process, reader: DiagnosticReader | None, read_size: int
) -> tuple[bytes, bytes]:
    """Standard output and error once ruff exits; with a reader, standard output goes to it
    as it arrives (b"" returned for it) and at most `read_size` of standard error is kept."""
    if reader is None:
        return await process.communicate()
    assert process.stdout is not None  # both are pipes
    assert process.stderr is not None
    errors = asyncio.ensure_future(_read_capped(process.stderr, read_size))
    try:
        while piece := await process.stdout.read(read_size):
            await asyncio.to_thread(reader.feed, piece)
        await process.wait()
        return b"", await errors
    finally:
        errors.cancel()


async def _read_capped(stream: asyncio.StreamReader, read_size: int) -> bytes:
    kept = bytearray()
    while piece := await stream.read(read_size):
        kept += piece[: read_size - len(kept)]
    return bytes(kept)
