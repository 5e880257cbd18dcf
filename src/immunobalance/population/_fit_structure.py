"""Stage 0 of calibration: the structural population parameters of each disease.

Two population-level quantities shape the *distribution* of responses to any targeted agent
and cannot be identified from control arms alone:

* ``pathway_cv`` — how much patients differ in which pathway drives their disease (the
  between-patient lognormal CV of the pathway weights). Small: every patient responds about
  equally to a TNF blocker (many reach ACR20, few ACR70); large: deep responders and
  non-responders side by side, as trials show.
* ``K_act`` (typical value) — the activation level giving half-maximal effector expansion, i.e.
  how close the disease's T-cell loop sits to its tolerance switch: how easily upstream agents
  (co-stimulation block, B-cell depletion, trafficking block) collapse it.

Some diseases have one disease-level parameter that their rows identify better than any source
fixes (:data:`DISEASE_PARAMETER_GRID`), searched after the other two: for T1D and MS a
natural-history rate (``k_beta``, ``arr0``: their control rows are event endpoints the placebo
model cannot move); for psoriasis how necessary IL-17 is to the keratinocyte programme
(``g_kc_il17``: the literature shows the necessity, not its size, and it is what sets IL-17
blockade beside IL-23 and TNF blockade).

``pathway_cv`` × ``K_act`` are searched per disease on a full grid, then the disease parameter
at the best point, then the visit-noise scale (``noise_scale``: one multiplier of every
read-out's visit-to-visit SD, so how much of a response threshold is crossed by noise rather than
by disease change; the placebo model refitted at each value where there is one), then the
between-patient CV of ``K_act`` (``spread.K_act``: do
patients sit at different distances from the switch, so that one agent collapses the loop in
some and not in others?), then for MS the between-patient CV of the relapse propensity
``arr0`` at a fixed population mean (:data:`DISEASE_SPREAD_GRID`: how overdispersed relapse
counts are, which the share relapsing identifies beside the relapse rate), then the
between-patient SD of the placebo parameters (with the
placebo model refitted at each value: a wider spread gives the few deep placebo responders
that ACR50/70 and PASI90 control arms show). The placebo model is fitted once beforehand (stage 1,
:func:`._fit.fit_calibration`: drug-free control arms depend on these parameters only through
which candidates are accepted, every patient staying at its exact untreated equilibrium) and
refitted at the chosen point; at each grid point every calibration row of the disease is
predicted with common random numbers and the point is scored by

    S = Σ_rows (pred − pub)² + Σ_active rows ((pred − pred_c) − (pub − pub_c))²

(proportions in percentage points; rates and means as relative error in percent, each with
weight 1/4: they are fewer and noisier). A point is admissible only if at least
``MIN_STABLE_SHARE`` of 300 prior candidates have a stable untreated equilibrium under it
(:func:`stable_share`); an inadmissible point is chosen only when every point is, since below
that share most cohort slots fall back to unstable patients and the score would reward the
artefact. The best point is kept; stage 2 (pathway multipliers,
:func:`._fit.fit_pathway_multipliers`) then runs on top of it. Agent PK and potency are never
touched. The grid and every point's score are stored in the calibration's ``meta``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from immunobalance.model import get_disease_module
from immunobalance.population._calibration import Calibration, DiseaseCalibration
from immunobalance.population._rows import calibration_rows, rows_by_trial
from immunobalance.population._validate import validate_calibration

__all__ = [
    "COARSE_GRIDS",
    "DISEASE_SPREAD_GRID",
    "K_ACT_CV_GRID",
    "K_ACT_GRID",
    "MIN_STABLE_SHARE",
    "NOISE_SCALE_GRID",
    "PATHWAY_CV_GRID",
    "PLACEBO_SD_GRID",
    "StructurePoint",
    "fit_structure",
    "fit_structures",
    "median_at_fixed_mean",
    "score_rows",
]

#: Candidate between-patient CVs of the pathway weights (the declared prior is 0.5).
PATHWAY_CV_GRID: tuple[float, ...] = (0.5, 1.0, 1.5, 2.5, 4.0, 6.0)
#: Candidate typical K_act (the declared prior 0.6; bounds 0.3–0.9).
K_ACT_GRID: tuple[float, ...] = (0.4, 0.5, 0.6, 0.7, 0.8)
#: One disease-level parameter per disease that its rows identify and no source fixes (module
#: docstring): natural-history rates whose control rows are event endpoints the placebo model
#: cannot move (time to stage-3 T1D, relapse rate), and the necessity of IL-17 to the psoriatic
#: plaque. Its typical value is searched after (pathway_cv, K_act).
DISEASE_PARAMETER_GRID: dict[str, tuple[str, tuple[float, ...]]] = {
    "type_1_diabetes": ("k_beta", (0.0004, 0.0007, 0.001, 0.0014)),
    "multiple_sclerosis": ("arr0", (0.4, 0.5, 0.6, 0.8, 1.0)),
    "psoriasis": ("g_kc_il17", (0.05, 0.1, 0.2, 0.35)),
}
#: Coarser grids for diseases whose calibration trials are long (104–260 weeks) and few
#: (2–8 rows): each point costs several times more, and they constrain fewer parameters.
COARSE_GRIDS: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {
    "type_1_diabetes": ((0.5, 1.5, 4.0), (0.5, 0.6, 0.7)),
    "multiple_sclerosis": ((0.5, 1.5, 4.0), (0.5, 0.6, 0.7)),
}
#: Candidate between-patient CVs of a disease parameter, searched at a fixed population mean
#: after the K_act spread. MS relapse propensity: relapse counts are overdispersed (the
#: negative binomial is the appropriate model for them, as a systematic review of relapsing MS
#: trials restates: Mult Scler 2022, doi:10.1177/13524585211052400), and a calibration row
#: of the share relapsing (RELAPSE_ANY) beside the
#: relapse rate identifies how much: at one mean rate a wider spread leaves more patients
#: relapse-free. The declared prior CV (0.5) is one point of the grid.
DISEASE_SPREAD_GRID: dict[str, tuple[float, ...]] = {"multiple_sclerosis": (0.5, 0.8, 1.1)}
#: Candidate between-patient CVs of K_act, searched last at the chosen point (declared 0.1).
K_ACT_CV_GRID: tuple[float, ...] = (0.1, 0.25, 0.4)
#: Candidate between-patient SDs (logit scale) of both placebo parameters (declared 0.5):
#: a wider spread gives the few deep placebo responders (ACR50/70, PASI90) trials report.
PLACEBO_SD_GRID: tuple[float, ...] = (0.5, 1.0, 1.5)
#: Candidate typical ``noise_scale`` (multiplier of every read-out's visit-to-visit noise SD;
#: declared 1): how much of a response threshold is crossed by measurement noise rather than by
#: disease change, which flattens every arm's response towards its placebo arm.
NOISE_SCALE_GRID: tuple[float, ...] = (1.0, 1.5, 2.0, 3.0)
#: How stage 0 is described in the calibration file's ``method``.
STAGE0_METHOD = (
    "stage 0: per-disease grid search of pathway_cv x typical K_act (then one disease "
    "parameter: k_beta for T1D, arr0 for MS, g_kc_il17 for psoriasis; then the visit-noise "
    "scale, then the between-patient CV of K_act, then for MS the between-patient CV of arr0 "
    "at a fixed mean, then the between-patient SD of the placebo parameters; the placebo "
    "model is refitted at each noise and placebo-spread value) scored on all rows and "
    "differences (immunobalance.population._fit_structure)"
)
#: Smallest share of prior candidates whose untreated state is a stable sick equilibrium for a
#: structure to be admissible. Below it the population is formed from a thin corner of the
#: priors, and most slots fall back to their closest — unstable — candidate (status 3), whose
#: untreated disease would drift away: such a structure could win the grid by that artefact.
MIN_STABLE_SHARE = 0.25
#: Candidates on which the stable share is measured.
STABILITY_CANDIDATES = 300
#: Weight of relative (rate/mean) errors against percentage-point errors.
RELATIVE_WEIGHT = 0.25


@dataclass(frozen=True)
class StructurePoint:
    """One grid point and its score."""

    pathway_cv: float
    k_act: float
    score: float
    disease_parameter: tuple[str, float] | None
    mae_pp: float | None
    calibration: Calibration
    spread: tuple[tuple[str, float], ...] = ()
    noise_scale: float = 1.0
    #: Share of prior candidates with a stable untreated equilibrium (admissible: at least
    #: ``MIN_STABLE_SHARE``).
    stable_share: float = 1.0

    @property
    def admissible(self) -> bool:
        return self.stable_share >= MIN_STABLE_SHARE


def score_rows(rows: Sequence[dict[str, Any]]) -> float:
    """The objective ``S`` of the module docstring over ``trial validate`` rows."""
    from immunobalance.trials.spec import ENDPOINT_CODES

    total = 0.0
    for r in rows:
        if r["error_pp"] is None:
            continue
        prop = ENDPOINT_CODES[r["endpoint"]] == "proportion"
        w = 1.0 if prop else RELATIVE_WEIGHT
        total += w * float(r["error_pp"]) ** 2
        if r["published_diff"] is not None and r["predicted_diff"] is not None:
            d = 100.0 * (float(r["predicted_diff"]) - float(r["published_diff"]))
            if not prop:
                d /= max(abs(float(r["published"])), 1e-3)
            total += w * d * d
    return total


def _with_structure(
    disease: str,
    pathway_cv: float,
    k_act: float,
    nat: tuple[str, float] | None,
    noise: float = 1.0,
) -> Calibration:
    typical = (
        {"K_act": k_act}
        | ({nat[0]: nat[1]} if nat else {})
        | ({"noise_scale": noise} if noise != 1.0 else {})
    )
    return Calibration(
        "structure-candidate",
        {disease: DiseaseCalibration(typical=typical, pathway_cv=pathway_cv)},
    )


def median_at_fixed_mean(median: float, cv_from: float, cv_to: float) -> float:
    """The lognormal median that keeps the mean when the CV goes from ``cv_from`` to ``cv_to``.

    A lognormal's mean is median·√(1 + CV²); widening the spread at a fixed median would also
    raise the mean (the relapse rate), which is not what the spread step searches.
    """
    return median * math.sqrt((1 + cv_from**2) / (1 + cv_to**2))


def _declared_cv(disease: str, name: str) -> float:
    """The declared between-patient CV of a lognormal parameter of ``disease``'s module."""
    prior = next(p for p in get_disease_module(disease).all_parameters if p.name == name).prior
    if prior.kind != "lognormal" or prior.cv is None:
        raise ValueError(f"{disease}.{name}: a spread at fixed mean needs a lognormal prior")
    return float(prior.cv)


def rank(point: StructurePoint) -> tuple[bool, float]:
    """Admissible points first, then by score (an inadmissible one wins only if all are)."""
    return (not point.admissible, point.score)


def stable_share(disease: str, cal: Calibration, seed: int) -> float:
    """Share of the first prior candidates whose untreated equilibrium is stable under ``cal``."""
    import numpy as np

    from immunobalance.population._plausibility import stability_margin
    from immunobalance.population._virtual import _module, candidate_parameters

    module = _module(disease)
    cand = np.arange(STABILITY_CANDIDATES, dtype=np.int64)
    params, _ = candidate_parameters(module, cand, seed, cal.for_disease(disease))
    age = np.full(cand.size, 50.0)
    margin = stability_margin(module, params, {"age_years": age, "weight_kg": age + 20.0})
    return float(np.mean(margin < 0))


def fit_structure(
    disease: str,
    *,
    n_per_arm: int = 150,
    seed: int = 20261121,
    pathway_cv_grid: Sequence[float] | None = None,
    k_act_grid: Sequence[float] | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[StructurePoint, list[StructurePoint]]:
    """Grid search of (pathway_cv, K_act) for ``disease`` (then its disease parameter,
    if any). Returns the best point and all points."""
    from immunobalance.population._fit import fit_calibration

    cv_default, k_default = COARSE_GRIDS.get(disease, (PATHWAY_CV_GRID, K_ACT_GRID))
    pathway_cv_grid = cv_default if pathway_cv_grid is None else pathway_cv_grid
    k_act_grid = k_default if k_act_grid is None else k_act_grid
    trials = [
        t for t, rows in rows_by_trial(calibration_rows()).items() if rows[0].disease == disease
    ]
    Spread = tuple[tuple[str, float], ...]
    Key = tuple[float, float, tuple[str, float] | None, Spread, float]
    points: dict[Key, StructurePoint] = {}
    shares: dict[tuple[float, float, tuple[str, float] | None, float | None], float] = {}
    # The placebo model is fitted once, at the declared structure: drug-free control arms do
    # not depend on the pathway spread or the switch threshold (every patient stays at its
    # exact untreated equilibrium), and stage 1 is refitted at the chosen structure anyway.
    placebo = fit_calibration(
        diseases=[disease], n_per_arm=n_per_arm, seed=seed, progress=progress
    ).for_disease(disease)

    def evaluate(
        cv: float,
        k: float,
        nat: tuple[str, float] | None = None,
        spread: Spread = (),
        placebo_fit: DiseaseCalibration | None = None,
        noise: float = 1.0,
    ) -> StructurePoint:
        if (cv, k, nat, spread, noise) in points:
            return points[(cv, k, nat, spread, noise)]
        pl = placebo if placebo_fit is None else placebo_fit
        structure = _with_structure(disease, cv, k, nat, noise).for_disease(disease)
        cal = Calibration(
            "structure-candidate",
            {
                disease: DiseaseCalibration(
                    typical={**pl.typical, **structure.typical},
                    placebo_between_trial_sd=pl.placebo_between_trial_sd,
                    trial_effects=dict(pl.trial_effects),
                    pathway_cv=cv,
                    spread=dict(spread),
                )
            },
        )
        val = validate_calibration(cal, n_per_arm=n_per_arm, seed=seed, trials=trials)
        score = score_rows(val["rows"])
        # stability depends on the structure and the K_act spread, not on noise or placebo
        skey = (cv, k, nat, dict(spread).get("K_act"))
        if skey not in shares:
            shares[skey] = stable_share(disease, cal, seed)
        share = shares[skey]
        pt = StructurePoint(cv, k, score, nat, val["summary"]["mae_pp"], cal, spread, noise, share)
        if progress is not None:
            extra = f", {nat[0]} {nat[1]:g}" if nat else ""
            extra += f", noise_scale {noise:g}" if noise != 1.0 else ""
            extra += "".join(f", spread {n} {v:g}" for n, v in spread)
            progress(
                f"{disease}: pathway_cv {cv:g}, K_act {k:g}{extra} → score {pt.score:.0f}, "
                f"MAE {pt.mae_pp} pp, stable share {share:.2f}"
                + ("" if pt.admissible else " (inadmissible)")
            )
        points[(cv, k, nat, spread, noise)] = pt
        return pt

    def refitted(
        pt: StructurePoint, spread: Spread, noise: float
    ) -> tuple[StructurePoint, DiseaseCalibration]:
        """``pt``'s structure with ``spread`` and ``noise``, its placebo model refitted."""
        base = Calibration(
            "structure-candidate",
            {
                disease: replace(
                    _with_structure(
                        disease, pt.pathway_cv, pt.k_act, pt.disease_parameter, noise
                    ).for_disease(disease),
                    spread=dict(spread),
                )
            },
        )
        refit = fit_calibration(
            diseases=[disease], n_per_arm=n_per_arm, seed=seed, base=base
        ).for_disease(disease)
        point = evaluate(pt.pathway_cv, pt.k_act, pt.disease_parameter, spread, refit, noise)
        return point, refit

    best = min((evaluate(cv, k) for cv in pathway_cv_grid for k in k_act_grid), key=rank)
    if disease in DISEASE_PARAMETER_GRID:
        name, grid = DISEASE_PARAMETER_GRID[disease]
        best = min(
            (evaluate(best.pathway_cv, best.k_act, (name, v)) for v in grid),
            key=rank,
        )
    refit_placebo: DiseaseCalibration | None = None
    if placebo.trial_effects:
        # visit noise moves the control arms too (regression across thresholds), so the
        # placebo model is refitted at each value before it is scored (the declared 1 keeps
        # its grid score: its stage-1 placebo fit was made at noise 1)
        best, refit_placebo = min(
            (refitted(best, best.spread, v) for v in NOISE_SCALE_GRID),
            key=lambda pair: rank(pair[0]),
        )
    else:
        # no placebo model to refit (event endpoints: relapses, diagnosis); noise still decides
        # how often a threshold endpoint (confirmed EDSS progression) is crossed by chance
        best = min(
            (
                evaluate(best.pathway_cv, best.k_act, best.disease_parameter, best.spread, None, v)
                for v in NOISE_SCALE_GRID
            ),
            key=rank,
        )
    # how far patients differ in the switch threshold: deep responders beside patients whose
    # loop does not collapse under the same agent (the declared prior CV 0.1 is one point)
    best = min(
        (
            evaluate(
                best.pathway_cv,
                best.k_act,
                best.disease_parameter,
                (("K_act", v),),
                refit_placebo,
                best.noise_scale,
            )
            for v in K_ACT_CV_GRID
        ),
        key=rank,
    )
    if disease in DISEASE_SPREAD_GRID and best.disease_parameter is not None:
        # the lognormal's median is moved with its CV so that the population mean stays at the
        # chosen typical value's mean (mean = median·√(1 + CV²)): only the spread changes
        name, median = best.disease_parameter
        declared = _declared_cv(disease, name)
        at = best

        def widened(cv: float, at: StructurePoint = at) -> StructurePoint:
            kept = round(median_at_fixed_mean(median, declared, cv), 6)
            return evaluate(
                at.pathway_cv,
                at.k_act,
                (name, kept),
                (*at.spread, (name, cv)),
                refit_placebo,
                at.noise_scale,
            )

        best = min((widened(cv) for cv in DISEASE_SPREAD_GRID[disease]), key=rank)
    if placebo.trial_effects:
        # the placebo spread moves the control arms' means too, so the placebo model is
        # refitted at each of these points before they are scored (the declared SD included,
        # so that every candidate is compared at its own refitted placebo level)
        best = min(
            (
                refitted(
                    best,
                    (*best.spread, ("placebo_objective", sd), ("placebo_subjective", sd)),
                    best.noise_scale,
                )[0]
                for sd in PLACEBO_SD_GRID
            ),
            key=rank,
        )
    return best, list(points.values())


def fit_structures(
    diseases: Sequence[str] | None = None,
    *,
    n_per_arm: int = 150,
    seed: int = 20261121,
    progress: Callable[[str], None] | None = None,
) -> Calibration:
    """Stage 0 for every disease with calibration rows: a base calibration holding each
    disease's best (pathway_cv, K_act), with the whole grid and its scores in ``meta``."""
    by_disease = sorted({rows[0].disease for rows in rows_by_trial(calibration_rows()).values()})
    chosen: dict[str, DiseaseCalibration] = {}
    report: list[dict[str, Any]] = []
    for d in by_disease:
        if diseases and d not in diseases:
            continue
        best, points = fit_structure(d, n_per_arm=n_per_arm, seed=seed, progress=progress)
        typical = {"K_act": best.k_act}
        if best.disease_parameter is not None:
            typical[best.disease_parameter[0]] = best.disease_parameter[1]
        if best.noise_scale != 1.0:
            typical["noise_scale"] = best.noise_scale
        chosen[d] = DiseaseCalibration(
            typical=typical, pathway_cv=best.pathway_cv, spread=dict(best.spread)
        )
        rows = [
            f"{r.trial} / {r.arm} / {r.endpoint}@{r.week:g}"
            for r in calibration_rows()
            if r.disease == d
        ]
        report += [
            {"disease": d, "parameter": "pathway_cv", "value": best.pathway_cv, "rows": rows},
            {"disease": d, "parameter": "typical.K_act", "value": best.k_act, "rows": rows},
            {
                "disease": d,
                "parameter": "typical.noise_scale",
                "value": best.noise_scale,
                "rows": rows,
            },
            *(
                {"disease": d, "parameter": f"spread.{name}", "value": v, "rows": rows}
                for name, v in best.spread
            ),
            *(
                [
                    {
                        "disease": d,
                        "parameter": f"typical.{best.disease_parameter[0]}",
                        "value": best.disease_parameter[1],
                        "rows": rows,
                    }
                ]
                if best.disease_parameter
                else []
            ),
            {
                "disease": d,
                "parameter": (
                    "stage-0 grid (pathway_cv, K_act, disease parameter, spread, score, MAE pp, "
                    "noise_scale, stable share)"
                ),
                "value": [
                    [
                        p.pathway_cv,
                        p.k_act,
                        p.disease_parameter,
                        dict(p.spread),
                        round(p.score, 1),
                        p.mae_pp,
                        p.noise_scale,
                        round(p.stable_share, 3),
                    ]
                    for p in points
                ],
                "rows": [],
            },
        ]
    return Calibration("structure", chosen, {"parameters": report, "method": STAGE0_METHOD})
