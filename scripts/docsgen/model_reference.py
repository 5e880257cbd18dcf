"""Model reference, generated from each disease module's :class:`Declaration`.

For every disease module: states (unit, initial value), rate equations, algebraic
(quasi-steady-state) equations, every parameter (unit, typical value, prior, bounds, source),
the pharmacodynamic engagement names the agents act through, and every agent's PK/PD in model
units. Disease modules listed in ``DISEASE_MODULES`` whose file has not landed are named as such.
"""

from __future__ import annotations

import importlib
from typing import Any

from docsgen.md import cell, code, fmt, table

INTRO = """\
# Model reference

Generated from the model's own declaration (`immunobalance.model`: each disease module's
`Declaration` and its agents' pharmacology) when the documentation is built. The same
declaration generates the numba kernel and the SBML export, so this page, the simulator and the
exported model cannot disagree. The science behind it — why these states, which paradoxes it
captures, the solver — is on [The immune-balance model](../model.md).

Conventions: time in days; `d(X)/dt` rates are per day; cell and cytokine states are relative to
the untreated disease baseline (1 = baseline) unless the unit says otherwise. Names of the form
`inh_<process>`, `dep_<process>`, `act_<process>`, `inf_<process>` are *engagements* supplied by the
pharmacology layer at run time from each agent's concentration (Emax/Hill occupancy of its
potency), combined over agents.
"""


#: Agent effect → the engagement name prefix it feeds (``pharmacology.EFFECT_CODE``).
ENGAGEMENT_PREFIX = {
    "inhibit": "inh",
    "deplete": "dep",
    "activate": "act",
    "expand": "act",
    "infuse": "inf",
}


def _formula(text: str) -> str:
    from immunobalance.model._formula import Formula

    return Formula(text).render("text")


def _prior(p: Any) -> str:
    return str(p.prior.describe(p.value))


def _bounds(p: Any) -> str:
    return f"[{fmt(p.low)}, {fmt(p.high)}]"


def render_declaration(decl: Any) -> str:
    """States, equations and parameters of one declaration."""
    states = table(
        ["state", "meaning", "unit", "initial value"],
        [(code(s.name), s.meaning, s.unit, code(_formula(s.initial))) for s in decl.states],
    )
    rates = "\n\n".join(
        f"```text\nd{r.state}/dt = {_formula(r.formula)}\n```\n\n{cell(r.meaning)} "
        f"*Source: {cell(r.source)}.*"
        for r in decl.rates
    )
    assignments = table(
        ["name", "equation", "unit", "meaning", "source"],
        [
            (code(a.name), code(f"{a.name} = {_formula(a.formula)}"), a.unit, a.meaning, a.source)
            for a in decl.assignments
        ],
    )
    external = table(
        ["name", "meaning"], [(code(name), meaning) for name, meaning in decl.external.items()]
    )
    return "\n\n".join(
        [
            "### States\n\n" + states,
            "### Rate equations\n\n" + rates,
            "### Algebraic equations (quasi-steady state)\n\n"
            "Evaluated in this order at every time point.\n\n" + assignments,
            "### Pharmacodynamic engagements\n\n" + external,
        ]
    )


def render_parameters(parameters: Any) -> str:
    return table(
        ["parameter", "group", "meaning", "value", "unit", "prior", "bounds", "source"],
        [
            (
                code(p.name),
                p.group,
                p.meaning,
                fmt(p.value),
                p.unit,
                _prior(p),
                _bounds(p),
                p.source,
            )
            for p in parameters
        ],
    )


def render_agents(module: Any, kb: Any) -> str:
    """Each agent studied or approved for the disease, in model units."""
    from immunobalance.errors import ImmunobalanceError

    key = module.key
    agents = sorted(
        a.key
        for a in kb.agents.values()
        if any(ap.disease == key and ap.status != "not_effective" for ap in a.approvals)
    )
    pk_rows, pd_rows, problems = [], [], []
    for name in agents:
        try:
            ph = module.pharmacology(name)
        except ImmunobalanceError as exc:
            problems.append(f"- `{name}`: {cell(exc)}")
            continue
        f = ", ".join(f"{r} {fmt(v)}" for r, v in ph.bioavailability.items())
        pk_rows.append(
            (
                code(name),
                ph.amount_unit,
                fmt(ph.ka),
                f,
                fmt(ph.cl),
                fmt(ph.v1),
                fmt(ph.q),
                fmt(ph.v2),
                fmt(ph.vmax_tmdd),
                f"{fmt(ph.ada_rate)} / {fmt(ph.ada_rate_with_antiproliferative)} "
                f"×{fmt(ph.ada_factor)}",
            )
        )
        for x in ph.actions:
            pd_rows.append(
                (
                    code(name),
                    code(f"{ENGAGEMENT_PREFIX.get(x.effect, x.effect)}_{x.process}"),
                    fmt(x.ec50),
                    fmt(x.emax),
                    fmt(x.hill),
                    fmt(x.site_factor),
                    x.source,
                )
            )
    parts = [
        "PK in model units (typical 70-kg adult): amounts in the agent's dose unit, "
        "`ka` 1/day, `CL` and `Q` L/day, `V1` and `V2` L; target-mediated `Vmax` mg/day; "
        "ADA: incidence alone / with an antiproliferative, and the fold increase of clearance.\n\n"
        + table(
            ["agent", "amount", "ka", "F by route", "CL", "V1", "Q", "V2", "TMDD Vmax", "ADA"],
            pk_rows,
        ),
        "PD: the engagement each action feeds, its EC50 (plasma-equivalent concentration, "
        "amount unit per L), Emax, Hill coefficient and the tissue-access factor of the "
        "disease's target organ.\n\n"
        + table(["agent", "engagement", "EC50", "Emax", "Hill", "site factor", "source"], pd_rows),
    ]
    if problems:
        parts.append("Agents the engine cannot simulate yet, and why:\n\n" + "\n".join(problems))
    return "\n\n".join(parts)


def render_disease_page(module: Any, kb: Any) -> str:
    decl = module.declaration
    bdc, bdc_source = module.tissue_bdc
    pathways = table(
        ["pathway", "prior weight"],
        [(code(k), fmt(v)) for k, v in sorted(module.pathway_prior().items(), key=lambda x: -x[1])],
    )
    return "\n\n".join(
        [
            f"# Model: {module.key}",
            f"Disease module `{type(module).__module__}.{type(module).__name__}`: "
            f"{len(decl.states)} states, {len(decl.assignments)} algebraic equations, "
            f"{len(module.all_parameters)} parameters. Target-organ antibody biodistribution "
            f"coefficient {fmt(bdc)} ({cell(bdc_source)}). [All modules](../model.md).",
            "## Pathway mix (normalised prior)\n\n" + pathways,
            "## Equations\n\n" + render_declaration(decl),
            "## Parameters\n\nDynamic and read-out (measurement-model) parameters; `prior` is "
            "the between-patient distribution of virtual patients.\n\n"
            + render_parameters(module.all_parameters),
            "## Agents: PK/PD mapping\n\n" + render_agents(module, kb),
        ]
    )


def implemented_diseases() -> list[str]:
    """Disease keys whose module file has landed (in ``DISEASE_MODULES`` order)."""
    from immunobalance.model.diseases import DISEASE_MODULES

    found = []
    for key, target in DISEASE_MODULES.items():
        module_name = f"immunobalance.model.diseases.{target.split(':')[0]}"
        try:
            importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        found.append(key)
    return found


def render_model_pages() -> dict[str, str]:
    """``reference/model.md`` and one ``reference/model/<disease>.md`` per landed module."""
    from immunobalance.knowledge.loader import load_knowledge_base
    from immunobalance.model.diseases import DISEASE_MODULES, get_disease_module

    kb = load_knowledge_base()
    pages: dict[str, str] = {}
    rows = []
    for key, target in DISEASE_MODULES.items():
        module_name = f"immunobalance.model.diseases.{target.split(':')[0]}"
        try:
            importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            rows.append((code(key), "not implemented yet", "", "", ""))
            continue
        module = get_disease_module(key, kb)
        decl = module.declaration
        pages[f"reference/model/{key}.md"] = render_disease_page(module, kb) + "\n"
        rows.append(
            (
                f"[{code(key)}](model/{key}.md)",
                code(target.replace(":", ".")),
                str(len(decl.states)),
                str(len(decl.assignments)),
                str(len(module.all_parameters)),
            )
        )
    pages["reference/model.md"] = (
        INTRO
        + "\n## Disease modules\n\n"
        + table(["disease", "module", "states", "algebraic equations", "parameters"], rows)
        + "\n"
    )
    return pages
