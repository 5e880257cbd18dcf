"""The command-line reference, generated from the Typer app itself (Typer's own doc renderer)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer
import typer.cli
import typer.main

PREFACE = """\
Generated from the Typer application (`immunobalance.cli.app`) when the documentation is built,
so it lists exactly the commands and options of this version. The stable contract these commands
keep is in [Data contracts → Command line](../contracts/cli.md).

- Every command that prints results takes `--format text|json`: text for people, JSON for
  scripts (printed alone on stdout).
- Exit status: `0` success, `2` bad input (every problem named on stderr, as `path: reason`),
  `1` internal error.
- Data live in `IMMUNOBALANCE_DATA_DIR` (default: a per-user data directory); the database is
  SQLite there unless `IMMUNOBALANCE_DB_URL` names another.
- `python -m immunobalance` is the same program as `immunobalance`.

"""


def click_command(app: typer.Typer | None = None) -> Any:
    """The click command tree of the CLI (the installed app unless ``app`` is given)."""
    if app is None:
        from immunobalance.cli import app as installed

        app = installed
    return typer.main.get_command(app)


def command_paths(command: Any, prefix: str = "immunobalance") -> Iterator[str]:
    """Every command path (``"immunobalance kb show"``…), depth first, hidden ones skipped."""
    yield prefix
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        if not getattr(sub, "hidden", False):
            yield from command_paths(sub, f"{prefix} {name}")


def render_cli_reference(app: typer.Typer | None = None) -> str:
    """Markdown reference of every command, argument and option."""
    command = click_command(app)
    ctx = typer.Context(command, info_name="immunobalance")
    body = typer.cli.get_docs_for_click(
        obj=command, ctx=ctx, name="immunobalance", title="Command-line reference"
    ).strip()
    title, _, rest = body.partition("\n")
    return f"{title}\n\n{PREFACE}{rest.strip()}\n"
