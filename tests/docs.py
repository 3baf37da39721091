"""The shell blocks of the README and docs/, as the docs test runs them: every ```sh block
is run as written, in the order a reader meets them (the README first, then docs/ by
name), unless the line before it says why it is not:

    <!-- not run by the docs test: needs a bureau's mail server -->
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tests.paths import ROOT

_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)
_NOT_RUN = re.compile(r"<!-- not run by the docs test: (.+?) -->\s*$")


@dataclass(frozen=True)
class ShellBlock:
    path: Path
    line: int
    text: str
    #: Why it is not run (an external system, the test command itself); None: it is.
    not_run: str | None

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def shell_blocks() -> list[ShellBlock]:
    blocks = []
    for path in documents():
        text = path.read_text("utf-8")
        for match in _BLOCK.finditer(text):
            before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
            marked = _NOT_RUN.search(before)
            line = text[: match.start()].count("\n") + 1
            blocks.append(
                ShellBlock(path, line, match.group(1), marked.group(1) if marked else None)
            )
    return blocks
