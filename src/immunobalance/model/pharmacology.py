"""Pharmacology of every agent, read from its knowledge-base record (never from its key).

An :class:`AgentPharmacology` holds what the engine needs of one agent in model units
(days, litres, mg or cells): first-order absorption, one- or two-compartment linear
disposition, optional target-mediated elimination, anti-drug-antibody (ADA) behaviour, and the
list of *actions* — (process, effect, plasma-equivalent EC50, Emax, Hill). The kernel treats all
agents alike: concentration ``C = A_central / V1``; engagement
``e = Emax·(C/EC50)^h/(1+(C/EC50)^h)``;
inhibitory engagements on one process combine by Bliss independence ``1 − Π(1 − e)``,
depletions and activations add, infusions add cells.

Where the record lacks a number the engine needs, a documented class-typical value is used and a
note saying so is attached to the result (never silently); where it lacks something that cannot
be filled (a molar potency without molecular weight for a small molecule), the error names the
agent and field.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pint
from numpy.typing import NDArray

from immunobalance.errors import Problem, UnsupportedRegimenError
from immunobalance.knowledge.schema import Agent, ModelProcess, Sourced
from immunobalance.regimen import DosingEvents, RegimenItem, dosing_events
from immunobalance.units import parse_quantity, ureg

__all__ = [
    "EFFECT_PREFIX",
    "EFFECT_SITE_STATE",
    "PK_COLUMN",
    "PK_COLUMNS",
    "PK_STATES",
    "PROCESSES",
    "TISSUE_PROCESSES",
    "AgentPharmacology",
    "DosingTable",
    "agent_pharmacology",
    "dosing_table",
    "linear_pk_propagators",
    "patient_pk",
]

#: Model processes in kernel order (the knowledge-base vocabulary).
PROCESSES: tuple[str, ...] = ModelProcess.__args__  # type: ignore[attr-defined]
PROCESS_INDEX = {p: i for i, p in enumerate(PROCESSES)}

#: Names the model equations use for pharmacological engagement of process ``<p>``.
EFFECT_PREFIX = {"inh": "inh", "dep": "dep", "act": "act", "inf": "inf"}
EFFECT_CODE = {"inhibit": 0, "deplete": 1, "activate": 2, "expand": 2, "infuse": 3}

#: Processes engaged in the inflamed tissue: a neutralising / receptor-blocking protein acts there
#: at its interstitial concentration (plasma × biodistribution coefficient).
TISSUE_PROCESSES = frozenset({"tnf", "il6", "il1", "il17", "il12", "il23"})
_PROTEINS = frozenset(
    {
        "monoclonal_antibody",
        "antibody_fragment",
        "fusion_protein",
        "receptor_antagonist_protein",
        "cytokine",
    }
)
_IN_VITRO = frozenset({"kd", "biochemical_ic50", "cellular_ic50"})
#: Potencies measured (nearly) protein-free: for a small molecule they act on the unbound drug.
_UNBOUND_POTENCY = frozenset({"biochemical_ic50", "cellular_ic50"})

# Class-typical fallbacks (each use is reported in SimulationResult.notes).
_FALLBACK_SOURCE_MAB = "Ryman JT, Meibohm B. CPT Pharmacometrics Syst Pharmacol 2017;6:576-588"
_FALLBACK = {
    "ka_protein": (0.25, "1/day", _FALLBACK_SOURCE_MAB),
    "ka_small": (24.0, "1/day", "typical oral small molecule, tmax 1–2 h (assumption)"),
    "F_protein": (0.7, "1", _FALLBACK_SOURCE_MAB + " (sc bioavailability 50–80 %)"),
    "F_small": (0.8, "1", "typical oral small molecule (assumption)"),
    "V1_protein": (3.1, "L", "Dirks NL, Meibohm B. Clin Pharmacokinet 2010;49:633-659"),
    "mw_protein": (150000.0, "g/mol", "IgG1 molecular weight ≈ 150 kDa"),
    "ada_factor": (
        3.0,
        "1",
        "Bartelds GM et al. JAMA 2011;305:1460-8 (ADA lower trough ~10-fold); "
        "assumed 3-fold clearance",
    ),
    "cl_exp": (
        0.75,
        "1",
        "allometric theory, Anderson BJ, Holford NHG. Annu Rev Pharmacol Toxicol 2008;48:303-32",
    ),
}

#: Columns of a patient's PK row (:func:`patient_pk`), in kernel order.
PK_COLUMNS: tuple[str, ...] = ("ka", "CL", "V1", "Q", "V2", "vmax", "km", "adaf", "ke0")
#: Column of each PK-row entry, by name (the one map Python code fills and reads rows with).
PK_COLUMN: dict[str, int] = {name: i for i, name in enumerate(PK_COLUMNS)}
#: Drug states per agent in the kernel: depot, central and peripheral amounts, effect-site
#: concentration.
PK_STATES = 4
#: Position of the effect-site concentration among an agent's drug states.
EFFECT_SITE_STATE = PK_STATES - 1

#: Between-patient variability of PK (lognormal CV) applied to every agent.
PK_IIV_CV = {"CL": 0.3, "V": 0.2}
PK_IIV_SOURCE = "typical mAb population-PK IIV (Dirks & Meibohm 2010); assumption for all agents"

#: ADA onset time (days) given ADA formation: lognormal, median 84 d, CV 0.8.
ADA_ONSET_MEDIAN_DAY = 84.0
ADA_ONSET_CV = 0.8
ADA_ONSET_SOURCE = (
    "Bartelds GM et al. JAMA 2011;305:1460-8 (most anti-adalimumab antibodies appear in the "
    "first 28 weeks); distribution shape assumed"
)


@dataclass(frozen=True)
class Action:
    process: str
    effect: str
    ec50: float  # plasma-equivalent, amount_unit per litre (cells for infusions)
    emax: float  # fraction; for depletion the maximal depletion rate (1/day)
    hill: float
    site_factor: float
    source: str


@dataclass(frozen=True)
class AgentPharmacology:
    """One agent's PK/PD in model units (typical 70-kg adult)."""

    key: str
    modality: str
    amount_unit: Literal["mg", "cells", "IU"]
    routes: tuple[str, ...]
    ka: float  # 1/day
    bioavailability: dict[str, float]
    cl: float  # L/day
    v1: float  # L
    q: float  # L/day (0 for one compartment)
    v2: float  # L (1 for one compartment)
    cl_weight_exponent: float
    vmax_tmdd: float  # mg/day at baseline target load (0 if linear)
    km_tmdd: float  # mg/L
    tmdd_process: int  # process index whose load scales target-mediated elimination (-1)
    ada_rate: float
    ada_rate_with_antiproliferative: float
    ada_factor: float
    actions: tuple[Action, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)
    iu_per_mg: float | None = None  # specific activity, for IU-dosed proteins
    ke0: float = 0.0  # 1/day: effect-site equilibration rate (0 = actions follow plasma)

    @property
    def antiproliferative(self) -> bool:
        """Acts on proliferating lymphocytes (methotrexate, azathioprine…): lowers ADA to others."""
        return any(
            a.process == "lymphocyte_proliferation" and a.effect == "inhibit" for a in self.actions
        )


def _q(s: Sourced) -> pint.Quantity:
    unit = s.unit.strip()
    if unit in ("", "1", "fraction", "ratio"):
        return ureg.Quantity(s.value, "dimensionless")
    return parse_quantity(f"{s.value} {unit}")


def _fraction(s: Sourced) -> float:
    q = _q(s)
    if s.unit.strip() == "%":
        return float(s.value) / 100.0
    return float(q.to("dimensionless").magnitude)


def _unbound_fraction(
    agent: Agent, large: bool, notes: list[str], problems: list[Problem]
) -> float:
    """Plasma unbound fraction of a small molecule whose potency was measured in vitro.

    Why: biochemical and cellular IC50s are measured (nearly) free of plasma protein, but the
    PK model tracks *total* plasma concentration. A drug that is 99 % bound (teriflunomide,
    MPA, R406) would otherwise look about 30–170× more potent than it is. Proteins, cells and
    exposure-only agents return 1 (their potencies are binding constants or in-vivo values).
    """
    has_in_vitro = any(a.potency_kind in _UNBOUND_POTENCY for a in agent.actions)
    fu = agent.pk.fraction_unbound
    if large or not has_in_vitro:
        return 1.0
    where = f"agent {agent.key}.pk.fraction_unbound"
    if fu is None:
        notes.append(
            f"{where}: not in knowledge base; in-vitro potency compared with the total plasma "
            "concentration (overstates the effect of a highly bound drug)"
        )
        return 1.0
    value = _fraction(fu)
    if not 0.0 < value <= 1.0:
        problems.append(Problem(where, f"must lie in (0, 1], got {value:g}"))
        return 1.0
    return value


def agent_pharmacology(agent: Agent, tissue_bdc: float) -> AgentPharmacology:
    """Translate an agent record into model units.

    Parameters
    ----------
    agent
        Knowledge-base record.
    tissue_bdc
        Antibody biodistribution coefficient of the disease's target organ (interstitial /
        plasma concentration; Shah DK, Betts AM. mAbs 2013;5:297-305).

    Raises
    ------
    UnsupportedRegimenError
        Naming every field of the record that the engine needs and cannot fill.
    """
    pk = agent.pk
    problems: list[Problem] = []
    notes: list[str] = []
    where = f"agent {agent.key}"
    protein = agent.modality in _PROTEINS
    cells = agent.modality == "cell_therapy" or pk.model == "cell_kinetics"

    def note(field_: str, key: str) -> float:
        value, unit, source = _FALLBACK[key]
        notes.append(f"{where}: {field_} not in knowledge base; used {value:g} {unit} ({source})")
        return float(value)

    exposure_only = pk.model == "none"
    if exposure_only:
        notes.append(
            f"{where}: pk.model 'none': dose-driven exposure (amount in a nominal 1 L "
            "compartment decaying with the recorded half-life)"
        )
    half_life = float(_q(pk.half_life).to("day").magnitude)
    kel = math.log(2) / half_life

    amount_unit: Literal["mg", "cells", "IU"] = "cells" if cells else "mg"
    if cells or exposure_only:
        v1, cl, q_, v2 = 1.0, kel, 0.0, 1.0
    else:
        v1_ = _volume(pk.volume_central, where + ".pk.volume_central", problems)
        if v1_ is not None:
            v1 = v1_
        else:
            v1 = note("pk.volume_central", "V1_protein") if protein else math.nan
            if not protein:
                problems.append(
                    Problem(f"{where}.pk.volume_central", "needed for a small molecule")
                )
        v2_ = _volume(pk.volume_peripheral, where + ".pk.volume_peripheral", problems)
        qq = _flow(
            pk.intercompartmental_clearance, where + ".pk.intercompartmental_clearance", problems
        )
        two = pk.model == "two_compartment" and v2_ is not None and qq is not None
        if pk.model == "two_compartment" and not two:
            notes.append(
                f"{where}: two-compartment PK without V2/Q in the record; one compartment used"
            )
        v2 = float(v2_) if two and v2_ is not None else 1.0
        q_ = float(qq) if two and qq is not None else 0.0
        cl_ = _flow(pk.clearance, where + ".pk.clearance", problems)
        if cl_ is None:
            vss = v1 + (v2 if two else 0.0)
            cl_ = kel * vss
            notes.append(f"{where}: clearance from half-life × volume ({cl_:.3g} L/day)")
        cl = float(cl_)

    routes = tuple(agent.routes)
    needs_abs = any(r != "iv" for r in routes)
    if pk.ka is not None:
        ka = float(_q(pk.ka).to("1/day").magnitude)
    elif needs_abs:
        ka = note("pk.ka", "ka_protein" if protein or cells else "ka_small")
    else:
        ka = 1.0
    bio: dict[str, float] = {"iv": 1.0}
    for r in routes:
        if r == "iv":
            continue
        if r in pk.bioavailability:
            bio[r] = _fraction(pk.bioavailability[r])
        else:
            bio[r] = note(f"pk.bioavailability.{r}", "F_protein" if protein else "F_small")
    exp_cl = pk.weight_exponent_clearance
    if exp_cl is None:
        exp_cl = 0.0 if cells else note("pk.weight_exponent_clearance", "cl_exp")

    mw: float | None = None
    if pk.molecular_weight is not None:
        mw = float(_q(pk.molecular_weight).to("g/mol").magnitude)

    unbound = _unbound_fraction(agent, protein or cells or exposure_only, notes, problems)

    actions: list[Action] = []
    for i, a in enumerate(agent.actions):
        apath = f"{where}.actions[{i}]"
        conc = _potency_amount_per_l(
            a.potency,
            amount_unit,
            mw,
            protein or exposure_only,
            apath,
            problems,
            notes,
            exposure_only,
        )
        if conc is None:
            continue
        site = 1.0
        if (
            protein
            and a.potency_kind in _IN_VITRO
            and a.process in TISSUE_PROCESSES
            and a.effect == "inhibit"
        ):
            site = tissue_bdc
        if a.potency_kind in _UNBOUND_POTENCY:
            # free-drug hypothesis: IC50_unbound / fu is the equivalent total plasma level
            conc = conc / unbound
        emax = _emax(a, apath, problems, notes)
        actions.append(
            Action(a.process, a.effect, conc / site, emax, float(a.hill), site, a.potency.source)
        )

    vmax, km, tproc = 0.0, 1.0, -1
    if pk.target_mediated_vmax is not None and pk.target_mediated is None:
        problems.append(
            Problem(
                f"{where}.pk.target_mediated_vmax",
                "a Michaelis-Menten capacity needs its Km in pk.target_mediated",
            )
        )
    if pk.target_mediated is not None and not cells and actions:
        tq = _q(pk.target_mediated)
        dep = [a for a in actions if a.effect == "deplete"] or list(actions)
        if tq.check("[mass]/[time]"):
            # Michaelis–Menten target-mediated elimination Vmax·load·C/(Km + C), Km = EC50
            vmax, km = float(tq.to("mg/day").magnitude), dep[0].ec50
            tproc = PROCESS_INDEX[dep[0].process]
        elif _is_concentration(tq) and pk.target_mediated_vmax is not None:
            # parallel Michaelis–Menten elimination of a receptor-targeting antibody, as its
            # pop-PK model reports it: Vmax·C/(Km + C) beside the linear CL, Km the recorded
            # concentration (not the potency); the target load stays 1 (receptor expression
            # is not a model state)
            vq = _q(pk.target_mediated_vmax)
            km_q = _to_mass_per_litre(tq, mw)
            if not vq.check("[mass]/[time]") or km_q is None:
                problems.append(
                    Problem(
                        f"{where}.pk.target_mediated_vmax",
                        "needs a mass/time Vmax and a mass or molar Km in target_mediated "
                        f"(got {pk.target_mediated_vmax.unit!r} and {pk.target_mediated.unit!r})",
                    )
                )
            else:
                vmax, km = float(vq.to("mg/day").magnitude), km_q
        elif tq.check("[length]**3/[time]"):
            # target-mediated clearance proportional to the target load (e.g. CD20 B-cell sink):
            # written as Vmax/Km with Km ≫ C so that Vmax·C/(Km + C) = CL_T·C to 1e-9
            km = 1e9
            vmax = float(tq.to("L/day").magnitude) * km
            tproc = PROCESS_INDEX[dep[0].process]
        else:
            notes.append(
                f"{where}: pk.target_mediated ({pk.target_mediated.value:g} "
                f"{pk.target_mediated.unit}) gives no elimination capacity (mass/time) or "
                "clearance (volume/time); linear PK used"
            )
    ada = _fraction(pk.immunogenicity) if pk.immunogenicity is not None else 0.0
    ada_mtx = _fraction(pk.immunogenicity_with_mtx) if pk.immunogenicity_with_mtx else ada
    if pk.ada_clearance_factor is not None:
        ada_factor = float(_q(pk.ada_clearance_factor).to("dimensionless").magnitude)
    elif ada > 0:
        ada_factor = note("pk.ada_clearance_factor", "ada_factor")
    else:
        ada_factor = 1.0
    ke0 = 0.0
    if pk.effect_compartment_half_life is not None:
        ke0 = math.log(2) / float(_q(pk.effect_compartment_half_life).to("day").magnitude)
    if problems:
        raise UnsupportedRegimenProblemsError(problems)
    return AgentPharmacology(
        key=agent.key,
        modality=agent.modality,
        amount_unit=amount_unit,
        routes=routes,
        ka=ka,
        bioavailability=bio,
        cl=cl,
        v1=float(v1),
        q=q_,
        v2=v2,
        cl_weight_exponent=float(exp_cl),
        vmax_tmdd=vmax,
        km_tmdd=km,
        tmdd_process=tproc,
        ada_rate=ada,
        ada_rate_with_antiproliferative=ada_mtx,
        ada_factor=ada_factor,
        actions=tuple(actions),
        notes=tuple(notes),
        iu_per_mg=_specific_activity(agent),
        ke0=ke0,
    )


def _is_concentration(q: pint.Quantity) -> bool:
    return bool(q.check("[mass]/[length]**3") or q.check("[substance]/[length]**3"))


def _to_mass_per_litre(q: pint.Quantity, mw: float | None) -> float | None:
    """A mass or molar concentration in mg/L (molar needs the molecular weight)."""
    if q.check("[mass]/[length]**3"):
        return float(q.to("mg/L").magnitude)
    if mw is None:
        return None
    return float(q.to("mol/L").magnitude) * mw * 1000.0


def _specific_activity(agent: Agent) -> float | None:
    """IU per mg from ``pk.specific_activity`` (IU-dosed proteins such as aldesleukin)."""
    sa = getattr(agent.pk, "specific_activity", None)
    if sa is None:
        return None
    unit = sa.unit.replace(" ", "").lower()
    scale = {"iu/mg": 1.0, "miu/mg": 1e6}.get(unit)
    return float(sa.value) * scale if scale else None


#: Maximal depletion rate (1/day) per process when a depleting action's Emax is a fraction.
DEPLETION_RATE = {
    "b_cells": (
        2.0,
        "Reff ME et al. Blood 1994;83:435-45 (anti-CD20 clears circulating B cells within days)",
    ),
    "t_cells": (
        1.0,
        "Cox AL et al. Eur J Immunol 2005;35:3332-42 (alemtuzumab lymphopenia within days)",
    ),
    "plasma_cells": (0.3, "model assumption (plasma-cell depletion over 1-2 weeks)"),
}


def _emax(a: object, path: str, problems: list[Problem], notes: list[str]) -> float:
    """Emax as a fraction (inhibit/activate) or, for depletion, a maximal kill rate in 1/day."""
    from immunobalance.knowledge.schema import Action as KBAction

    assert isinstance(a, KBAction)
    if a.effect == "deplete":
        if a.emax is not None:
            q = _q(a.emax)
            if q.check("1/[time]"):
                return float(q.to("1/day").magnitude)
            frac = _fraction(a.emax)
        else:
            frac = 1.0
        rate, src = DEPLETION_RATE.get(a.process, (0.5, "model assumption"))
        notes.append(
            f"{path}: depletion Emax {frac:g} (fraction) × maximal rate {rate:g}/day ({src})"
        )
        return frac * rate
    if a.emax is None:
        return 1.0
    q = _q(a.emax)
    if not q.check("[]"):
        problems.append(
            Problem(f"{path}.emax", f"{a.emax.unit!r}: expected a fraction for effect {a.effect!r}")
        )
        return 1.0
    return _fraction(a.emax)


class UnsupportedRegimenProblemsError(UnsupportedRegimenError):
    """UnsupportedRegimenError listing every problem (path: reason)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("cannot simulate:\n" + "\n".join(f"  {p}" for p in problems))


def _volume(s: Sourced | None, path: str, problems: list[Problem]) -> float | None:
    if s is None:
        return None
    q = _q(s)
    if q.check("[length]**3"):
        return float(q.to("L").magnitude)
    if q.check("[length]**3/[mass]"):
        return float(q.to("L/kg").magnitude) * 70.0
    problems.append(Problem(path, f"{s.unit!r} is not a volume (L or L/kg)"))
    return None


def _flow(s: Sourced | None, path: str, problems: list[Problem]) -> float | None:
    if s is None:
        return None
    q = _q(s)
    if q.check("[length]**3/[time]"):
        return float(q.to("L/day").magnitude)
    if q.check("[length]**3/[time]/[mass]"):
        return float(q.to("L/day/kg").magnitude) * 70.0
    problems.append(Problem(path, f"{s.unit!r} is not a clearance (L/day, L/h or mL/h/kg)"))
    return None


def _potency_amount_per_l(
    s: Sourced,
    amount_unit: str,
    mw: float | None,
    protein: bool,
    path: str,
    problems: list[Problem],
    notes: list[str],
    exposure_only: bool = False,
) -> float | None:
    """Potency in the agent's amount unit per litre (mg/L), or cells for infused cells."""
    unit = s.unit.strip().lower()
    if amount_unit == "cells":
        if "cell" in unit:
            return float(s.value)
        notes.append(f"{path}: infusion potency {s.value:g} {s.unit} used as cells per Treg unit")
        return float(s.value)
    try:
        q = _q(s)
    except Exception:
        problems.append(Problem(f"{path}.potency.unit", f"{s.unit!r} is not a unit"))
        return None
    if q.check("[mass]/[length]**3"):
        return float(q.to("mg/L").magnitude)
    if exposure_only and q.check("[mass]"):
        return float(q.to("mg").magnitude)
    if q.check("[substance]/[length]**3"):
        if mw is None:
            if not protein:
                problems.append(
                    Problem(
                        f"{path}.potency",
                        f"molar potency {s.value:g} {s.unit} needs pk.molecular_weight",
                    )
                )
                return None
            mw = _FALLBACK["mw_protein"][0]
            notes.append(f"{path}: molar potency converted with 150 kDa (no molecular_weight)")
        return float(q.to("nmol/L").magnitude) * mw * 1e-6
    problems.append(
        Problem(
            f"{path}.potency.unit",
            f"{s.unit!r} is not a concentration (expected nM or ng/mL, mg/L)",
        )
    )
    return None


@dataclass(frozen=True)
class DosingTable:
    """All doses of a regimen, flattened for the kernel (sorted by time)."""

    agents: tuple[str, ...]
    times_day: NDArray[np.float64]  # (D,)
    agent_index: NDArray[np.int64]  # (D,)
    compartment: NDArray[np.int64]  # (D,) 0 depot, 1 central
    amount: NDArray[np.float64]  # (n, D) absorbed-able amount (dose × F)
    item_index: NDArray[np.int64]  # (D,) which regimen item
    route: tuple[str, ...]  # per dose


def dosing_table(
    regimen: Sequence[RegimenItem],
    pharm: dict[str, AgentPharmacology],
    weeks: float,
    weight_kg: NDArray[np.float64],
    height_cm: NDArray[np.float64] | None,
) -> DosingTable:
    """Resolve a regimen into doses per patient, checking routes and amount units."""
    problems: list[Problem] = []
    agents = tuple(dict.fromkeys(item.agent for item in regimen))
    rows: list[tuple[float, int, int, NDArray[np.float64], int, str]] = []
    n = np.atleast_1d(weight_kg).shape[0]
    for i, item in enumerate(regimen):
        ph = pharm[item.agent]
        if item.route not in ph.routes:
            problems.append(
                Problem(
                    f"regimen[{i}].route",
                    f"{item.agent} is not given {item.route} (label routes: "
                    f"{', '.join(ph.routes)})",
                )
            )
            continue
        evs: list[DosingEvents] = dosing_events([item], weeks, weight_kg, height_cm)
        for ev in evs:
            amount = ev.amount
            if ev.amount_unit == "IU" and ph.amount_unit == "mg" and ph.iu_per_mg:
                amount = ev.amount / ph.iu_per_mg
            elif ev.amount_unit != ph.amount_unit:
                hint = (
                    " (an IU dose needs pk.specific_activity, IU/mg, in the agent's record)"
                    if ev.amount_unit == "IU"
                    else ""
                )
                problems.append(
                    Problem(
                        f"regimen[{i}].dose",
                        f"{item.dose!r} is in {ev.amount_unit}, but {item.agent} "
                        f"is dosed in {ph.amount_unit}{hint}",
                    )
                )
                continue
            f = ph.bioavailability[item.route]
            cmt = 1 if item.route == "iv" or ph.amount_unit == "cells" else 0
            for t in ev.times_day:
                rows.append((float(t), agents.index(item.agent), cmt, amount * f, i, item.route))
    if problems:
        raise UnsupportedRegimenProblemsError(problems)
    rows.sort(key=lambda r: (r[0], r[1], r[4]))
    return DosingTable(
        agents=agents,
        times_day=np.array([r[0] for r in rows], dtype=float),
        agent_index=np.array([r[1] for r in rows], dtype=np.int64),
        compartment=np.array([r[2] for r in rows], dtype=np.int64),
        amount=(np.stack([r[3] for r in rows], axis=1) if rows else np.zeros((n, 0))),
        item_index=np.array([r[4] for r in rows], dtype=np.int64),
        route=tuple(r[5] for r in rows),
    )


def patient_pk(
    ph: AgentPharmacology,
    weight_kg: NDArray[np.float64],
    eta_cl: NDArray[np.float64],
    eta_v: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Per-patient PK row ``[ka, CL, V1, Q, V2, Vmax, Km, ADA factor, ke0]`` (days, L, mg).

    CL and Q scale as (weight/70)^exponent, volumes as (weight/70)^1 (allometry); ``eta_*`` are
    standard-normal draws scaled by :data:`PK_IIV_CV` (lognormal).
    """
    w = np.asarray(weight_kg, float) / 70.0
    s_cl = math.sqrt(math.log1p(PK_IIV_CV["CL"] ** 2))
    s_v = math.sqrt(math.log1p(PK_IIV_CV["V"] ** 2))
    cells = ph.amount_unit == "cells"
    fcl = w**ph.cl_weight_exponent * np.exp(s_cl * eta_cl)
    fv = np.ones_like(w) if cells else w * np.exp(s_v * eta_v)
    out = np.empty((w.shape[0], len(PK_COLUMNS)))
    row: dict[str, float | NDArray[np.float64]] = {
        "ka": ph.ka,
        "CL": ph.cl * fcl,
        "V1": ph.v1 * fv,
        "Q": ph.q * fcl,
        "V2": ph.v2 * fv,
        "vmax": ph.vmax_tmdd,
        "km": ph.km_tmdd,
        "adaf": ph.ada_factor,
        "ke0": ph.ke0,
    }
    for name, value in row.items():
        out[:, PK_COLUMN[name]] = value
    return out


def linear_pk_propagators(
    pk: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Eigen-decomposition of each agent's linear PK system, without and with ADA.

    The drug states ``a = (depot, central, peripheral, Ce)`` obey ``a' = M a`` with
    ``M = [[-ka, 0, 0, 0], [ka, -(CL+Q)/V1, Q/V2, 0], [0, Q/V1, -Q/V2, 0],
    [0, ke0/V1, 0, -ke0]]`` between doses (``Ce`` is the effect-site concentration; a zero
    row when ``ke0 = 0``), so ``a(t+τ) = V exp(Λτ) V⁻¹ a(t)`` exactly. Returns
    ``lam (n, K, 2, 4)``, ``V`` and ``V⁻¹`` ``(n, K, 2, 4, 4)``; index 1 of the third axis is
    the ADA-positive system (CL × factor). A coincidence of ka or ke0 with another eigenvalue
    (defective M) is avoided by moving the rate by one part in 10⁷, far below the solver
    tolerance.
    """
    n, k = pk.shape[:2]
    m = np.zeros((n, k, 2, PK_STATES, PK_STATES))

    def away(rate: NDArray[np.float64], others: list[NDArray[np.float64]]) -> NDArray[np.float64]:
        for other in others:
            close = (rate > 0) & (np.abs(rate - other) < 1e-7 * np.maximum(rate, 1e-12))
            rate = np.where(close, rate * (1.0 + 1e-7) + 1e-12, rate)
        return rate

    col = PK_COLUMN
    for a in range(2):
        cl = pk[..., col["CL"]] * (pk[..., col["adaf"]] if a == 1 else 1.0)
        v1, q, v2 = pk[..., col["V1"]], pk[..., col["Q"]], pk[..., col["V2"]]
        k10, k12, k21 = cl / v1, q / v1, q / v2
        s_ = k10 + k12 + k21
        disc = np.sqrt(np.maximum(s_ * s_ - 4.0 * k10 * k21, 0.0))
        disposition = [(s_ + disc) / 2.0, (s_ - disc) / 2.0]
        ka = away(pk[..., col["ka"]].copy(), disposition)
        ke0 = away(pk[..., col["ke0"]].copy(), [*disposition, ka])
        m[..., a, 0, 0] = -ka
        m[..., a, 1, 0] = ka
        m[..., a, 1, 1] = -(k10 + k12)
        m[..., a, 1, 2] = k21
        m[..., a, 2, 1] = k12
        m[..., a, 2, 2] = -k21
        m[..., a, 3, 1] = ke0 / v1
        m[..., a, 3, 3] = -ke0
    lam, vec = np.linalg.eig(m)
    lam = np.real(lam)
    vec = np.real(vec)
    inv = np.linalg.inv(vec)
    return np.ascontiguousarray(lam), np.ascontiguousarray(vec), np.ascontiguousarray(inv)
