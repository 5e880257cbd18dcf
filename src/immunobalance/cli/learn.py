"""``immunobalance learn COHORT --target COL`` — learn and validate a response predictor.

COHORT is a CSV or Parquet table, one row per patient (or patient-course): baseline biomarkers,
an optional treatment column and the outcome. Writes the model, its card and an HTML report to
``--out``. Bad input exits 2 with every problem on stderr; ``--format json`` prints the summary
alone on stdout.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from immunobalance.cli._output import FormatOption, OutputFormat, console, err_console, print_json

if TYPE_CHECKING:  # scikit-learn is imported only when `learn` runs: it costs ~2 s per CLI call
    from immunobalance.learn import LearnResult

__all__ = ["register"]


def _print_text(result: LearnResult) -> None:
    card = result.card
    m = card.metrics
    console.print(
        f"Response model [bold]{card.model_id}[/] for [bold]{card.target}[/] — "
        f"{card.data.n_patients} patients, prevalence {card.data.prevalence:.3f}"
    )
    console.print(
        f"  model: {card.model.family} "
        f"({', '.join(f'{k}={v}' for k, v in card.model.params.items())})"
    )
    console.print(
        f"  AUC {m.auc.estimate:.3f} (95 % CI {m.auc.ci95[0]:.3f}–{m.auc.ci95[1]:.3f}); "
        f"Brier {m.brier.estimate:.3f} vs base rate {m.base_rate_brier:.3f}; "
        f"calibration slope {m.calibration.slope:.2f}, intercept {m.calibration.intercept:.2f}"
    )
    if m.shuffled_outcome_auc is not None:
        s = m.shuffled_outcome_auc
        console.print(
            f"  shuffled-outcome control AUC {s.estimate:.3f} "
            f"(95 % CI {s.ci95[0]:.3f}–{s.ci95[1]:.3f})"
        )
    table = Table(title="Permutation importance (held-out AUC drop)")
    table.add_column("feature")
    table.add_column("AUC drop", justify="right")
    table.add_column("SD", justify="right")
    for item in card.importance:
        table.add_row(item.feature, f"{item.auc_drop:.3f}", f"{item.sd:.3f}")
    if card.importance:
        console.print(table)
    for excluded in card.excluded:
        console.print(f"[dim]excluded[/] {excluded.column}: {excluded.reason}", highlight=False)
    if result.out_dir is not None:
        console.print(f"Model, card and report in {result.out_dir}")


def learn(
    cohort: Annotated[Path, typer.Argument(help="cohort table (.csv or .parquet)")],
    target: Annotated[str, typer.Option("--target", help="binary outcome column, e.g. ACR20@24")],
    treatment: Annotated[
        str | None, typer.Option("--treatment", help="treatment (arm) column")
    ] = None,
    id_col: Annotated[
        str | None,
        typer.Option("--id-col", help="patient id column (default: inferred, e.g. patient_id)"),
    ] = None,
    features: Annotated[
        list[str] | None,
        typer.Option("--features", help="feature columns (repeat or comma-separate); default all"),
    ] = None,
    model: Annotated[
        str, typer.Option("--model", help="logistic | gbm | both (inner CV chooses)")
    ] = "logistic",
    folds: Annotated[int, typer.Option("--folds", help="outer cross-validation folds")] = 5,
    seed: Annotated[int, typer.Option("--seed", help="random seed")] = 0,
    out: Annotated[Path | None, typer.Option("--out", help="output directory")] = None,
    shuffled_control: Annotated[
        bool,
        typer.Option(
            "--shuffled-control/--no-shuffled-control",
            help="also run the procedure on a shuffled outcome (negative control)",
        ),
    ] = False,
    interactions: Annotated[
        bool,
        typer.Option(
            "--interactions/--no-interactions", help="treatment × biomarker terms (logistic)"
        ),
    ] = True,
    output_format: OutputFormat = FormatOption,
) -> None:
    """Learn and validate a response predictor from a cohort (nested CV, calibration, AUC CI)."""
    from immunobalance.errors import InvalidInputError, Problem

    if model not in {"logistic", "gbm", "both"}:
        raise InvalidInputError(
            [Problem("--model", f"expected logistic, gbm or both, got {model!r}")],
            what="command line",
        )
    wanted = (
        [f.strip() for item in features for f in item.split(",") if f.strip()] if features else None
    )
    from immunobalance.learn import LearnConfig, learn_response_model

    config = LearnConfig(
        target=target,
        treatment=treatment,
        id_col=id_col,
        features=wanted,
        model=model,
        folds=folds,
        seed=seed,
        shuffled_control=shuffled_control,
        interactions=interactions,
    )
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=output_format == OutputFormat.json,
    ) as progress:
        task = progress.add_task("learning", total=None)
        result = learn_response_model(
            cohort,
            config,
            out_dir=out,
            progress=lambda message: progress.update(task, description=message),
        )
    if output_format == OutputFormat.json:
        print_json(result.summary())
    else:
        _print_text(result)


def register(app: typer.Typer) -> None:
    """Add ``learn`` to the CLI."""
    app.command("learn")(learn)
