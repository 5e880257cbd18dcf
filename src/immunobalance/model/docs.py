"""Generate the model reference of ``docs/model.md`` from the declarations.

``python -m immunobalance.model.docs --write docs/model.md`` rewrites the text between the
``<!-- BEGIN GENERATED MODEL REFERENCE -->`` and ``<!-- END GENERATED MODEL REFERENCE -->``
markers; a test checks that the file is current, so the documentation cannot drift from the code.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from immunobalance.model._formula import FUNCTIONS, Formula
from immunobalance.model.declaration import Declaration, Parameter

__all__ = ["BEGIN", "END", "reference_markdown", "update_file"]

BEGIN = "<!-- BEGIN GENERATED MODEL REFERENCE -->"
END = "<!-- END GENERATED MODEL REFERENCE -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _bounds(p: Parameter) -> str:
    hi = "∞" if math.isinf(p.high) else f"{p.high:g}"
    return f"[{p.low:g}, {hi}]"


def _param_rows(params: list[Parameter]) -> list[str]:
    rows = [
        "| name | value | unit | prior | bounds | meaning | source |",
        "|---|---|---|---|---|---|---|",
    ]
    for p in params:
        rows.append(
            f"| `{p.name}` | {p.value:.4g} | {_cell(p.unit)} | {p.prior.describe(p.value)} | "
            f"{_bounds(p)} | {_cell(p.meaning)} | {_cell(p.source)} |"
        )
    return rows


def _declaration_rows(decl: Declaration, groups: set[str]) -> list[str]:
    out = ["| state | unit | initial | meaning |", "|---|---|---|---|"]
    out += [
        f"| `{s.name}` | {_cell(s.unit)} | `{s.initial}` | {_cell(s.meaning)} |"
        for s in decl.states
        if s.group in groups
    ]
    out += [
        "",
        "Rate equations (per day):",
        "",
        "| d/dt | = | meaning | source |",
        "|---|---|---|---|",
    ]
    states = {s.name for s in decl.states if s.group in groups}
    out += [
        f"| `{r.state}` | `{Formula(r.formula).render('text')}` | {_cell(r.meaning)} | "
        f"{_cell(r.source)} |"
        for r in decl.rates
        if r.state in states
    ]
    out += [
        "",
        "Algebraic (quasi-steady-state) quantities:",
        "",
        "| name | = | unit | meaning | source |",
        "|---|---|---|---|---|",
    ]
    out += [
        f"| `{a.name}` | `{Formula(a.formula).render('text')}` | {_cell(a.unit)} | "
        f"{_cell(a.meaning)} | {_cell(a.source)} |"
        for a in decl.assignments
        if a.group in groups
    ]
    return out


def reference_markdown() -> str:
    """The generated reference: core network, every disease module, functions."""
    from immunobalance.model.diseases import DISEASE_MODULES, get_disease_module
    from immunobalance.model.diseases.base import measurement_parameters

    first = get_disease_module("rheumatoid_arthritis")
    core = first.declaration
    lines = [BEGIN, "", "### Functions of the formula language", ""]
    lines += [f"- `{name}`: {desc}" for name, (_, desc) in FUNCTIONS.items()]
    lines += ["", "### Core network", "", "States:", ""]
    lines += _declaration_rows(core, {"core"})
    from immunobalance.model.core import core_parameters

    lines += ["", "Core parameters:", ""]
    lines += _param_rows(core_parameters())
    lines += [
        "",
        "Per-patient pathway weights `w_<pathway>` (group `pathway`): the disease's "
        "knowledge-base prior × lognormal(CV 0.5), renormalised to sum 1.",
        "",
    ]
    lines += ["Measurement (placebo / expectation) parameters shared by all diseases:", ""]
    lines += _param_rows(measurement_parameters())
    base = {p.name: p for p in core_parameters()}
    for key in DISEASE_MODULES:
        mod = get_disease_module(key)
        decl = mod.declaration
        lines += [
            "",
            f"### {key}",
            "",
            f"Target-organ antibody biodistribution coefficient: "
            f"{mod.tissue_bdc[0]:g} ({mod.tissue_bdc[1]}).",
            "",
            "Pathways (KB prior, normalised): "
            + ", ".join(f"`{p}` {w:.3f}" for p, w in mod.pathway_prior().items()),
            "",
        ]
        if any(s.group == "organ" for s in decl.states):
            lines += ["Organ states:", "", *_declaration_rows(decl, {"organ"})]
        changed = [
            p for p in decl.parameters if p.group == "core" and p.name in base and p != base[p.name]
        ]
        organ = [p for p in decl.parameters if p.group == "organ"]
        if organ or changed:
            lines += ["", "Organ parameters and disease-specific values:", ""]
            lines += _param_rows(organ + changed)
        replaced = [
            a
            for a in decl.assignments
            if a.name in ("organ_entry", "drive_extra") and a.formula not in ("1", "0")
        ]
        if replaced:
            lines += ["", "Module equations:", ""]
            lines += [
                f"- `{a.name} = {Formula(a.formula).render('text')}` — {a.meaning} ({a.source})"
                for a in replaced
            ]
        lines += ["", "Read-out parameters:", "", *_param_rows(mod.readout_parameters())]
    lines += ["", END]
    return "\n".join(lines)


def update_file(path: Path) -> bool:
    """Rewrite the generated section of ``path``; True if it changed."""
    text = path.read_text(encoding="utf-8")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    new = text[:start] + reference_markdown() + text[end:]
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--write", type=Path, required=True, help="markdown file with the markers")
    args = ap.parse_args()
    changed = update_file(args.write)
    print(f"{args.write}: {'updated' if changed else 'up to date'}")


if __name__ == "__main__":
    main()
