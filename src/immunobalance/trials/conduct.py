"""Trial conduct: who leaves randomised treatment, when and why, and how they are analysed.

Published trials analyse binary endpoints with non-responder imputation (NRI): a patient who
discontinued (adverse event, serious infection, lack of efficacy / early escape to rescue, other
withdrawal) before the assessment counts as a non-responder. Virtual trials must do the same or
their response rates are not comparable with the calibration trials. This module is the
parameterised layer that decides discontinuation for every virtual patient; the population /
calibration layer fits its population-level parameters (:class:`TrialConduct`).

Discontinuation is a competing-risks draw per patient, from counter-based random streams keyed
on (seed, patient index) (:mod:`immunobalance.model.random`), so it is identical whatever the
chunking, and a patient's uniforms are shared across arms (common random numbers: arms differ
only by their regimen).

* **Adverse events.** Each agent's knowledge-base ``discontinuation_ae`` (fraction of patients
  stopping for adverse reactions in a controlled period, with that period's length and its
  control arm's fraction where the source gives them) becomes an *excess* hazard over its own
  control arm, max(λ_agent − λ_control, 0), with λ = −ln(1 − p) / T and T the source's period
  (``ae_reference_weeks`` where unstated). A source without a control figure is compared with
  the generic placebo fraction ``placebo_ae_fraction``. A placebo arm has the background hazard
  λ₀ of ``placebo_ae_fraction``; combination arms add the excess hazards of all their agents
  (risks accumulate). Comparing with the source's own control matters: belimumab's 6.2 % is
  below its placebo arm's 7.1 %, so it adds nothing, where set beside a generic 3 % it would
  have added four discontinuations per hundred patient-years. Agents without a curated figure
  add ``default_excess_ae_fraction``. Background therapy (agents the population names as
  background, or agents whose knowledge-base use is ``background``) adds nothing: patients
  enter the trial already tolerating it.
* **Serious infections.** The first simulated serious infection ends randomised treatment with
  probability ``discontinue_on_serious_infection``.
* **Lack of efficacy.** :class:`EfficacyRule` s (early escape) move patients who have not improved
  at a given week to rescue; they are non-responders afterwards.
* **Other withdrawal** (consent, protocol deviations, loss to follow-up): a constant hazard
  ``other_dropout_per_year``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from immunobalance.errors import InvalidInputError, Problem
from immunobalance.model import random as rnd
from immunobalance.regimen import RegimenItem

__all__ = [
    "DISCONTINUATION_REASONS",
    "WEEKS_PER_YEAR",
    "EfficacyRule",
    "TrialConduct",
    "arm_ae_hazard_per_week",
    "background_agents",
    "default_trial_conduct",
    "discontinuation",
]

#: Reasons a virtual patient leaves randomised treatment ("" = completed).
DISCONTINUATION_REASONS = ("adverse_event", "serious_infection", "lack_of_efficacy", "other")

#: Weeks in a Julian year (rates are per patient-year).
WEEKS_PER_YEAR = 365.25 / 7.0

_AE_SOURCE = (
    "placebo arms of the placebo-controlled RA studies: 4 % (Humira USPI 2021 §6.1, Studies I-IV) "
    "and 2.2 % (Orencia USPI, placebo-controlled RA trials); midpoint 3 %"
)


@dataclass(frozen=True)
class EfficacyRule:
    """Early escape: at ``week``, a patient whose improvement is below ``min_improvement_pct``
    in every one of ``readouts`` (vs baseline) leaves randomised treatment for rescue therapy.

    Parameters
    ----------
    week
        Assessment week of the rule.
    readouts
        Read-out keys that must all fail to improve (e.g. ``("TJC68", "SJC66")``).
    min_improvement_pct
        Required percentage improvement from baseline, ``100·(b − x)/b``.
    source
        The trial design this rule follows.
    """

    week: float
    readouts: tuple[str, ...]
    min_improvement_pct: float
    source: str


@dataclass(frozen=True)
class TrialConduct:
    """Population-level parameters of trial conduct (defaults are documented assumptions).

    Parameters
    ----------
    placebo_ae_fraction
        Fraction discontinuing for adverse events on placebo over ``ae_reference_weeks``.
    ae_reference_weeks
        Length of the period of ``placebo_ae_fraction``, and of any ``discontinuation_ae``
        record whose source does not state its own (most are 24–52-week placebo-controlled
        periods; 26 weeks assumed).
    default_excess_ae_fraction
        Excess AE discontinuation of a treatment agent without a curated figure.
    other_dropout_per_year
        Hazard of withdrawal for other reasons, per patient-year.
    discontinue_on_serious_infection
        Probability that a serious infection ends randomised treatment (1 = always; most
        protocols interrupt biologics at a serious infection, a conservative choice for NRI).
    efficacy_rules
        Early-escape rules.
    continuous_imputation
        How mean endpoints treat discontinued patients: ``"locf"`` (last on-treatment
        observation carried forward) or ``"bocf"`` (baseline carried forward).
    version
        Name of this parameter set (manifest; the calibration layer names its fits).
    """

    placebo_ae_fraction: float = 0.03
    ae_reference_weeks: float = 26.0
    default_excess_ae_fraction: float = 0.02
    other_dropout_per_year: float = 0.05
    discontinue_on_serious_infection: float = 1.0
    efficacy_rules: tuple[EfficacyRule, ...] = ()
    continuous_imputation: Literal["locf", "bocf"] = "locf"
    version: str = "defaults-1"
    sources: Mapping[str, str] = field(
        default_factory=lambda: {
            "placebo_ae_fraction": _AE_SOURCE,
            "ae_reference_weeks": "assumption (typical placebo-controlled label period)",
            "default_excess_ae_fraction": "assumption; calibrated at population level",
            "other_dropout_per_year": "assumption; calibrated at population level",
            "discontinue_on_serious_infection": "assumption (conservative NRI)",
        }
    )

    def __post_init__(self) -> None:
        problems = []
        for name in ("placebo_ae_fraction", "default_excess_ae_fraction"):
            v = getattr(self, name)
            if not 0 <= v < 1:
                problems.append(Problem(name, f"expected a fraction in [0, 1), got {v}"))
        if not 0 <= self.discontinue_on_serious_infection <= 1:
            problems.append(Problem("discontinue_on_serious_infection", "expected a probability"))
        if not self.ae_reference_weeks > 0:
            problems.append(Problem("ae_reference_weeks", "expected > 0 weeks"))
        if not self.other_dropout_per_year >= 0:
            problems.append(Problem("other_dropout_per_year", "expected ≥ 0 per year"))
        for i, rule in enumerate(self.efficacy_rules):
            if rule.week <= 0 or not rule.readouts:
                problems.append(Problem(f"efficacy_rules[{i}]", "expected week > 0 and readouts"))
        if self.continuous_imputation not in ("locf", "bocf"):
            problems.append(Problem("continuous_imputation", "expected 'locf' or 'bocf'"))
        if problems:
            raise InvalidInputError(problems, what="trial conduct")

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (result JSON and manifest)."""
        out = asdict(self)
        out["sources"] = dict(self.sources)
        return out


#: Early escape in RA: patients without ≥ 20 % improvement in both tender and swollen joint
#: counts at week 16 are rescued (e.g. ORAL Standard, van Vollenhoven RF et al. N Engl J Med
#: 2012;367:508-19, advancement at month 3 for < 20 % improvement in both counts; RA-BEAM,
#: Taylor PC et al. N Engl J Med 2017;376:652-62, rescue from week 16).
RA_EARLY_ESCAPE = EfficacyRule(
    week=16.0,
    readouts=("TJC68", "SJC66"),
    min_improvement_pct=20.0,
    source="ORAL Standard (NEJM 2012;367:508) and RA-BEAM (NEJM 2017;376:652) early escape",
)


def default_trial_conduct(disease: str) -> TrialConduct:
    """Conduct defaults of a disease: RA trials have early escape; the others none by default."""
    if disease == "rheumatoid_arthritis":
        return TrialConduct(efficacy_rules=(RA_EARLY_ESCAPE,))
    return TrialConduct()


def background_agents(disease: str, population: str) -> frozenset[str]:
    """Agents that are background therapy in this population (no excess AE discontinuation)."""
    from immunobalance.knowledge import load_knowledge_base

    kb = load_knowledge_base()
    pop = kb.population(disease, population)
    named = {str(item.get("agent")) for item in pop.background_therapy if item.get("agent")}
    named |= {a.key for a in kb.agents.values() if a.therapeutic_use == "background"}
    return frozenset(named)


def _hazard_per_week(fraction: float, weeks: float) -> float:
    return -math.log1p(-fraction) / weeks


def arm_ae_hazard_per_week(
    regimen: Sequence[RegimenItem], background: frozenset[str], conduct: TrialConduct
) -> float:
    """Hazard (per week) of discontinuing for adverse events on this arm's regimen.

    λ = λ₀ + Σ_agents excess(agent) over the non-background agents (see module docstring).
    """
    from immunobalance.knowledge import load_knowledge_base

    kb = load_knowledge_base()
    base = _hazard_per_week(conduct.placebo_ae_fraction, conduct.ae_reference_weeks)
    total = base
    for agent_key in dict.fromkeys(item.agent for item in regimen):
        if agent_key in background:
            continue
        record = kb.agent(agent_key).discontinuation_ae
        if record is None:
            fraction = min(conduct.placebo_ae_fraction + conduct.default_excess_ae_fraction, 0.99)
            total += _hazard_per_week(fraction, conduct.ae_reference_weeks) - base
            continue
        weeks = record.weeks if record.weeks is not None else conduct.ae_reference_weeks
        control = (
            _hazard_per_week(record.comparator, weeks) if record.comparator is not None else base
        )
        total += max(_hazard_per_week(record.value, weeks) - control, 0.0)
    return total


def _improvement_failed(
    rule: EfficacyRule,
    readouts: Mapping[str, NDArray[np.float64]],
    times_week: NDArray[np.float64],
) -> NDArray[np.bool_]:
    """True where every read-out of the rule improved by less than the required percentage."""
    problems = [
        Problem(f"efficacy_rules.{k}", "read-out not simulated for this disease")
        for k in rule.readouts
        if k not in readouts
    ]
    j = int(np.searchsorted(times_week, rule.week - 1e-9))
    if j >= times_week.size or abs(times_week[j] - rule.week) > 1e-9:
        problems.append(Problem("efficacy_rules.week", f"week {rule.week:g} is not a visit"))
    if problems:
        raise InvalidInputError(problems, what="trial conduct")
    failed = np.ones(next(iter(readouts.values())).shape[0], dtype=bool)
    for key in rule.readouts:
        b, x = readouts[key][:, 0], readouts[key][:, j]
        with np.errstate(invalid="ignore"):
            improved = (b > 0) & ((b - x) * 100.0 >= rule.min_improvement_pct * b)
        failed &= ~improved
    return failed


def discontinuation(
    *,
    conduct: TrialConduct,
    ae_hazard_per_week: float,
    first_serious_infection_week: NDArray[np.float64],
    readouts: Mapping[str, NDArray[np.float64]],
    times_week: NDArray[np.float64],
    horizon_weeks: float,
    seed: int,
    patient_index: NDArray[np.int64],
) -> tuple[NDArray[np.float64], NDArray[np.int8]]:
    """When each patient leaves randomised treatment, and why.

    Parameters
    ----------
    conduct
        Conduct parameters.
    ae_hazard_per_week
        The arm's AE hazard (:func:`arm_ae_hazard_per_week`).
    first_serious_infection_week
        Week of each patient's first serious infection (``inf`` if none), shape ``(n,)``.
    readouts
        Simulated read-outs ``(n, t)`` at ``times_week`` (column 0 = baseline), for efficacy rules.
    times_week
        Visit weeks.
    horizon_weeks
        End of the trial; later discontinuations are ``inf`` (completed).
    seed, patient_index
        Keys of the counter-based random streams.

    Returns
    -------
    week, reason
        Discontinuation week (``inf`` = completed) and reason code, an index into
        :data:`DISCONTINUATION_REASONS` (−1 = completed).
    """
    n = patient_index.shape[0]
    e = rnd.exponentials(seed, "conduct:withdrawal", patient_index, [0, 1])
    u = rnd.uniforms(seed, "conduct:infection_stop", patient_index, [0])[:, 0]
    candidates = np.full((n, 4), np.inf)
    if ae_hazard_per_week > 0:
        candidates[:, 0] = e[:, 0] / ae_hazard_per_week
    stops = u < conduct.discontinue_on_serious_infection
    candidates[:, 1] = np.where(stops, first_serious_infection_week, np.inf)
    for rule in conduct.efficacy_rules:
        if rule.week <= horizon_weeks:
            failed = _improvement_failed(rule, readouts, times_week)
            candidates[:, 2] = np.minimum(candidates[:, 2], np.where(failed, rule.week, np.inf))
    if conduct.other_dropout_per_year > 0:
        candidates[:, 3] = e[:, 1] / (conduct.other_dropout_per_year / WEEKS_PER_YEAR)
    week = candidates.min(axis=1)
    reason = candidates.argmin(axis=1).astype(np.int8)
    done = ~(week <= horizon_weeks)
    week[done] = np.inf
    reason[done] = -1
    return week, reason
