"""Shared output conventions of the CLI (``contracts/cli.md``).

* ``--format text|json``: text for people (Rich), JSON for scripts, printed alone on stdout;
* exit codes: 0 success, 2 bad input (every problem on stderr), 1 internal error.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from enum import Enum, StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import typer
from rich.console import Console

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_INTERNAL",
    "FormatOption",
    "OutputFormat",
    "console",
    "err_console",
    "print_json",
    "to_jsonable",
]

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 1

console = Console()
err_console = Console(stderr=True)


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


FormatOption = typer.Option(
    OutputFormat.text, "--format", help="text for people, json for scripts (alone on stdout)"
)


def to_jsonable(obj: Any) -> Any:
    """Convert numpy scalars/arrays, dates, paths and pydantic models to JSON-ready values."""
    if hasattr(obj, "model_dump"):
        return to_jsonable(obj.model_dump(mode="json", by_alias=True))
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return None if not np.isfinite(obj) else float(obj)
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    if isinstance(obj, date | datetime):
        return obj.isoformat()
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, Enum):
        return obj.value
    return obj


def print_json(obj: Any) -> None:
    """Print ``obj`` as JSON, alone on stdout (no Rich markup, no extra lines)."""
    sys.stdout.write(json.dumps(to_jsonable(obj), indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()
