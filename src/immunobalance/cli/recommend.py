"""``immunobalance recommend PATIENT`` — ranked, explained, safety-screened regimens.

Contract: ``contracts/cli.md`` (``recommend --format json``). ``--report out.html`` writes the
self-contained HTML report; ``--prebuild DISEASE`` simulates and caches the population outcomes
of every candidate regimen of a disease (so later recommendations are warm).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from immunobalance.cli._output import FormatOption, OutputFormat, console, err_console, print_json
from immunobalance.errors import InvalidInputError, Problem

__all__ = ["register"]


def _print_text(result: object) -> None:
    data = result.to_json()  # type: ignore[attr-defined]
    console.print(
        f"Patient [bold]{data['patient']}[/] — {data['disease'].replace('_', ' ')} "
        f"({data['population'].replace('_', ' ')})",
        highlight=False,
    )
    console.print(f"Line of therapy: {data['line_of_therapy']}", highlight=False)
    twin = data["twin"]
    console.print(
        f"Twin: {twin['n']} virtual patients, effective sample size {twin['ess']:.0f}"
        + (f" — {twin['fallback']}" if twin["fallback"] else ""),
        highlight=False,
    )
    table = Table(title=f"Options ({result.endpoint.description})")  # type: ignore[attr-defined]
    table.add_column("rank", justify="right")
    table.add_column("regimen")
    table.add_column("status")
    table.add_column("P (95 % CI)")
    table.add_column("why")
    for o in data["options"]:
        pred = o.get("predicted")
        shown = (
            f"{pred['probability']:.2f} [{pred['ci95'][0]:.2f}, {pred['ci95'][1]:.2f}]"
            if pred
            else "—"
        )
        why = (
            o["reasons"][1]
            if pred and len(o["reasons"]) > 1 and "predicted" in o["reasons"][1]
            else (o["reasons"][0] if o["reasons"] else "")
        )
        table.add_row(
            str(o["rank"] or "—"),
            " + ".join(i["agent"] for i in o["regimen"]),
            o["status"],
            shown,
            why,
        )
    console.print(table)
    if data["not_offered"]:
        console.print(
            "Not offered: "
            + "; ".join(f"{x['agent']} ({x['reason']})" for x in data["not_offered"]),
            highlight=False,
        )


def recommend(
    patient: Annotated[
        str | None, typer.Argument(help="patient JSON, FHIR R4 Bundle JSON, or - (stdin)")
    ] = None,
    output_format: OutputFormat = FormatOption,
    report: Annotated[Path | None, typer.Option("--report", help="write the HTML report")] = None,
    patient_id: Annotated[
        str | None, typer.Option("--patient-id", help="which patient of a multi-patient bundle")
    ] = None,
    n: Annotated[int, typer.Option("--n", help="virtual patients behind the twin")] = 1000,
    learned_model: Annotated[
        Path | None,
        typer.Option(
            "--learned-model",
            help="directory of a model from `immunobalance learn` "
            "(shown separately; never changes status or rank)",
        ),
    ] = None,
    prebuild: Annotated[
        str | None,
        typer.Option("--prebuild", help="simulate and cache every candidate regimen of DISEASE"),
    ] = None,
) -> None:
    """Ranked regimens for the patient: twin predictions, safety status, reasons, evidence."""
    from immunobalance.recommend import DEFAULT_N
    from immunobalance.recommend import prebuild as do_prebuild
    from immunobalance.recommend import recommend as do_recommend

    problems = []
    if n < 1:
        problems.append(Problem("--n", f"must be a positive integer, got {n}"))
    if learned_model is not None and not learned_model.is_dir():
        problems.append(Problem("--learned-model", f"{learned_model} is not a directory"))
    if patient is None and prebuild is None:
        problems.append(
            Problem("PATIENT", "give a patient file (or - for stdin), or --prebuild DISEASE")
        )
    if problems:
        raise InvalidInputError(problems, what="recommend command")
    if prebuild is not None:
        done, had = do_prebuild(
            prebuild, n=n or DEFAULT_N, progress=lambda m: err_console.print(m, highlight=False)
        )
        err_console.print(f"prebuilt {done} entries ({had} already cached)", highlight=False)
        if patient is None:
            return
    from immunobalance.cli.assess import _source
    from immunobalance.indices.assess import assess_patient
    from immunobalance.patient import read_patient

    record = read_patient(_source(patient or "-"), patient_id=patient_id)
    result = do_recommend(
        record,
        n=n,
        learned_model=learned_model,
        progress=lambda m: err_console.print(m, highlight=False),
    )
    if report is not None:
        from immunobalance.report import recommendation_html, write_html

        write_html(report, recommendation_html(result, assess_patient(record)))
        sys.stderr.write(f"report written to {report}\n")
    if output_format is OutputFormat.json:
        print_json(result.to_json())
    else:
        _print_text(result)


def register(app: typer.Typer) -> None:
    """Add ``recommend`` to the CLI."""
    app.command("recommend")(recommend)
