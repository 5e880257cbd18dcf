"""``immunobalance assess PATIENT`` — disease-activity indices and response (``contracts/cli.md``).

PATIENT is a patient JSON file, a FHIR R4 Bundle JSON file, or ``-`` for stdin. Bad input exits
2 with every problem on stderr (raised as :class:`InvalidInputError` and mapped by ``main``).
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.table import Table

from immunobalance.cli._output import FormatOption, OutputFormat, console, print_json
from immunobalance.errors import InvalidRecordError, Problem
from immunobalance.indices.assess import Assessment, assess_patient

__all__ = ["register"]


def _source(patient: str) -> Any:
    """The path to read, or the parsed stdin JSON for ``-``."""
    if patient != "-":
        return patient
    text = sys.stdin.read()
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidRecordError(
            [Problem(f"<stdin>:{exc.lineno}:{exc.colno}", f"not valid JSON: {exc.msg}")]
        ) from None


def _contract_json(result: Assessment) -> dict[str, Any]:
    """The contract's ``{"patient", "indices", "response"}`` first, then the extensions."""
    data = result.model_dump(mode="json")
    ordered = {k: data.pop(k) for k in ("patient", "indices", "response")}
    ordered.update(data)
    return ordered


def _print_text(result: Assessment) -> None:
    if result.disease is None:
        console.print(f"Patient [bold]{result.patient}[/]: no index disease.")
        for note in result.notes:
            console.print(f"  {note}")
        return
    console.print(f"Patient [bold]{result.patient}[/] — {result.disease.replace('_', ' ')}")
    table = Table(title="Disease activity (latest visit)")
    table.add_column("index")
    table.add_column("value", justify="right")
    table.add_column("category")
    table.add_column("date")
    for key, r in result.indices.items():
        table.add_row(key, f"{r.value:g}", r.category or "—", r.date.isoformat())
    if result.indices:
        console.print(table)
    else:
        console.print("No index could be computed.")
    if result.response:
        resp = Table(title="Response vs the first visit")
        resp.add_column("criterion")
        resp.add_column("result")
        resp.add_column("basis")
        for key, value in result.response.items():
            shown = ("yes" if value else "no") if isinstance(value, bool) else f"{value}"
            basis = result.response_basis.get(key) or result.response_basis.get(
                key.rstrip("0123456789"), ""
            )
            resp.add_row(key, shown, basis)
        console.print(resp)
    for note in result.notes:
        console.print(f"[dim]note:[/] {note}", highlight=False)


def assess(
    patient: Annotated[str, typer.Argument(help="patient JSON, FHIR R4 Bundle JSON, or - (stdin)")],
    output_format: OutputFormat = FormatOption,
    patient_id: Annotated[
        str | None, typer.Option("--patient-id", help="which patient of a multi-patient bundle")
    ] = None,
    disease: Annotated[
        str | None,
        typer.Option("--disease", help="index disease key (default: from the conditions)"),
    ] = None,
) -> None:
    """Disease-activity indices at the latest visit, and response vs the first visit."""
    from immunobalance.patient import read_patient

    record = read_patient(_source(patient), patient_id=patient_id)
    result = assess_patient(record, disease=disease)
    if output_format is OutputFormat.json:
        print_json(_contract_json(result))
    else:
        _print_text(result)


def register(app: typer.Typer) -> None:
    """Add ``assess`` to the CLI."""
    app.command("assess")(assess)
