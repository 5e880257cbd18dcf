"""Knowledge-base reference pages, generated from :func:`load_knowledge_base`.

Every number is printed with its source, exactly as the records hold it.
"""

from __future__ import annotations

from typing import Any

from docsgen.md import anchor, cell, code, fmt, table

GENERATED = (
    "Generated from the knowledge base (`immunobalance.knowledge.load_knowledge_base`) when the "
    "documentation is built; the records live in `src/immunobalance/knowledge/data/`."
)


def _sourced(s: Any) -> tuple[str, str]:
    """(value with unit, source and note) of a ``Sourced`` field."""
    if s is None:
        return "", ""
    unit = "" if s.unit in ("1", "") else f" {s.unit}"
    value = f"{fmt(s.value)}{unit}"
    if s.low is not None or s.high is not None:
        value += f" ({fmt(s.low) if s.low is not None else ''}–"
        value += f"{fmt(s.high) if s.high is not None else ''})"
    source = s.source + (f" — {s.note}" if s.note else "")
    return value, source


def _regimen_text(items: list[dict[str, object]]) -> str:
    parts = []
    for item in items:
        words = [str(item.get(k)) for k in ("agent", "dose", "route") if item.get(k) is not None]
        if item.get("every"):
            words.append(f"every {item['every']}")
        if item.get("at_weeks"):
            words.append(f"at weeks {item['at_weeks']}")
        if item.get("start_week"):
            words.append(f"from week {item['start_week']}")
        parts.append(" ".join(words))
    return "; ".join(parts)


def render_index(kb: Any) -> str:
    rows = [
        ("[Agents](agents.md)", len(kb.agents), "pharmacology: targets, PK, PD actions, labels"),
        ("[Diseases](diseases.md)", len(kb.diseases), "codes, target organ, pathway priors"),
        ("[Populations](populations.md)", len(kb.populations), "trial populations, baselines"),
        ("[Biomarkers](biomarkers.md)", len(kb.biomarkers), "observation keys, units, LOINC"),
        ("[Interactions](#interactions)", len(kb.interactions), "pairs of agents"),
    ]
    inter = table(
        ["agent A", "agent B", "kind", "reason", "source"],
        [(code(i.a), code(i.b), i.kind, i.reason, i.source) for i in kb.interactions],
    )
    return (
        "# Knowledge base\n\n"
        f"{GENERATED} Every value carries its source: a label section, a paper (DOI/PMID) or a "
        "guideline. Browse it from the command line with `immunobalance kb …` "
        "([reference](../cli.md)); add to it as described in "
        "[Add an agent](../../contributing/add-agent.md).\n\n"
        + table(["part", "records", "holds"], rows)
        + "\n\n## Interactions\n\n"
        + inter
        + "\n"
    )


def render_agents(kb: Any) -> str:
    agents = sorted(kb.agents.values(), key=lambda a: a.key)
    summary = table(
        ["agent", "class", "modality", "targets", "acts on (model process/effect)", "routes"],
        [
            (
                f"[{code(a.key)}](#{anchor(a.key)})",
                a.drug_class,
                a.modality,
                ", ".join(a.targets),
                ", ".join(f"{x.process}/{x.effect}" for x in a.actions),
                ", ".join(a.routes),
            )
            for a in agents
        ],
    )
    parts = [
        "# Agents and their PK/PD\n",
        f"{GENERATED} How the engine turns these records into model quantities is on "
        "[Model reference](../model.md). PK and potency come from pharmacology (labels, "
        "population-PK and PK/PD papers), never from fitting the agent's trial outcomes.\n",
        summary,
    ]
    parts += [_agent_section(a) for a in agents]
    return "\n\n".join(parts) + "\n"


def _agent_section(a: Any) -> str:
    head = f"## {a.key}\n\n**{cell(a.name)}**"
    if a.brand_names:
        head += f" ({', '.join(a.brand_names)})"
    head += (
        f" — {a.drug_class}, {a.modality}; targets {', '.join(a.targets)}; status {a.status}."
        f"\n\n{a.mechanism_text}"
    )
    pd = table(
        ["process", "effect", "potency", "kind", "Emax", "Hill", "source"],
        [
            (
                code(x.process),
                x.effect,
                _sourced(x.potency)[0],
                x.potency_kind,
                _sourced(x.emax)[0],
                fmt(x.hill),
                _sourced(x.potency)[1] + (f" — {x.note}" if x.note else ""),
            )
            for x in a.actions
        ],
    )
    pk_rows: list[tuple[str, str, str]] = [("model", a.pk.model, "")]
    for name in (
        "half_life",
        "clearance",
        "volume_central",
        "volume_peripheral",
        "intercompartmental_clearance",
        "ka",
        "molecular_weight",
        "target_mediated",
        "immunogenicity",
        "immunogenicity_with_mtx",
        "ada_clearance_factor",
        "specific_activity",
    ):
        value = getattr(a.pk, name, None)
        if value is not None:
            pk_rows.append((name.replace("_", " "), *_sourced(value)))
    for route, f in a.pk.bioavailability.items():
        pk_rows.append((f"bioavailability ({route})", *_sourced(f)))
    if a.pk.weight_exponent_clearance is not None:
        pk_rows.append(("weight exponent of clearance", fmt(a.pk.weight_exponent_clearance), ""))
    pk = table(["PK parameter", "value", "source"], pk_rows)
    if a.pk.note:
        pk += f"\n\n{a.pk.note}"
    sections = [head, "**Pharmacodynamics** (action on the model)\n\n" + pd, "**PK**\n\n" + pk]
    if a.dosing:
        sections.append(
            "**Dosing**\n\n"
            + table(
                ["disease", "regimen", "standard", "source"],
                [
                    (d.disease, _regimen_text(d.regimen), "yes" if d.standard else "", d.source)
                    for d in a.dosing
                ],
            )
        )
    if a.approvals:
        sections.append(
            "**Approvals and evidence**\n\n"
            + table(
                ["disease", "status", "year", "region", "indication", "source"],
                [
                    (p.disease, p.status, p.year, p.region, p.indication, p.source)
                    for p in a.approvals
                ],
            )
        )
    label: list[tuple[str, str, str]] = []
    for kind in ("boxed_warnings", "contraindications", "warnings", "monitoring"):
        label += [(kind.replace("_", " "), n.text, n.source) for n in getattr(a, kind)]
    if a.pregnancy is not None:
        label.append(("pregnancy", a.pregnancy.text, a.pregnancy.source))
    for name in ("serious_infection_rate", "discontinuation_ae"):
        value = getattr(a, name)
        if value is not None:
            label.append((name.replace("_", " "), *_sourced(value)))
    if label:
        sections.append("**Label and safety**\n\n" + table(["kind", "text", "source"], label))
    sections.append("**Sources**\n\n" + "\n".join(f"- {cell(s)}" for s in a.sources))
    return "\n\n".join(sections)


def render_diseases(kb: Any) -> str:
    parts = [
        "# Diseases and pathway priors\n",
        f"{GENERATED} The pathway weights are the prior of each disease's pathway mix: a "
        "virtual patient's own mix is drawn around them, which is what makes a patient whose "
        "disease is not TNF-driven a primary non-responder to TNF blockade.\n",
    ]
    for d in sorted(kb.diseases.values(), key=lambda d: d.key):
        icd = getattr(d, "icd10", None)
        parts.append(f"## {d.key}\n\n**{cell(d.name)}** — target organ: {d.target_organ}.")
        facts = [("indices", ", ".join(d.indices)), ("endpoints", ", ".join(d.endpoints))]
        if icd:
            facts.insert(0, ("ICD-10-CM", ", ".join(map(str, icd))))
        if d.response_criteria:
            facts.append(("response criteria", ", ".join(d.response_criteria)))
        if d.standard_of_care:
            facts.append(("standard of care", ", ".join(d.standard_of_care)))
        parts.append(table(["", ""], facts))
        parts.append(
            "**Pathway priors**\n\n"
            + table(
                ["pathway", "weight", "evidence", "source"],
                [
                    (code(k), fmt(w.weight), w.evidence, w.source)
                    for k, w in sorted(d.pathways.items(), key=lambda kv: -kv[1].weight)
                ],
            )
        )
        if d.subtypes:
            parts.append(
                "**Subtypes**\n\n"
                + table(
                    ["key", "name", "definition", "source"],
                    [(code(s.key), s.name, s.definition, s.source) for s in d.subtypes],
                )
            )
        parts.append("**Sources**\n\n" + "\n".join(f"- {cell(s)}" for s in d.sources))
    return "\n\n".join(parts) + "\n"


def render_populations(kb: Any) -> str:
    parts = [
        "# Virtual populations\n",
        f"{GENERATED} A trial names its population by `disease` and `population` key "
        "([trial specification](../../contracts/trial-spec.md)); virtual patients are sampled "
        "and selected so that these baseline distributions are matched.\n",
    ]
    for (disease, key), p in sorted(kb.populations.items()):
        parts.append(f"## {disease} / {key}\n\n**{cell(p.name)}** — {p.description}")
        facts = []
        if p.inclusion:
            facts.append(("inclusion", "; ".join(p.inclusion)))
        if p.background_therapy:
            facts.append(("background therapy", _regimen_text(p.background_therapy)))
        if p.prior_therapy:
            facts.append(("prior therapy failed", ", ".join(p.prior_therapy)))
        if facts:
            parts.append(table(["", ""], facts))
        rows = []
        for name, b in p.baseline.items():
            stats = []
            if b.mean is not None:
                stats.append(f"mean {fmt(b.mean)}")
            if b.sd is not None:
                stats.append(f"SD {fmt(b.sd)}")
            if b.median is not None:
                stats.append(f"median {fmt(b.median)}")
            if b.low is not None or b.high is not None:
                lo = fmt(b.low) if b.low is not None else ""
                hi = fmt(b.high) if b.high is not None else ""
                stats.append(f"range {lo}–{hi}")
            if b.fraction is not None:
                stats.append(f"fraction {fmt(b.fraction)}")
            rows.append((code(name), ", ".join(stats), "" if b.unit == "1" else b.unit, b.source))
        parts.append("**Baseline**\n\n" + table(["trait", "value", "unit", "source"], rows))
        parts.append("**Sources**\n\n" + "\n".join(f"- {cell(s)}" for s in p.sources))
    return "\n\n".join(parts) + "\n"


def render_biomarkers(kb: Any) -> str:
    rows = []
    for b in sorted(kb.biomarkers.values(), key=lambda b: b.key):
        units = b.unit or ""
        if b.alternatives:
            units += " (also " + ", ".join(x.unit for x in b.alternatives) + ")"
        rng = f"{fmt(b.range[0])}–{fmt(b.range[1])}" if b.range else ""
        rows.append(
            (
                code(b.key),
                b.name,
                b.kind,
                units,
                rng,
                ", ".join(b.loinc),
                ", ".join(b.categories),
                b.source,
            )
        )
    return (
        "# Biomarkers\n\n"
        f"{GENERATED} These are the observation keys of a patient record "
        "([patient record](../../contracts/patient-record.md)); a LOINC code listed here is "
        "read as its key. Units are UCUM; a value in another unit is converted, and a unit that "
        "cannot be converted is an error, never a guess.\n\n"
        + table(
            ["key", "name", "kind", "unit", "physical range", "LOINC", "categories", "source"],
            rows,
        )
        + "\n"
    )


def render_kb_pages(kb: Any | None = None) -> dict[str, str]:
    """All knowledge-base pages, keyed by their path under ``docs/``."""
    if kb is None:
        from immunobalance.knowledge.loader import load_knowledge_base

        kb = load_knowledge_base()
    return {
        "reference/kb/index.md": render_index(kb),
        "reference/kb/agents.md": render_agents(kb),
        "reference/kb/diseases.md": render_diseases(kb),
        "reference/kb/populations.md": render_populations(kb),
        "reference/kb/biomarkers.md": render_biomarkers(kb),
    }
