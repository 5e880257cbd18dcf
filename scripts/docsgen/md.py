"""Small Markdown helpers shared by the generators."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence


def cell(value: object) -> str:
    """Text safe inside a Markdown table cell (pipes escaped, one line)."""
    if value is None:
        return ""
    text = fmt(value) if isinstance(value, float) else str(value)
    return " ".join(text.replace("|", "\\|").split())


def code(value: object) -> str:
    """Inline code (one line)."""
    text = " ".join(str(value).split())
    ticks = "``" if "`" in text else "`"
    pad = " " if ticks == "``" else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def fmt(value: float) -> str:
    """A number as people read it (4 significant digits; ∞ for infinity)."""
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    return f"{value:.4g}"


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A Markdown table; every cell passes through :func:`cell` (one line, pipes escaped)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        lines.append("| " + " | ".join(cell(c) for c in row) + " |")
    return "\n".join(lines)


def anchor(text: str) -> str:
    """The id MkDocs' toc extension gives a heading with this text (ASCII headings)."""
    out = "".join(ch if ch.isalnum() or ch in " -_" else "" for ch in text.lower())
    return "-".join(out.split())
