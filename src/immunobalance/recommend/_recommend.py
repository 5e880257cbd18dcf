"""Recommend: candidates → safety screen → twin predictions → ranking → explanations.

Pipeline (one patient)::

    disease, population      detect_disease, choose_population (history decides the line)
    candidates               build_candidates (label regimen + guideline background)
    safety                   screen_regimen per candidate (contraindicated: never ranked)
    outcomes                 OutcomeCache: population outcomes per regimen (simulated if missing)
    twin                     patient_evidence + build_twin (reweighting, no simulation)
    ranking                  expected utility, rank_allowed
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from immunobalance.config import get_settings
from immunobalance.errors import InvalidInputError, Problem, UnsupportedRegimenError
from immunobalance.knowledge.loader import KnowledgeBase, load_knowledge_base
from immunobalance.patient.model import Patient
from immunobalance.population._history import failed_classes as population_history
from immunobalance.recommend._candidates import (
    Candidate,
    LineOfTherapy,
    NotOffered,
    build_candidates,
    choose_population,
    line_of_therapy,
)
from immunobalance.recommend._explain import (
    MECHANISM_LABEL,
    MIN_INFLUENCE,
    evidence_lines,
    fmt_probability,
    influence_reason,
    warning_lines,
)
from immunobalance.recommend._utility import UtilityWeights, expected_utility
from immunobalance.regimen import RegimenItem
from immunobalance.safety import SafetyAssessment, Status, rank_allowed, screen_regimen
from immunobalance.twin import (
    DEFAULT_ESS_FLOOR,
    TwinEnsemble,
    WeightedProbability,
    build_twin,
    patient_evidence,
    weighted_quantiles,
)
from immunobalance.twin._endpoints import ACTIVITY_LABEL, PrimaryEndpoint, primary_endpoint
from immunobalance.twin._outcomes import (
    BASELINE,
    OutcomeCache,
    OutcomeKey,
    RegimenOutcomes,
    simulate_baseline,
    simulate_outcomes,
)

__all__ = [
    "DEFAULT_N",
    "DEFAULT_SEED",
    "Option",
    "Prediction",
    "Recommendation",
    "default_cache",
    "prebuild",
    "recommend",
]

#: Virtual patients per population in a twin (cold cost grows linearly; ESS ≤ n).
DEFAULT_N = 1000
#: Seed of the twin's virtual population and of every simulation behind it.
DEFAULT_SEED = 20261121
_BAND = (0.1, 0.5, 0.9)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Prediction:
    """The twin's prediction for one option."""

    endpoint: PrimaryEndpoint
    benefit: WeightedProbability
    population_benefit: WeightedProbability
    serious_infection: WeightedProbability
    utility: float
    times_week: NDArray[np.float64]
    band: NDArray[np.float64]  # (3, t): 10th, 50th, 90th weighted percentiles of activity


@dataclass
class Option:
    """One regimen with its safety status, prediction and explanation."""

    candidate: Candidate
    status: Status
    safety: SafetyAssessment | None
    prediction: Prediction | None = None
    rank: int | None = None
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    excluded_by: list[dict[str, str]] = field(default_factory=list)
    learned: dict[str, Any] | None = None

    @property
    def utility(self) -> float:
        return self.prediction.utility if self.prediction is not None else float("-inf")

    def regimen_json(self) -> list[dict[str, Any]]:
        out = []
        for item in self.candidate.regimen:
            d: dict[str, Any] = {"agent": item.agent, "dose": item.dose}
            if item.every is not None:
                d["every"] = item.every
            if item.at_weeks is not None:
                d["at_weeks"] = list(item.at_weeks)
            d["route"] = item.route
            if item.start_week:
                d["start_week"] = item.start_week
            if item.until_week is not None:
                d["until_week"] = item.until_week
            out.append(d)
        return out

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rank": self.rank,
            "regimen": self.regimen_json(),
            "status": self.status,
        }
        if self.prediction is not None:
            p = self.prediction
            out["predicted"] = {
                "endpoint": p.endpoint.key,
                "outcome": p.endpoint.description,
                "probability": round(p.benefit.probability, 4),
                "ci95": [round(x, 4) for x in p.benefit.ci95],
                "population_probability": round(p.population_benefit.probability, 4),
                "serious_infection": {
                    "endpoint": p.endpoint.risk_key,
                    "probability": round(p.serious_infection.probability, 4),
                    "ci95": [round(x, 4) for x in p.serious_infection.ci95],
                },
                "utility": round(p.utility, 4),
            }
        out["reasons"] = list(self.reasons)
        out["warnings"] = list(self.warnings)
        out["evidence"] = list(self.evidence)
        if self.excluded_by:
            out["excluded_by"] = list(self.excluded_by)
        if self.learned is not None:
            out["learned"] = self.learned
        return out


@dataclass
class Recommendation:
    """Everything ``recommend`` found for one patient (``to_json`` is the contract's JSON)."""

    patient: Patient
    disease: str
    population: str
    endpoint: PrimaryEndpoint
    line: LineOfTherapy
    twin: TwinEnsemble
    options: list[Option]
    not_offered: list[NotOffered]
    calibration_version: str
    n: int
    seed: int
    cache_hits: int = 0
    cache_misses: int = 0

    @property
    def ranked(self) -> list[Option]:
        return [o for o in self.options if o.rank is not None]

    def to_json(self) -> dict[str, Any]:
        t = self.twin
        return {
            "patient": self.patient.id,
            "disease": self.disease,
            "population": self.population,
            "line_of_therapy": self.line.text,
            "options": [o.to_json() for o in self.options],
            "not_offered": [
                {"agent": x.agent, "status": x.status, "reason": x.reason, "source": x.source}
                for x in self.not_offered
            ],
            "twin": {
                "n": t.n,
                "ess": round(t.ess, 1),
                "ess_full_likelihood": round(t.ess_full, 1),
                "likelihood_exponent": round(t.beta, 4),
                "fallback": t.fallback,
                "observations_used": [e.text for e in t.evidence],
                "notes": list(t.notes),
                "calibration_version": self.calibration_version,
                "seed": self.seed,
                "activity": ACTIVITY_LABEL.get(self.disease),
            },
        }


def default_cache() -> OutcomeCache:
    """The cache under ``settings.cache_dir / "twin"``."""
    return OutcomeCache(get_settings().cache_dir / "twin")


def _source() -> Any:
    from immunobalance.trials.cohort import default_cohort_source

    return default_cohort_source()


def _history(patient: Patient, kb: KnowledgeBase) -> tuple[set[str], set[str]]:
    failed = {
        m.agent
        for m in patient.medications
        if m.outcome in ("inadequate_response", "loss_of_response") and m.agent in kb.agents
    }
    advanced = {
        kb.agents[a].drug_class
        for a in failed
        if kb.agents[a].is_biologic or kb.agents[a].drug_class.endswith("_inhibitor")
    }
    return failed, advanced


def _favourable(endpoint: PrimaryEndpoint, values: NDArray[np.float64]) -> NDArray[np.float64]:
    return (
        values
        if endpoint.favourable == "event"
        else np.where(np.isfinite(values), 1.0 - values, np.nan)
    )


def recommend(
    patient: Patient,
    *,
    kb: KnowledgeBase | None = None,
    n: int = DEFAULT_N,
    seed: int = DEFAULT_SEED,
    cache: OutcomeCache | None = None,
    source: Any = None,
    learned_model: Path | str | None = None,
    ess_floor: float = DEFAULT_ESS_FLOOR,
    weights: UtilityWeights | None = None,
    progress: Progress | None = None,
) -> Recommendation:
    """Ranked, explained, safety-screened regimens for ``patient``.

    Parameters
    ----------
    patient
        The validated patient.
    kb
        Knowledge base (default: bundled).
    n, seed
        Size and seed of the virtual population behind the twin.
    cache
        Outcome cache (default: :func:`default_cache`); missing entries are simulated (cold).
    source
        Virtual-cohort source (default: the calibrated population's, else the priors).
    learned_model
        Directory of a model written by ``immunobalance learn``: its prediction is added as a
        separate ``learned`` field and never changes status or rank.
    ess_floor
        Twin ESS floor before the likelihood is tempered.
    weights
        Utility weights (:class:`~immunobalance.recommend.UtilityWeights`).
    progress
        Called with a message before each simulation (cold path).

    Raises
    ------
    InvalidInputError
        If the record codes no index disease, or ``n`` is not positive.
    """
    from immunobalance.indices.assess import detect_disease, index_disease_codes

    kb = kb or load_knowledge_base()
    problems = []
    if n < 1:
        problems.append(Problem("n", f"must be a positive number of virtual patients, got {n}"))
    disease = detect_disease(patient)
    if disease is None:
        problems.append(
            Problem(
                "conditions",
                f"no condition codes an index disease (expected ICD-10-CM {index_disease_codes()})",
            )
        )
    if problems:
        raise InvalidInputError(problems, what="recommendation request")
    assert disease is not None
    population = choose_population(patient, disease, kb)
    endpoint = primary_endpoint(disease, population)
    line = line_of_therapy(patient, disease, population, kb)
    candidates, not_offered = build_candidates(patient, disease, population, kb)
    cache = cache or default_cache()
    source = source if source is not None else _source()
    calibration = str(getattr(source, "calibration_version", "unknown"))
    failed, failed_classes = _history(patient, kb)
    codes = (endpoint.key, endpoint.risk_key)

    def key(regimen: Sequence[RegimenItem], ends: tuple[str, ...] = codes) -> OutcomeKey:
        return OutcomeKey(disease, population, tuple(regimen), calibration, n, seed, ends)

    hits = misses = 0

    def outcomes_for(c: Candidate) -> RegimenOutcomes:
        nonlocal hits, misses

        def compute() -> RegimenOutcomes:
            if progress:
                progress(f"simulating {n} virtual patients under {' + '.join(c.agents)}")
            return simulate_outcomes(
                disease, population, c.regimen, endpoint, n=n, seed=seed, source=source
            )

        out, cached = cache.get_or_compute(key(c.regimen), compute)
        hits, misses = hits + cached, misses + (not cached)
        return out

    options: list[Option] = []
    for c in candidates:
        if c.excluded is not None:
            options.append(
                Option(
                    c,
                    "contraindicated",
                    None,
                    reasons=[c.excluded],
                    excluded_by=[
                        {
                            "rule_id": "history-intolerance",
                            "fact": c.excluded,
                            "source": "patient record",
                        }
                    ],
                )
            )
            continue
        safety = screen_regimen(patient, list(c.regimen), kb)
        options.append(Option(c, safety.status, safety))

    simulated: dict[str, RegimenOutcomes] = {}
    errors: dict[str, str] = {}
    by_agent = {c.agent: c for c in candidates}
    wanted = [o.candidate for o in options if o.status != "contraindicated"]
    wanted += [by_agent[a] for a in sorted(failed) if a in by_agent]
    for c in wanted:
        if c.agent in simulated or c.agent in errors:
            continue
        try:
            simulated[c.agent] = outcomes_for(c)
        except (UnsupportedRegimenError, InvalidInputError) as exc:
            errors[c.agent] = str(exc).splitlines()[0]

    base_key = key((), (BASELINE,))
    baseline, cached = cache.get_or_compute(
        base_key, lambda: simulate_baseline(disease, population, n=n, seed=seed, source=source)
    )
    hits, misses = hits + cached, misses + (not cached)
    responses = {
        a: _favourable(endpoint, out.endpoints[endpoint.key])
        for a, out in simulated.items()
        if a in failed
    }
    background = {
        str(i.get("agent")) for i in kb.population(disease, population).background_therapy
    }
    selected = {c.drug_class: c.fraction for c in population_history(disease, population, kb)}
    evidence, notes = patient_evidence(
        patient,
        disease,
        baseline.features,
        kb,
        responses=responses,
        ignore_history=frozenset(background),
        selected_history={
            a: selected[kb.agent(a).drug_class]
            for a in responses
            if kb.agent(a).drug_class in selected
        },
    )
    ok = baseline.ok.copy()
    twin = build_twin(evidence, n, ok=ok, ess_floor=ess_floor, notes=notes)

    pop_label = population.replace("_", " ")
    twin_line = (
        f"twin: {n} virtual patients of the {pop_label} population (calibration "
        f"{calibration}, seed {seed}); effective sample size {twin.ess:.0f}"
    )
    for o in options:
        c = o.candidate
        if o.status == "contraindicated":
            if o.safety is not None:
                o.reasons = [f.message for f in o.safety.findings if f.outcome == "contraindicated"]
                o.excluded_by = [
                    {"rule_id": f.rule_id, "fact": f.fact, "source": f.source}
                    for f in o.safety.findings
                    if f.outcome == "contraindicated"
                ]
                o.warnings = warning_lines(o.safety)
            o.evidence = evidence_lines(c.agents, disease, kb)
            continue
        assert o.safety is not None
        o.warnings = warning_lines(o.safety)
        o.evidence = evidence_lines(c.agents, disease, kb, [*line.sources, twin_line])
        out = simulated.get(c.agent)
        if out is None:
            o.reasons = [f"no prediction: {errors.get(c.agent, 'not simulated')}", *c.notes]
            continue
        benefit_values = _favourable(endpoint, out.endpoints[endpoint.key])
        risk_values = out.endpoints[endpoint.risk_key]
        ok_both = out.ok & ok
        benefit_values = np.where(ok_both, benefit_values, np.nan)
        benefit = twin.probability(benefit_values)
        pop_benefit = twin.population_probability(benefit_values)
        risk = twin.probability(np.where(ok_both, risk_values, np.nan))
        agent = kb.agents[c.agent]
        n_caution = sum(1 for f in o.safety.findings if f.outcome == "caution")
        same_agent = c.agent in failed
        same_class = (not same_agent) and agent.drug_class in failed_classes
        utility = expected_utility(
            benefit.probability,
            risk.probability,
            n_cautions=n_caution,
            failed_agent=same_agent,
            failed_class=same_class,
            weights=weights,
        )
        band = weighted_quantiles(out.activity, np.where(out.ok, twin.weights, 0.0), _BAND)
        o.prediction = Prediction(
            endpoint, benefit, pop_benefit, risk, utility, out.times_week, band
        )
        mechanism = MECHANISM_LABEL.get(agent.drug_class, agent.name)
        reasons = [
            f"predicted {endpoint.description}: {fmt_probability(benefit)} for this "
            f"patient's twin vs {100 * pop_benefit.probability:.0f} % in the {pop_label} "
            "population"
        ]
        reasons += [
            influence_reason(i, mechanism)
            for i in twin.influences(benefit_values)[:3]
            if abs(i.delta) >= MIN_INFLUENCE
        ]
        if same_agent:
            reasons.append(
                f"down-ranked: the patient already had an inadequate or lost response to {c.agent}"
            )
        if same_class:
            reasons.append(
                f"down-ranked: another {agent.drug_class.replace('_', ' ')} after one "
                "failed (switching mechanism is favoured)"
            )
        reasons.append(
            f"predicted serious infection by week {endpoint.week:g}: {fmt_probability(risk)}"
        )
        if n_caution:
            reasons.append(f"{n_caution} caution finding(s) lower its utility (see warnings)")
        if twin.fallback:
            reasons.append(twin.fallback)
        reasons += list(c.notes)
        o.reasons = reasons

    ranked = rank_allowed(options, score=lambda o: o.utility, status=lambda o: o.status)
    for r in ranked:
        r.option.rank = r.rank
    ordered = [r.option for r in ranked]
    if learned_model is not None:
        _add_learned(ordered, patient, learned_model)
    return Recommendation(
        patient,
        disease,
        population,
        endpoint,
        line,
        twin,
        ordered,
        not_offered,
        calibration,
        n,
        seed,
        hits,
        misses,
    )


def _add_learned(options: Sequence[Option], patient: Patient, model_dir: Path | str) -> None:
    """Attach the learned model's prediction to each option whose agent it knows (display only)."""
    from immunobalance.learn import ANY_TREATMENT, load_model, predict_response

    model = load_model(model_dir)
    levels = set(model.card.treatment_levels or [])
    for o in options:
        if model.card.treatment_column is None:
            wanted: list[str] = []
            label = ANY_TREATMENT
        elif o.candidate.agent in levels:
            wanted = [o.candidate.agent]
            label = o.candidate.agent
        else:
            continue
        pred = predict_response(model, patient, wanted)[label]
        o.learned = pred.model_dump(mode="json")


def prebuild(
    disease: str,
    *,
    populations: Sequence[str] | None = None,
    kb: KnowledgeBase | None = None,
    n: int = DEFAULT_N,
    seed: int = DEFAULT_SEED,
    cache: OutcomeCache | None = None,
    source: Any = None,
    progress: Progress | None = None,
) -> tuple[int, int]:
    """Simulate and cache every candidate regimen of ``disease`` (all its populations).

    Candidates are those of a patient with no treatment history (history only removes
    background agents the patient did not tolerate). Returns ``(computed, already_cached)``.
    """
    from immunobalance.patient.model import Patient as _Patient

    kb = kb or load_knowledge_base()
    kb.disease(disease)
    cache = cache or default_cache()
    source = source if source is not None else _source()
    calibration = str(getattr(source, "calibration_version", "unknown"))
    pops = list(populations) if populations else [k for (d, k) in kb.populations if d == disease]
    blank = _Patient(id="prebuild")
    computed = cached_n = 0
    for pop in pops:
        kb.population(disease, pop)
        endpoint = primary_endpoint(disease, pop)
        codes = (endpoint.key, endpoint.risk_key)
        candidates, _ = build_candidates(blank, disease, pop, kb)
        base_key = OutcomeKey(disease, pop, (), calibration, n, seed, (BASELINE,))
        jobs: list[tuple[OutcomeKey, Callable[[], RegimenOutcomes], str]] = [
            (
                base_key,
                partial(simulate_baseline, disease, pop, n=n, seed=seed, source=source),
                "baseline",
            )
        ]
        for c in candidates:
            k = OutcomeKey(disease, pop, c.regimen, calibration, n, seed, codes)
            job = partial(
                simulate_outcomes, disease, pop, c.regimen, endpoint, n=n, seed=seed, source=source
            )
            jobs.append((k, job, " + ".join(c.agents)))
        for k, compute, label in jobs:
            if cache.get(k) is not None:
                cached_n += 1
                continue
            if progress:
                progress(f"{disease}/{pop}: {label}")
            try:
                cache.put(k, compute())
                computed += 1
            except (UnsupportedRegimenError, InvalidInputError) as exc:
                if progress:
                    progress(f"  skipped: {str(exc).splitlines()[0]}")
    return computed, cached_n
