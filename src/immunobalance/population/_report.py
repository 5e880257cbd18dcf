"""Reports: baseline match of a virtual population, and the calibration document.

:func:`baseline_match` gives the published-vs-virtual table (the trial report and the docs call
it); :func:`plot_baseline_match` draws side-by-side histograms with the target marginal;
:func:`calibration_markdown` renders ``docs/calibration.md`` from a calibration file and a
``trial validate`` result.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np

from immunobalance.population._calibration import Calibration
from immunobalance.population._fit_structure import MIN_STABLE_SHARE
from immunobalance.population._virtual import VirtualPopulation

__all__ = ["baseline_match", "calibration_markdown", "plot_baseline_match"]


def _values(vp: VirtualPopulation, series: str) -> np.ndarray:
    src = vp.baseline_readouts if series in vp.baseline_readouts else vp.biomarkers
    return np.asarray(src[series], dtype=float)[vp.accepted]


def baseline_match(vp: VirtualPopulation) -> list[dict[str, Any]]:
    """One row per published characteristic: target vs virtual (mean ± SD or fraction)."""
    rows: list[dict[str, Any]] = []
    for t in vp.targets:
        x = _values(vp, t.series)
        x = x[np.isfinite(x)]
        if t.kind == "bernoulli":
            rows.append(
                {
                    "key": t.key,
                    "published": t.describe(),
                    "virtual": f"{np.mean(x > 0):.0%}",
                    "matched": True,
                    "source": t.source,
                }
            )
        else:
            rows.append(
                {
                    "key": t.key,
                    "published": t.describe(),
                    "virtual": f"{np.mean(x):.3g} ± {np.std(x, ddof=1):.3g}",
                    "matched": True,
                    "source": t.source,
                }
            )
    rows += [
        {
            "key": k,
            "published": "(published)",
            "virtual": "not simulated",
            "matched": False,
            "source": "",
        }
        for k in vp.unmatched
    ]
    return rows


def plot_baseline_match(vp: VirtualPopulation, path: Path | str) -> Path:
    """Histograms of the accepted patients' baseline with the target density, one panel each."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    targets = [t for t in vp.targets if t.kind != "bernoulli"]
    k = max(len(targets), 1)
    fig, axes = plt.subplots(1, k, figsize=(3.2 * k, 2.8), squeeze=False)
    for ax, t in zip(axes[0], targets, strict=False):
        x = _values(vp, t.series)
        x = x[np.isfinite(x)]
        ax.hist(x, bins=30, density=True, alpha=0.6, label="virtual")
        grid = np.linspace(max(0.0, np.min(x)), np.max(x), 200)
        ax.plot(grid, t.pdf(grid), "k-", label="published")
        ax.set_title(t.key, fontsize=9)
    axes[0][0].legend(fontsize=7)
    fig.suptitle(f"{vp.disease} / {vp.population}: baseline, virtual vs published", fontsize=10)
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def calibration_markdown(
    cal: Calibration,
    validation: dict[str, Any],
    *,
    n_per_arm: int,
    seed: int,
    at_typical: dict[str, Any] | None = None,
) -> str:
    """``docs/calibration.md``: method, parameters with the rows that constrain them, table.

    ``at_typical``: the same rows predicted at each disease's typical placebo level
    (``trial validate --placebo-level typical``), summarised beside the fitted ones.
    """
    s = validation["summary"]
    lines = [
        "# Calibration and validation",
        "",
        f"Generated {dt.date.today().isoformat()} by `immunobalance trial validate --markdown "
        f"docs/calibration.md --n {n_per_arm} --seed {seed}` from calibration **{cal.version}** "
        f"(software {cal.meta.get('software_version', '?')}, data SHA-256 "
        f"`{str(cal.meta.get('data_sha256', '?'))[:16]}…`). Do not edit by hand.",
        "",
        "## What is calibrated",
        "",
        "Only population-level parameters are fitted, and only to "
        "`population/data/calibration-trials.csv` (a copy of `shared/reference/calibration-"
        "trials.csv`). Agent PK and potency are pharmacology and are never fitted (a test "
        "asserts that calibration files contain no agent-level parameter).",
        "",
        f"Method: {cal.meta.get('method', '')}.",
        "",
        "Stage 0 — structure (``immunobalance.population._fit_structure``): per disease, the "
        "between-patient spread of the pathway weights (``pathway_cv``: how differently "
        "patients' disease depends on each pathway, hence the spread between non-responders "
        "and deep responders to one targeted agent) and the typical T-cell switch threshold "
        "``K_act`` (how easily upstream agents collapse the effector loop) are chosen on a "
        "grid by the squared errors of every row of the disease and of every active-minus-"
        f"control difference, among the structures under which at least {MIN_STABLE_SHARE:.0%} "
        "of prior candidates have a stable untreated equilibrium (``stable share`` in the grid: "
        "below it most slots would fall back to unstable patients); the placebo model (stage 1) "
        "is fitted before the grid and refitted at the chosen point. Then, for the diseases "
        "that have one, a disease-level parameter that the rows identify and no source fixes "
        "(``typical.k_beta`` for T1D and ``typical.arr0`` for MS: natural-history rates whose "
        "control rows the placebo model cannot move; ``typical.g_kc_il17`` for psoriasis: how "
        "necessary IL-17 is to the plaque, which sets IL-17 beside IL-23 and TNF blockade). "
        "At that point the visit-noise scale is chosen next "
        "(``typical.noise_scale``, multiplying every read-out's visit-to-visit SD, with the "
        "placebo model refitted at each value: how much of a response threshold noise rather "
        "than disease change decides, which pulls every arm towards its control arm), then two "
        "between-patient spreads the same "
        "way: the CV of ``K_act`` (``spread.K_act``: patients at different distances from the "
        "switch, so that one agent collapses the loop in some and not in others) and the logit "
        "SD of the placebo parameters (``spread.placebo_*``, with the placebo model refitted at "
        "each value: the few deep placebo responders that ACR50/70 and PASI90 control arms "
        "show). For MS, between those two, the CV of the relapse propensity at a fixed "
        "population mean (``spread.arr0``, the typical value moved with it: relapse counts are "
        "overdispersed, and the share of patients relapsing beside the relapse rate says how "
        "much).",
        "",
        "Baselines. Before acceptance, each population's candidates are centred on its "
        "published baseline medians by moving the read-out scales those characteristics are "
        "proportional to (``DiseaseModule.baseline_scales``; `docs/virtual-populations.md`). "
        "This uses published baseline characteristics only, never outcomes.",
        "",
        "Treatment history. Populations defined by the failure of an advanced-therapy class "
        "(`tnf_ir`, `moderate_severe_tnf_ir`, and the published share with prior TNF-inhibitor "
        "failure of the others) keep each accepted candidate with the probability that it "
        "*records* such a failure, given its simulated response to a label regimen of an agent "
        "of that class (the twin's treatment-history likelihood; "
        "`immunobalance.population._history`). No outcome figure is used.",
        "",
        "Background therapy. Populations defined as *on stable* background therapy "
        "(`mtx_ir`, `tnf_ir`, `dmard_ir`: the knowledge base's `background_run_in_weeks`) "
        "start the background agents that every arm lists 24 weeks before randomisation "
        "(`immunobalance.model.run_in`), so their effect is part of the entry state and not "
        "of the trial response; read-outs are relative to the on-treatment state at entry. "
        "Patients near the tolerance switch still drift slowly after 24 weeks — an "
        "approximation of a population selected for *inadequate* response.",
        "",
        "Stage 1 — placebo random effect. Each trial has a placebo/expectation level "
        "logit(placebo) = logit(prior) + δ_t, δ_t ~ N(δ̄_disease, τ²). Control arms give δ̂_t "
        "(an active comparator, as in TEMPO and ETN+ANK, only together with its agent's "
        "modelled efficacy, which δ̂_t then absorbs); unseen trials are predicted at δ̄ "
        "(their intervals should carry τ); "
        "calibration trials in `trial validate` use their empirical-Bayes δ_t, so active arms "
        "are predicted from the trial's own placebo level plus mechanism.",
        "",
        "Stage 2 — pathway-weight multipliers per disease, by importance weighting of one "
        "simulation per trial (prior SD 0.7 on log multipliers; effective sample size kept "
        "≥ 25 %).",
        "",
        "Rounds. A control arm on background therapy (placebo + methotrexate, placebo + "
        "mycophenolate) moves with the multipliers, since its background agent acts through "
        "the pathways they weight; so stages 2 and 1 are refitted alternately "
        f"({cal.meta.get('fit', {}).get('rounds', 1)} round(s) in this version: each stage 2 "
        "on top of the previous multipliers, each stage 1 at the current ones), ending with a "
        "placebo refit so that the stored placebo model belongs to the stored multipliers "
        "(``immunobalance.population._fit.fit_placebo_and_multipliers``).",
        "",
        f"Not fitted in this version: {cal.meta.get('not_fitted', '')}.",
        "",
        "## Parameters and the rows that constrain them",
        "",
        "| disease | parameter | value | constraining rows |",
        "|---|---|---|---|",
    ]
    for p in cal.meta.get("parameters", []):
        rows = p.get("rows", [])
        shown = "; ".join(rows[:6]) + (f"; … ({len(rows)} rows)" if len(rows) > 6 else "")
        lines.append(f"| {p['disease']} | {p['parameter']} | {p['value']} | {shown} |")
    lines += [
        "",
        "## Trial-level placebo effects (empirical Bayes, logit scale)",
        "",
        "| disease | trial | δ_t − δ̄ |",
        "|---|---|---|",
    ]
    for d, dc in sorted(cal.diseases.items()):
        for t, v in dc.trial_effects.items():
            lines.append(f"| {d} | {t} | {v:+.3f} |")
    lines += [
        "",
        f"## Predicted vs published (n = {n_per_arm} per arm, seed {seed})",
        "",
        f"Summary: MAE **{s['mae_pp']} pp** over proportion endpoints; MAE of active-minus-"
        f"control differences **{s['mae_diff_pp']} pp**; signs correct "
        f"**{s['signs_correct']}/{s['signs_total']}**.",
        "",
        "| endpoint | MAE | n |",
        "|---|---|---|",
    ]
    for code, e in s["by_endpoint"].items():
        unit = " % (relative)" if e.get("relative") else " pp"
        lines.append(f"| {code} | {e['mae_pp']}{unit} | {e['n']} |")
    if at_typical is not None:
        lines += _typical_level_lines(validation, at_typical)
    lines += [
        "",
        "| trial | arm | endpoint | week | published | predicted | error | "
        "published diff | predicted diff |",
        "|---|---|---|---|---|---|---|---|---|",
    ]

    def f(x: Any) -> str:
        return "–" if x is None else f"{x:.3g}"

    for r in validation["rows"]:
        lines.append(
            f"| {r['trial']} | {r['arm']} | {r['endpoint']} | {r['week']} | "
            f"{f(r['published'])} | {f(r['predicted'])} | {f(r['error_pp'])} | "
            f"{f(r['published_diff'])} | {f(r['predicted_diff'])} |"
        )
    return "\n".join(lines) + "\n"


def _typical_level_lines(fitted: dict[str, Any], typical: dict[str, Any]) -> list[str]:
    """The held-out summary: every trial at its disease's typical placebo level (δ_t = δ̄).

    Why: with its own δ_t a trial's control arm is fitted, so the table above says how well
    the model fits; at δ̄ the trial's own outcomes enter only through population-level
    parameters, as for a trial not in the file — the nearer measure of the 8-point target on
    unseen trials' differences (not a leave-one-trial-out refit).
    """
    from immunobalance.trials.spec import ENDPOINT_CODES

    s, t = fitted["summary"], typical["summary"]
    by_trial: dict[str, list[float]] = {}
    for r in typical["rows"]:
        if r["published_diff"] is None or r["predicted_diff"] is None:
            continue
        if ENDPOINT_CODES[r["endpoint"]] != "proportion":
            continue
        d = 100.0 * (r["predicted_diff"] - r["published_diff"])
        by_trial.setdefault(r["trial"], []).append(abs(d))
    lines = [
        "",
        "### At the typical placebo level (as for an unseen trial)",
        "",
        "The same rows with every trial at its disease's typical placebo level (δ_t = δ̄, "
        "`trial validate --placebo-level typical`): a trial's own control arm no longer sets "
        "its placebo level, as for a trial not in the file. Not a leave-one-trial-out refit — "
        "the pathway multipliers and δ̄ were fitted with every trial.",
        "",
        "| | own δ_t (fitted) | typical δ̄ (held-out placebo) |",
        "|---|---|---|",
        f"| proportion MAE | {s['mae_pp']} pp | {t['mae_pp']} pp |",
        f"| difference MAE | {s['mae_diff_pp']} pp | {t['mae_diff_pp']} pp |",
        f"| signs | {s['signs_correct']}/{s['signs_total']} | "
        f"{t['signs_correct']}/{t['signs_total']} |",
        "",
        "Mean absolute difference error by trial at δ̄ (proportion endpoints):",
        "",
        "| trial | differences | MAE |",
        "|---|---|---|",
    ]
    for trial, errs in sorted(by_trial.items(), key=lambda kv: -sum(kv[1]) / len(kv[1])):
        lines.append(f"| {trial} | {len(errs)} | {sum(errs) / len(errs):.1f} pp |")
    return lines
