"""Split a tutorial script in the "percent" format into Markdown and code cells.

A tutorial is an ordinary Python script, runnable as a whole (``python docs/tutorials/x.py``)
and readable as a page: ``# %% [markdown]`` starts a prose cell whose lines are Markdown behind
``# ``; ``# %%`` starts a code cell. ``# docs-guard: module[:name]`` lines (see
:mod:`docsgen.guards`) are collected and left out of the page. Standard library only: the cell
runner imports this module inside the tutorial's own interpreter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

_MARKER = re.compile(r"^# %%(?P<md>\s*\[markdown\])?\s*(?P<title>.*)$")
_GUARD = re.compile(r"^#\s*docs-guard:\s*(?P<req>\S+)\s*$")


@dataclass
class Cell:
    """One cell: ``kind`` and its text (Markdown without the comment marks, or code)."""

    kind: Literal["markdown", "code"]
    source: str
    line: int  # 1-based line of the cell's first line in the script


@dataclass
class Script:
    """A parsed tutorial script."""

    cells: list[Cell] = field(default_factory=list)
    guards: list[str] = field(default_factory=list)

    @property
    def title(self) -> str | None:
        """The first Markdown H1 of the script, if any."""
        for cell in self.cells:
            if cell.kind == "markdown":
                for line in cell.source.splitlines():
                    if line.startswith("# "):
                        return line[2:].strip()
        return None


def parse_script(text: str) -> Script:
    """Parse a percent-format script into cells (empty cells are dropped)."""
    script = Script()
    kind: Literal["markdown", "code"] = "code"
    lines: list[str] = []
    start = 1

    def flush() -> None:
        body = "\n".join(lines).strip("\n")
        if body.strip():
            script.cells.append(Cell(kind, body, start))

    for number, raw in enumerate(text.splitlines(), start=1):
        guard = _GUARD.match(raw)
        if guard:
            script.guards.append(guard.group("req"))
            continue
        marker = _MARKER.match(raw)
        if marker:
            flush()
            kind = "markdown" if marker.group("md") else "code"
            lines, start = [], number + 1
            continue
        if kind == "markdown":
            if raw.strip() and not raw.startswith("#"):
                raise ValueError(f"line {number}: Markdown cell lines must start with '#': {raw!r}")
            raw = raw[2:] if raw.startswith("# ") else raw[1:]
        lines.append(raw)
    flush()
    return script
