"""``immunobalance calibrate`` and ``immunobalance trial validate`` (``contracts/cli.md``).

Calibration never runs implicitly: ``calibrate`` writes a new versioned file
``population/data/calibration-v<N>.json``; ``trial validate`` predicts every calibration row
with the latest (or a named) calibration and compares it with the published figure.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from immunobalance.cli._output import FormatOption, OutputFormat, console, err_console, print_json

__all__ = ["PlaceboLevel", "register"]


class PlaceboLevel(StrEnum):
    """``trial validate --placebo-level`` (``population._validate.PLACEBO_LEVELS``)."""

    trial = "trial"
    typical = "typical"


def calibrate(
    disease: list[str] = typer.Option(None, "--disease", help="limit to these disease keys"),
    n: int = typer.Option(150, "--n", min=20, help="patients per arm in stage-1 evaluations"),
    n2: int = typer.Option(400, "--n-stage2", min=20, help="patients per arm in stage 2"),
    seed: int = typer.Option(20261121, "--seed", help="seed (common random numbers)"),
    out: Path | None = typer.Option(None, "--out", help="write here instead of the package"),
    structure: bool = typer.Option(
        True,
        "--structure/--no-structure",
        help="stage 0: grid search of pathway spread and switch threshold per disease "
        "(about an hour on 2 cores)",
    ),
    structure_from: str | None = typer.Option(
        None,
        "--structure-from",
        help="skip stage 0 and take its parameters from this calibration version (e.g. v16)",
    ),
    rounds: int = typer.Option(
        3,
        "--rounds",
        min=1,
        help="rounds of stage 2 and stage 1 refitted alternately (1: a single pass; "
        "v18 used 3, and 5 fitted no better: 5.29 vs 5.22 pp)",
    ),
    fmt: OutputFormat = FormatOption,
) -> None:
    """Fit population-level parameters to the calibration rows; write calibration-v<N>.json.

    With ``--disease``, only those diseases are refitted; the file keeps the latest
    calibration's parameters for the others.

    Stage 0 (structure: pathway-weight spread, T-cell switch threshold), stage 1 (placebo
    model with a between-trial random effect, fitted to control arms), stage 2 (pathway
    multipliers by importance weighting), stages 2 and 1 alternated for ``--rounds``.
    See docs/calibration.md.
    """
    from immunobalance.population import load_calibration
    from immunobalance.population._fit import (
        fit_placebo_and_multipliers,
        merge_calibration,
        structure_of,
        write_calibration,
    )
    from immunobalance.population._fit_structure import fit_structures

    def say(s: str) -> None:
        err_console.print(s)

    if structure_from is not None:
        base = structure_of(load_calibration(structure_from), disease or None)
    elif structure:
        base = fit_structures(disease or None, n_per_arm=n, seed=seed, progress=say)
    else:
        base = None
    cal = fit_placebo_and_multipliers(
        base,
        rounds=rounds,
        n_per_arm=n,
        n_stage2=n2,
        seed=seed,
        progress=say,
        diseases=disease or None,
    )
    if disease:
        # the other diseases keep the latest calibration's parameters
        cal = merge_calibration(load_calibration(), cal)
    path = write_calibration(cal, out)
    if fmt is OutputFormat.json:
        print_json({"version": cal.version, "path": str(path), **cal.to_json()})
        return
    console.print(f"calibration {cal.version} written to [bold]{path}[/]")


def validate(
    n: int = typer.Option(1000, "--n", min=20, help="virtual patients per arm"),
    seed: int = typer.Option(20261121, "--seed"),
    calibration: str | None = typer.Option(
        None, "--calibration", help="calibration version (default: latest)"
    ),
    trial: list[str] = typer.Option(None, "--trial", help="only these calibration trials"),
    markdown: Path | None = typer.Option(
        None,
        "--markdown",
        help="also write the calibration document (docs; it also runs every trial at the "
        "typical placebo level for its held-out summary)",
    ),
    placebo_level: PlaceboLevel = typer.Option(
        PlaceboLevel.trial,
        "--placebo-level",
        help="trial: each calibration trial at its own fitted placebo effect (how well the "
        "model fits); typical: every trial at its disease's typical placebo level, as an "
        "unseen trial is predicted",
    ),
    fmt: OutputFormat = FormatOption,
) -> None:
    """Predicted vs published for every calibration row, with a summary."""
    from immunobalance.population import load_calibration
    from immunobalance.population._validate import validate_calibration

    cal = load_calibration(calibration)

    def run(level: str) -> dict[str, Any]:
        return validate_calibration(
            cal,
            n_per_arm=n,
            seed=seed,
            trials=trial or None,
            progress=lambda s: err_console.print(f"running {s} ({level} placebo level)…"),
            placebo_level=level,
        )

    result = run(placebo_level.value)
    if markdown is not None:
        from immunobalance.population._report import calibration_markdown

        fitted = result if placebo_level is PlaceboLevel.trial else run("trial")
        typical = result if placebo_level is PlaceboLevel.typical else run("typical")
        markdown.write_text(
            calibration_markdown(cal, fitted, n_per_arm=n, seed=seed, at_typical=typical),
            encoding="utf-8",
        )
    if fmt is OutputFormat.json:
        print_json(result)
        return
    from rich.table import Table

    table = Table(title=f"calibration {cal.version}: predicted vs published (n = {n} per arm)")
    for col in (
        "trial",
        "arm",
        "endpoint",
        "week",
        "published",
        "predicted",
        "error",
        "published diff",
        "predicted diff",
    ):
        table.add_column(col)
    for r in result["rows"]:
        table.add_row(
            r["trial"],
            r["arm"],
            r["endpoint"],
            str(r["week"]),
            f"{r['published']:.3g}",
            _f(r["predicted"]),
            _f(r["error_pp"]),
            _f(r["published_diff"]),
            _f(r["predicted_diff"]),
        )
    console.print(table)
    s = result["summary"]
    console.print(
        f"MAE {s['mae_pp']} pp (proportions); MAE of differences {s['mae_diff_pp']} pp; "
        f"signs {s['signs_correct']}/{s['signs_total']}"
    )


def _f(x: float | None) -> str:
    return "–" if x is None else f"{x:.3g}"


def register(app: typer.Typer) -> None:
    """Add ``calibrate`` to the app and ``validate`` to the ``trial`` group."""
    from immunobalance.cli.trial import trial_app

    app.command("calibrate")(calibrate)
    trial_app.command("validate")(validate)
