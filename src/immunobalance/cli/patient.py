"""``immunobalance patient add|visit|timeline|list`` — the patient store from the command line.

The same store as the service (``IMMUNOBALANCE_DATA_DIR`` / ``IMMUNOBALANCE_DB_URL``): a patient
added here is served by ``immunobalance serve``, and a visit added here gets the same
treat-to-target review (``immunobalance.monitor``) as ``POST /patients/{id}/visits``. With
``--twin`` (the default) the visit's review also re-weights the patient's digital twin with the
new data (``recommend``) and names the twin's candidates for the action.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from immunobalance.cli._output import FormatOption, OutputFormat, console, print_json
from immunobalance.errors import InvalidRecordError, Problem

__all__ = ["register"]

patient_app = typer.Typer(help="Store patients, add visits, show timelines.", no_args_is_help=True)


def _database() -> Any:
    from immunobalance.store import open_database

    return open_database()


def _read_json(path: str) -> Any:
    import sys

    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text("utf-8")
    except OSError as exc:
        raise InvalidRecordError([Problem(path, f"cannot read: {exc.strerror}")]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidRecordError(
            [Problem(f"{path}:{exc.lineno}:{exc.colno}", f"not valid JSON: {exc.msg}")]
        ) from None


def _print_action(action: dict[str, Any]) -> None:
    console.print(f"[bold]action:[/] {action['kind']} — {action['summary']}", highlight=False)
    for reason in action.get("reasons", []):
        console.print(f"  - {reason}", highlight=False)
    for alert in action.get("safety_alerts", []):
        console.print(f"  [red]{alert['severity']}[/]: {alert['message']}", highlight=False)
    for c in action.get("candidates", []):
        p = c.get("probability")
        shown = f"{100 * p:.0f} %" if p is not None else "—"
        console.print(f"  twin candidate: {' + '.join(c['agents'])} ({shown})", highlight=False)


def add(
    record: Annotated[str, typer.Argument(help="patient JSON, FHIR R4 Bundle JSON, or -")],
    patient_id: Annotated[
        str | None, typer.Option("--patient-id", help="which patient of a multi-patient bundle")
    ] = None,
    output_format: OutputFormat = FormatOption,
) -> None:
    """Validate and store a patient record (exit 2 listing every problem; nothing stored)."""
    from immunobalance.api.monitoring import create_reviewed, review_document
    from immunobalance.patient import read_patient
    from immunobalance.store.crud import audit

    patient = read_patient(record if record != "-" else _read_json("-"), patient_id=patient_id)
    db = _database()
    review = review_document(patient, patient.latest_date())
    with db.write() as session:
        action = create_reviewed(session, patient, review)
        audit.record_event(session, None, "patient.create", patient_record_id=patient.id)
    shown = action.model_dump(mode="json") if action else None
    if output_format is OutputFormat.json:
        print_json({"id": patient.id, "action": shown})
    else:
        console.print(f"stored patient [bold]{patient.id}[/]", highlight=False)
        if shown:
            _print_action(shown)


def visit(
    patient_id: Annotated[str, typer.Argument(help="the stored patient's id")],
    visit_file: Annotated[
        str, typer.Argument(help='visit JSON {"date", "observations", "medications"} or -')
    ],
    twin: Annotated[
        bool, typer.Option("--twin/--no-twin", help="re-weight the digital twin with the visit")
    ] = True,
    twin_n: Annotated[
        int | None, typer.Option("--twin-n", help="virtual patients in the twin (default 1000)")
    ] = None,
    output_format: OutputFormat = FormatOption,
) -> None:
    """Append a visit, review it (vs baseline and previous visit) and propose an action."""
    from immunobalance import __version__
    from immunobalance.api.timeline import timeline_action
    from immunobalance.api.visits import validate_visit
    from immunobalance.monitor import review_visit
    from immunobalance.store.crud import actions, audit
    from immunobalance.store.crud import patients as crud
    from immunobalance.store.errors import RecordNotFoundError

    body = _read_json(visit_file)
    if not isinstance(body, dict):
        raise InvalidRecordError([Problem("", "expected a JSON object")], what="visit")
    db = _database()
    with db.read() as session:
        if crud.get_patient_row(session, patient_id, full=False) is None:
            raise RecordNotFoundError("patient", patient_id)
    valid = validate_visit(body, patient_id, today=dt.date.today())
    with db.read() as session:
        stored = crud.load_patient(session, patient_id)
    updated = stored.model_copy(
        update={
            "observations": (*stored.observations, *valid.observations),
            "medications": (*stored.medications, *valid.medications),
        }
    )
    recommendation = None
    if twin:
        from immunobalance.recommend import DEFAULT_N, recommend

        try:
            recommendation = recommend(updated, n=twin_n or DEFAULT_N).to_json()
        except InvalidRecordError:
            recommendation = None
    review = review_visit(updated, valid.date, recommendation=recommendation)
    with db.write() as session:
        row = crud.add_visit(session, patient_id, valid.date, valid.observations, valid.medications)
        patient_row = crud.get_patient_row(session, patient_id, full=False)
        assert patient_row is not None
        stored_action = actions.record_action(
            session,
            patient_row,
            review.model_dump(mode="json"),
            visit_id=row.id,
            software_version=__version__,
        )
        audit.record_event(
            session, None, "visit.create", patient_record_id=patient_id, target=str(row.id)
        )
        shown = timeline_action(stored_action).model_dump(mode="json")
    document = {
        "visit": str(row.id),
        "patient": patient_id,
        "review": review.model_dump(mode="json"),
    }
    if output_format is OutputFormat.json:
        print_json(document)
        return
    console.print(f"visit {row.id} stored for [bold]{patient_id}[/]", highlight=False)
    for key, result in review.assessment.indices.items():
        console.print(f"  {key} {result.value:g} ({result.category})", highlight=False)
    for name, values in (
        ("vs baseline", review.assessment.vs_baseline),
        ("vs previous", review.assessment.vs_previous),
    ):
        if values:
            shown_values = ", ".join(f"{k} {v}" for k, v in values.items())
            console.print(f"  {name}: {shown_values}", highlight=False)
    _print_action(shown)


def timeline(
    patient_id: Annotated[str, typer.Argument(help="the stored patient's id")],
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="write the timeline plot (.png or .html)"),
    ] = None,
    output_format: OutputFormat = FormatOption,
) -> None:
    """Visits, indices, therapies and treat-to-target actions over time (optionally a plot)."""
    from immunobalance.api.routes.assessment import assess_json
    from immunobalance.api.timeline import build_timeline
    from immunobalance.monitor.plot import timeline_figure
    from immunobalance.store.crud import actions
    from immunobalance.store.crud import patients as crud
    from immunobalance.store.errors import RecordNotFoundError

    db = _database()
    with db.read() as session:
        row = crud.get_patient_row(session, patient_id)
        if row is None:
            raise RecordNotFoundError("patient", patient_id)
        result = build_timeline(row, assess_json, actions.list_actions(session, row))
    document = result.model_dump(mode="json")
    if plot is not None:
        if plot.suffix.lower() not in (".png", ".html"):
            raise InvalidRecordError(
                [Problem("--plot", f"{plot.name!r}: expected a .png or .html file")],
                what="timeline request",
            )
        timeline_figure(document).save(plot)
    if output_format is OutputFormat.json:
        print_json(document)
        return
    table = Table(title=f"Timeline of {patient_id}")
    for column in ("date", "source", "indices", "action"):
        table.add_column(column)
    by_date: dict[str, list[str]] = {}
    for a in document["actions"]:
        by_date.setdefault(a["date"], []).append(f"{a['kind']}: {a['summary']}")
    for v in document["visits"]:
        indices = ", ".join(
            f"{k} {i['value']:g} ({i['category']})" for k, i in v["indices"].items()
        )
        table.add_row(v["date"], v["source"], indices or "—", "; ".join(by_date.get(v["date"], [])))
    console.print(table)
    if plot is not None:
        console.print(f"plot written to {plot}", highlight=False)


def list_patients(output_format: OutputFormat = FormatOption) -> None:
    """Stored patients with their visit count and latest visit."""
    from immunobalance.store.crud import patients as crud

    with _database().read() as session:
        listing = crud.list_patients(session, limit=10_000)
    rows: list[dict[str, Any]] = [
        {
            "id": p.id,
            "sex": p.sex,
            "visits": p.visits,
            "last_visit": p.last_visit.isoformat() if p.last_visit else None,
        }
        for p in listing
    ]
    if output_format is OutputFormat.json:
        print_json(rows)
        return
    table = Table(title="Patients")
    for column in ("id", "sex", "visits", "last visit"):
        table.add_column(column)
    for r in rows:
        table.add_row(str(r["id"]), str(r["sex"]), str(r["visits"]), str(r["last_visit"] or "—"))
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add the ``patient`` command group to the CLI."""
    patient_app.command("add")(add)
    patient_app.command("visit")(visit)
    patient_app.command("timeline")(timeline)
    patient_app.command("list")(list_patients)
    app.add_typer(patient_app, name="patient")
