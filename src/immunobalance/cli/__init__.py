"""The ``immunobalance`` command line (Typer + Rich). Contract: ``contracts/cli.md``.

Each command family lives in its own module and registers itself on :data:`app`; this module
only assembles them and maps errors to exit codes (2 bad input, 1 internal error).
"""

from __future__ import annotations

import sys

import typer

from immunobalance.cli._output import EXIT_BAD_INPUT, EXIT_INTERNAL, err_console
from immunobalance.errors import ImmunobalanceError, InvalidInputError, UnknownKeyError

app = typer.Typer(
    name="immunobalance",
    help="Precision immunotherapy for autoimmune disease, in silico.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _register() -> None:
    from immunobalance.cli import kb

    app.add_typer(kb.app, name="kb")
    for module_name in (
        "assess",
        "model",
        "trial",
        "recommend",
        "serve",
        "token",
        "patient",
        "learn",
        "calibrate",
    ):
        try:
            module = __import__(f"immunobalance.cli.{module_name}", fromlist=["register"])
        except ModuleNotFoundError as exc:
            if exc.name != f"immunobalance.cli.{module_name}":
                raise
            continue
        module.register(app)


_register()


def main() -> None:
    """Entry point: run the app and turn known errors into the contract's exit codes."""
    try:
        app()
    except (InvalidInputError, UnknownKeyError) as exc:
        problems = getattr(exc, "problems", None)
        if isinstance(exc, InvalidInputError) and problems:
            err_console.print(f"[bold red]error:[/] {exc.what} is invalid", highlight=False)
            for p in problems:
                sys.stderr.write(f"{p}\n")
        else:
            sys.stderr.write(f"error: {exc}\n")
        sys.exit(EXIT_BAD_INPUT)
    except ImmunobalanceError as exc:
        sys.stderr.write(f"error: {exc}\n")
        sys.exit(EXIT_INTERNAL)
