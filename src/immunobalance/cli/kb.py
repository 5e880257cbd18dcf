"""``immunobalance kb …`` — list and show the knowledge base (``contracts/cli.md``).

``kb diseases|agents|populations|biomarkers [--disease KEY]`` list records; ``kb show AGENT``
shows one agent. Text output is a Rich table for people; ``--format json`` prints the full
records (field aliases as in the YAML, e.g. ``class``) alone on stdout for scripts.

Unknown agent or disease keys raise :class:`~immunobalance.errors.UnknownKeyError`, whose
message carries the "did you mean" suggestion; :func:`immunobalance.cli.main` turns it into
exit code 2. This module only reads the knowledge base; it never writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import typer
from rich.panel import Panel
from rich.table import Table

from immunobalance.cli._output import FormatOption, OutputFormat, console, print_json
from immunobalance.knowledge.loader import KnowledgeBase, load_knowledge_base
from immunobalance.knowledge.schema import Agent, Biomarker, Disease, Population, Sourced
from immunobalance.regimen import parse_regimen, regimen_label

__all__ = ["app"]

app = typer.Typer(help="Browse the knowledge base.", no_args_is_help=True)

DiseaseOption = typer.Option(None, "--disease", help="restrict to one disease key")


def _kb() -> KnowledgeBase:
    return load_knowledge_base()


def _sourced(value: Sourced | None) -> str:
    if value is None:
        return "—"
    text = f"{value.value:g} {value.unit}" if value.unit != "1" else f"{value.value:g}"
    if value.low is not None and value.high is not None:
        text += f" ({value.low:g}–{value.high:g})"
    return text


def _join(items: Iterable[str]) -> str:
    return ", ".join(items) or "—"


# --------------------------------------------------------------------------- listings


@app.command("diseases")
def list_diseases(disease: str | None = DiseaseOption, fmt: OutputFormat = FormatOption) -> None:
    """List the index diseases: codes, organ, main pathway priors, indices."""
    kb = _kb()
    records: Sequence[Disease] = (
        [kb.disease(disease)] if disease else sorted(kb.diseases.values(), key=lambda d: d.key)
    )
    if fmt is OutputFormat.json:
        print_json(list(records))
        return
    table = Table(title="Diseases", show_lines=False)
    table.add_column("key", no_wrap=True)
    for column in ("name", "ICD-10-CM", "organ", "main pathways (prior ≥ 0.6)", "indices"):
        table.add_column(column)
    for d in records:
        main = sorted(
            ((p, w.weight) for p, w in d.pathways.items() if w.weight >= 0.6),
            key=lambda pw: -pw[1],
        )
        codes = _join(d.icd10) + (f" (except {_join(d.icd10_exclude)})" if d.icd10_exclude else "")
        table.add_row(
            d.key,
            d.name,
            codes,
            d.target_organ,
            _join(f"{p} {w:.2f}" for p, w in main),
            _join(d.indices),
        )
    console.print(table)


@app.command("agents")
def list_agents(disease: str | None = DiseaseOption, fmt: OutputFormat = FormatOption) -> None:
    """List agents; with ``--disease``, those with an approval record for it and its status."""
    kb = _kb()
    agents = sorted(kb.agents.values(), key=lambda a: a.key)
    if disease:
        kb.disease(disease)  # unknown key → UnknownKeyError with suggestion
        agents = [a for a in agents if a.approval_for(disease) is not None]
    if fmt is OutputFormat.json:
        print_json(agents)
        return
    table = Table(title=f"Agents{f' for {disease}' if disease else ''}")
    table.add_column("key", no_wrap=True)
    for column in ("name", "class", "targets", "mechanism", "routes"):
        table.add_column(column)
    # statuses are short keywords: never truncate or wrap them, at any terminal width
    table.add_column(
        "status" if disease else "approved for",
        min_width=15 if disease else None,
        no_wrap=bool(disease),
    )
    for a in agents:
        approval = a.approval_for(disease) if disease else None
        if approval is not None:
            last = approval.status + (f" ({approval.year})" if approval.year else "")
        else:
            last = _join(ap.disease for ap in a.approvals if ap.status == "approved")
        table.add_row(
            a.key,
            a.name,
            a.drug_class,
            _join(a.targets),
            a.mechanism,
            _join(a.routes),
            last,
        )
    console.print(table)


@app.command("populations")
def list_populations(disease: str | None = DiseaseOption, fmt: OutputFormat = FormatOption) -> None:
    """List trial populations with their background therapy and baseline characteristics."""
    kb = _kb()
    if disease:
        kb.disease(disease)
    records: list[Population] = sorted(
        kb.populations_for(disease), key=lambda p: (p.disease, p.key)
    )
    if fmt is OutputFormat.json:
        print_json(records)
        return
    table = Table(title="Populations")
    for column in ("disease", "key"):
        table.add_column(column, no_wrap=True)
    for column in ("name", "background therapy", "prior therapy", "baseline"):
        table.add_column(column)
    for p in records:
        background = (
            regimen_label(parse_regimen(p.background_therapy)) if p.background_therapy else "—"
        )
        table.add_row(
            p.disease, p.key, p.name, background, _join(p.prior_therapy), _join(p.baseline)
        )
    console.print(table)


@app.command("biomarkers")
def list_biomarkers(disease: str | None = DiseaseOption, fmt: OutputFormat = FormatOption) -> None:
    """List observation keys (biomarkers); with ``--disease``, those tagged for it or for all."""
    kb = _kb()
    records: list[Biomarker] = sorted(kb.biomarkers.values(), key=lambda b: b.key)
    if disease:
        kb.disease(disease)
        records = [b for b in records if not b.diseases or disease in b.diseases]
    if fmt is OutputFormat.json:
        print_json(records)
        return
    table = Table(title="Biomarkers (observation keys)")
    table.add_column("key", no_wrap=True)
    for column in ("name", "kind", "unit", "LOINC", "informs"):
        table.add_column(column)
    for b in records:
        table.add_row(b.key, b.name, b.kind, b.unit or "—", _join(b.loinc), _join(b.informs))
    console.print(table)


# --------------------------------------------------------------------------- one agent


@app.command("show")
def show_agent(
    agent: str = typer.Argument(..., help="agent key, e.g. tocilizumab"),
    fmt: OutputFormat = FormatOption,
) -> None:
    """One agent: class, target, mechanism, PK, approvals, warnings, sources."""
    record = _kb().agent(agent)
    if fmt is OutputFormat.json:
        print_json(record)
        return
    _print_agent(record)


def _print_agent(a: Agent) -> None:
    brands = f" ({', '.join(a.brand_names)})" if a.brand_names else ""
    console.print(
        Panel(
            f"[bold]{a.name}[/]{brands}\n"
            f"key {a.key} · class {a.drug_class} · {a.modality} · status {a.status}\n"
            f"targets: {_join(a.targets)} · mechanism: {a.mechanism} · "
            f"routes: {_join(a.routes)}\n\n"
            f"{a.mechanism_text}",
            title=a.key,
            expand=False,
        )
    )
    actions = Table(title="Actions (pharmacodynamics)")
    for column in ("process", "effect", "potency", "kind", "Emax", "source"):
        actions.add_column(column)
    for act in a.actions:
        actions.add_row(
            act.process,
            act.effect,
            _sourced(act.potency),
            act.potency_kind,
            _sourced(act.emax),
            act.potency.source,
        )
    console.print(actions)

    pk = Table(title=f"Pharmacokinetics ({a.pk.model})")
    pk.add_column("parameter")
    pk.add_column("value")
    pk.add_column("source")
    rows: list[tuple[str, Sourced | None]] = [
        ("half-life", a.pk.half_life),
        ("clearance", a.pk.clearance),
        ("central volume", a.pk.volume_central),
        ("peripheral volume", a.pk.volume_peripheral),
        ("absorption rate ka", a.pk.ka),
        ("molecular weight", a.pk.molecular_weight),
        ("immunogenicity", a.pk.immunogenicity),
        *((f"bioavailability ({route})", f) for route, f in a.pk.bioavailability.items()),
    ]
    for name, value in rows:
        if value is not None:
            pk.add_row(name, _sourced(value), value.source)
    console.print(pk)

    if a.approvals:
        approvals = Table(title="Approvals and evidence by disease")
        for column in ("disease", "status", "year", "region", "source"):
            approvals.add_column(column)
        for ap in a.approvals:
            approvals.add_row(
                ap.disease, ap.status, str(ap.year or "—"), ap.region or "—", ap.source
            )
        console.print(approvals)

    for title, notes in (
        ("Boxed warnings", a.boxed_warnings),
        ("Contraindications", a.contraindications),
        ("Warnings", a.warnings),
        ("Monitoring", a.monitoring),
        ("Pregnancy", [a.pregnancy] if a.pregnancy else []),
    ):
        if notes:
            console.print(f"[bold]{title}[/]")
            for note in notes:
                console.print(f"  • {note.text} [dim]({note.source})[/]", highlight=False)
    console.print("[bold]Sources[/]")
    for source in a.sources:
        console.print(f"  • {source}", highlight=False)
