"""``trial validate``: every calibration row predicted with the calibrated population.

Each calibration trial is run by the trial runner (same conduct, NRI, endpoints as any trial)
with the calibrated population and that trial's empirical-Bayes placebo effect (the trial-level
random effect estimated from its own control arm; see ``docs/calibration.md``). Active arms are
predicted from that placebo level plus mechanism — agent effects come from pharmacology only.

``placebo_level="typical"`` predicts every trial at its disease's typical placebo level instead
(δ_t = δ̄), as an unseen trial is predicted. Why: with its own δ_t a trial's control arm is
fitted, so its rows say how well the model *fits*; at δ̄ nothing of the trial's own outcome
enters its prediction except through the population-level parameters, which is the nearer
measure of how the model predicts a trial it has not seen (not a leave-one-trial-out refit: the
pathway multipliers and the typical placebo level were fitted with every trial).

Errors: proportions in percentage points (predicted − published, ×100); rates and means as
relative errors in percent (``by_endpoint`` marks them ``"relative": true``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from immunobalance.population._calibration import Calibration, load_calibration
from immunobalance.population._rows import (
    CalibrationRow,
    calibration_rows,
    rows_by_trial,
    trial_spec,
)

__all__ = ["PLACEBO_LEVELS", "predict_rows", "validate_calibration"]

#: How each calibration trial's placebo level is set: its own empirical-Bayes random effect
#: (``trial``, the default and the contract's) or the disease's typical level (``typical``).
PLACEBO_LEVELS = ("trial", "typical")


def predict_rows(
    rows: list[CalibrationRow],
    calibration: Calibration,
    *,
    n_per_arm: int,
    seed: int,
    placebo_logit_offset: float = 0.0,
    arms: list[str] | None = None,
) -> dict[tuple[str, str, float], float | None]:
    """Predicted value of every (arm, endpoint, week) of one trial's rows."""
    from immunobalance.population._virtual import CalibratedCohortSource
    from immunobalance.trials import run_trial

    spec = trial_spec(rows, n_per_arm=n_per_arm, seed=seed, arms=arms)
    source = CalibratedCohortSource(
        calibration=calibration, placebo_logit_offset=placebo_logit_offset
    )
    result = run_trial(spec, cohort_source=source)
    out: dict[tuple[str, str, float], float | None] = {}
    for arm in result.arms:
        for r in rows:
            if r.arm == arm.name:
                est = arm.endpoints[f"{r.endpoint}@{r.week:g}"]
                out[(r.arm, r.endpoint, r.week)] = est.value
    return out


def _r(x: float | None, d: int = 4) -> float | None:
    return None if x is None else round(float(x), d)


def validate_calibration(
    calibration: Calibration | None = None,
    *,
    n_per_arm: int = 1000,
    seed: int = 20261121,
    progress: Callable[[str], None] | None = None,
    trials: list[str] | None = None,
    placebo_level: str = "trial",
) -> dict[str, Any]:
    """Predicted vs published for every calibration row (the ``trial validate`` JSON).

    ``placebo_level``: ``trial`` (each trial at its own fitted placebo effect) or ``typical``
    (every trial at its disease's typical level, as an unseen trial; module docstring).
    """
    if placebo_level not in PLACEBO_LEVELS:
        raise ValueError(
            f"placebo_level: expected one of {', '.join(PLACEBO_LEVELS)}, got {placebo_level!r}"
        )
    cal = calibration if calibration is not None else load_calibration()
    out_rows: list[dict[str, Any]] = []
    for name, rows in rows_by_trial(calibration_rows()).items():
        if trials and name not in trials:
            continue
        if progress is not None:
            progress(name)
        offset = (
            cal.for_disease(rows[0].disease).trial_effects.get(name, 0.0)
            if placebo_level == "trial"
            else 0.0
        )
        pred = predict_rows(rows, cal, n_per_arm=n_per_arm, seed=seed, placebo_logit_offset=offset)
        published = {(r.arm, r.endpoint, r.week): r.value for r in rows}
        for r in rows:
            p = pred.get((r.arm, r.endpoint, r.week))
            if r.kind == "proportion":
                err = None if p is None else 100.0 * (p - r.value)
            else:
                err = None if p is None or r.value == 0 else 100.0 * (p - r.value) / r.value
            pub_d = pred_d = None
            if r.comparator_arm is not None:
                key = (r.comparator_arm, r.endpoint, r.week)
                pub_d = r.value - published[key] if key in published else None
                pc = pred.get(key)
                pred_d = None if p is None or pc is None else p - pc
            out_rows.append(
                {
                    "trial": r.trial,
                    "arm": r.arm,
                    "endpoint": r.endpoint,
                    "week": int(r.week) if r.week.is_integer() else r.week,
                    "published": r.value,
                    "predicted": _r(p),
                    "error_pp": _r(err, 2),
                    "published_diff": _r(pub_d),
                    "predicted_diff": _r(pred_d),
                }
            )
    result: dict[str, Any] = {"rows": out_rows, "summary": summarise(out_rows)}
    if placebo_level != "trial":
        # the default output keeps the contract's exact shape; the variant says what it is
        result["placebo_level"] = placebo_level
    return result


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Contract summary: MAE (pp) over proportions, MAE of differences, signs, per endpoint."""
    from immunobalance.trials.spec import ENDPOINT_CODES

    prop = [
        r
        for r in rows
        if ENDPOINT_CODES[r["endpoint"]] == "proportion" and r["error_pp"] is not None
    ]
    diffs = [r for r in prop if r["published_diff"] is not None and r["predicted_diff"] is not None]
    signed = [
        r for r in rows if r["published_diff"] is not None and r["predicted_diff"] is not None
    ]
    signs_ok = sum(
        1 for r in signed if np.sign(r["published_diff"]) == np.sign(r["predicted_diff"])
    )
    by: dict[str, dict[str, Any]] = {}
    for code in sorted({r["endpoint"] for r in rows}):
        errs = [
            abs(r["error_pp"]) for r in rows if r["endpoint"] == code and r["error_pp"] is not None
        ]
        entry: dict[str, Any] = {
            "mae_pp": round(float(np.mean(errs)), 2) if errs else None,
            "n": len(errs),
        }
        if ENDPOINT_CODES[code] != "proportion":
            entry["relative"] = True
        by[code] = entry
    return {
        "mae_pp": round(float(np.mean([abs(r["error_pp"]) for r in prop])), 2) if prop else None,
        "mae_diff_pp": round(
            float(np.mean([abs(r["predicted_diff"] - r["published_diff"]) * 100 for r in diffs])), 2
        )
        if diffs
        else None,
        "signs_correct": signs_ok,
        "signs_total": len(signed),
        "by_endpoint": by,
    }
