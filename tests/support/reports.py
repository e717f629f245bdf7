"""Helpers for report tests: a source built to give many issues over many rules, ruff itself
as the oracle, reading report pages as a person sees them, and a strict HTML reader."""

import asyncio
import json
import re
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

from infra.database import SessionFactory
from tests.fake_telegram import BotOutput
from tests.support.app import Person
from tests.support.pipeline import deliveries

RUFF = str(find_ruff_bin())
# One statement per rule, each giving exactly one issue of that rule (under ruff's default
# rules) and nothing else; `{n}` makes each copy distinct. Checked against ruff by the tests.
ONE_ISSUE_EACH = {
    "PLR0133": "v{n} = 1 == None\n",
    "F541": 'v{n} = f"plain"\n',
    "PLE2502": "v{n} = 1  # a bidi override: \u202e<b>reversed</b>\n",
    "F601": 'v{n} = {{"a": 1, "a": 2}}\n',
    "F631": 'assert (1, "m{n}")\n',
    "F524": 'v{n} = "{{}} {{}}".format(1)\n',
    "F901": "def f{n}():\n    raise NotImplemented\n",
    "TRY203": "try:\n    v{n} = 1\nexcept:\n    raise\n",
    "B006": "def f{n}(a=[]):\n    return a\n",
    "F841": "def f{n}():\n    unused = 5\n",
    "PLR1711": "def f{n}():\n    print(1)\n    return\n",
    "SIM101": "v{n} = isinstance(v, int) or isinstance(v, str)\n",
    "UP004": "class C{n}(object):\n    x = 1\n",
    "UP025": 'v{n} = u"text"\n',
    "C410": "v{n} = list([1])\n",
    "C405": "v{n} = set([1])\n",
    "C400": "v{n} = list(x for x in range(3))\n",
    "PLW0127": "v = v\n",
    "RUF010": 'v{n} = f"{{str(v)}}"\n',
    "RUF015": "v{n} = list(range(3))[0]\n",
    "B015": "v == {n}\n",
    "B018": "v.real\n",
    "SIM201": "v{n} = not v == 1\n",
    "SIM202": "v{n} = not v != 1\n",
    "SIM210": "v{n} = True if v else False\n",
    "PLW0120": "for i{n} in range(3):\n    pass\nelse:\n    pass\n",
    "UP018": 'v{n} = str("x")\n',
    "UP034": 'print(("x{n}"))\n',
    "C417": "v{n} = list(map(lambda x: x + 1, range(3)))\n",
    "B009": 'v{n} = getattr(v, "real")\n',
    "B010": 'setattr(v, "attr{n}", 1)\n',
    "UP008": "class S{n}(int):\n    def m(self):\n        return super(S{n}, self).m()\n",
    "SIM115": 'v{n} = open("f", "r")\n',
    "PLW0128": "v{n}, v{n} = 1, 2\n",
    "PIE794": "class K{n}:\n    a = 1\n    a = 2\n",
    "B004": 'v{n} = hasattr(v, "__call__")\n',
    "C408": "v{n} = dict(a=1)\n",
    "SIM118": 'v{n} = 1 in {{"a": 1}}.keys()\n',
    "F632": 'v{n} = v is "a"\n',
    "B033": "v{n} = {{1, 1}}\n",
    "UP003": "v{n} = type(1)\n",
}
# Lines a report must show safely: markup, an entity, characters beyond the BMP, and a line
# far longer than a message (PLE2502's lines carry a bidi override).
HOSTILE_TAIL = "  # <b>&amp; 𐐀</b>"
LONG_LINE = "v_long = 1 == None  # " + "<i>&lt;𐐀 " * 900 + "\n"
ISSUE_LINE = re.compile(r"^([A-Z]+[0-9]+|syntax-error) (\d+):(\d+) (.*)$")


def many_issues(per_rule: dict[str, int]) -> bytes:
    """A module with `per_rule[code]` issues of each rule, the rules' statements interleaved
    (so each rule's issues are spread over the file), some lines with hostile comments."""
    lines = ["v = 1\n", LONG_LINE]
    rounds = max(per_rule.values())
    for n in range(rounds):
        for index, (code, count) in enumerate(per_rule.items()):
            if n < count - (1 if code == "PLR0133" else 0):  # the long line is one of them
                statement = ONE_ISSUE_EACH[code].format(n=f"{index}_{n}")
                if n % 3 == 0 and "\n" not in statement.rstrip("\n"):
                    statement = statement.rstrip("\n") + HOSTILE_TAIL + "\n"
                lines.append(statement)
    return "".join(lines).encode()


def ruff_diagnostics(content: bytes, folder: Path) -> list[dict[str, Any]]:
    """What `ruff check --isolated --output-format json` says about these bytes."""
    path = folder / "oracle.py"
    path.write_bytes(content)
    completed = subprocess.run(
        [RUFF, "check", "--isolated", "--output-format", "json", "--exit-zero", path],
        capture_output=True,
        check=True,
        cwd=folder,
    )
    diagnostics: list[dict[str, Any]] = json.loads(completed.stdout)
    return diagnostics


def ruff_rules() -> dict[str, dict[str, Any]]:
    """`ruff rule --all`, by code."""
    completed = subprocess.run(
        [RUFF, "rule", "--all", "--output-format", "json"], capture_output=True, check=True
    )
    return {rule["code"]: rule for rule in json.loads(completed.stdout)}


def ruff_version() -> str:
    completed = subprocess.run([RUFF, "--version"], capture_output=True, check=True, text=True)
    return completed.stdout.split()[-1]


def ruff_rule_text(code: str) -> str:
    """What `ruff rule CODE` prints."""
    return subprocess.run([RUFF, "rule", code], capture_output=True, check=True, text=True).stdout


async def tried_once(session_factory: SessionFactory) -> None:
    """Wait until both deliveries of the only check have been tried."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while loop.time() < deadline:
        found = await deliveries(session_factory)
        if all(rows and rows[0].attempts >= 1 for rows in found.values()):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the deliveries were not tried within 30 s")


def listed_issues(page: BotOutput) -> list[tuple[str, int, int, str]]:
    """(code, line, column, rest of the line) of every issue a report page lists."""
    found = (ISSUE_LINE.match(line) for line in page.text.splitlines())
    return [(m[1], int(m[2]), int(m[3]), m[4]) for m in found if m is not None]


async def every_page(person: Person, first: BotOutput) -> list[BotOutput]:
    """The report's pages, from `first` on, pressing Next while there is one."""
    pages = [first]
    while pages[-1].has_button("Next »"):
        pages.append(await person.click(pages[-1], "Next »"))
    return pages


def code_spans(page: BotOutput) -> list[str]:
    """The texts of the page's `code` entities (offsets in UTF-16 units)."""
    encoded = page.text.encode("utf-16-le")
    return [
        encoded[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le")
        for e in page.entities
        if e["type"] == "code"
    ]


class StrictHtml(HTMLParser):
    """Reads a document and fails on any tag left open or closed out of order (void elements
    excepted), counting tags, links, resources and texts on the way."""

    VOID = frozenset({"meta", "br", "hr", "img", "link", "input", "col", "wbr", "source"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.tags: Counter[str] = Counter()
        self.links: list[str] = []
        self.resources: list[str] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        found = dict(attrs)
        if tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))
        if found.get("src") or (tag == "link" and found.get("href")):
            self.resources.append(f"{tag} {found}")
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open, f"</{tag}> closes nothing"
        assert self.open[-1] == tag, f"</{tag}> closes <{self.open[-1]}>"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.texts.append(data)


def read_html(document: bytes) -> StrictHtml:
    parser = StrictHtml()
    parser.feed(document.decode("utf-8"))
    parser.close()
    assert parser.open == [], f"left open: {parser.open}"
    return parser
