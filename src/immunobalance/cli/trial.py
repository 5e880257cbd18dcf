"""``immunobalance trial …``: run an in-silico trial (``contracts/cli.md``).

Other layers add commands to :data:`trial_app` (e.g. ``trial validate`` from the calibration
layer: ``from immunobalance.cli.trial import trial_app`` then ``@trial_app.command("validate")``
in its own ``register``).
"""

from __future__ import annotations

from pathlib import Path

import typer

from immunobalance.cli._output import FormatOption, OutputFormat, console, err_console, print_json

__all__ = ["register", "trial_app"]

trial_app = typer.Typer(help="In-silico trials over a virtual population.", no_args_is_help=True)


@trial_app.command("run")
def run(
    spec_path: Path = typer.Argument(..., metavar="SPEC.toml", help="trial spec (TOML or JSON)"),
    out: Path | None = typer.Option(None, "--out", help="write result, Parquet, manifest, report"),
    fmt: OutputFormat = FormatOption,
    backend: str = typer.Option("local", "--backend", help="local | dask | ray"),
    workers: int | None = typer.Option(
        None, "--workers", min=1, help="Dask local-cluster worker processes"
    ),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Dask scheduler address (tcp://host:8786)"
    ),
) -> None:
    """Run the trial SPEC.toml and print its endpoints with 95 % confidence intervals."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from immunobalance.trials import load_trial_spec, run_trial

    spec = load_trial_spec(spec_path)
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>5.1f} %"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task(spec.trial.name[:40], total=1.0)
        result = run_trial(
            spec,
            backend=backend,
            out_dir=out,
            n_workers=workers,
            scheduler=scheduler,
            progress=lambda f: bar.update(task, completed=f),
        )
    if fmt is OutputFormat.json:
        print_json(result.to_json())
        return
    _print_text(result)
    if out is not None:
        console.print(f"outputs written to [bold]{out}[/]")


def _print_text(result: object) -> None:
    from rich.table import Table

    from immunobalance.trials import TrialResult

    assert isinstance(result, TrialResult)
    table = Table(title=f"{result.trial} ({result.disease}, {result.population})")
    table.add_column("endpoint")
    for arm in result.arms:
        table.add_column(f"{arm.name}\n(n={arm.n})")
    for key in result.arms[0].endpoints:
        cells = []
        for arm in result.arms:
            e = arm.endpoints[key]
            lo, hi = e.ci95
            cells.append("–" if e.value is None else f"{e.value:.3g} [{_fmt(lo)}, {_fmt(hi)}]")
        table.add_row(key, *cells)
    console.print(table)


def _fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.3g}"


def register(app: typer.Typer) -> None:
    """Add the ``trial`` command group to the main app."""
    app.add_typer(trial_app, name="trial")
