"""Self-contained HTML report of a trial (matplotlib figures embedded as base64 PNG; no CDN).

Sections: endpoint table with 95 % CIs; response over time per arm; biomarker and drug
trajectories (mean ± SD); baseline match (virtual baseline vs the population's published
baseline in the knowledge base); forest plot of differences vs the comparator; discontinuations;
assumptions made during the run.
"""

from __future__ import annotations

import base64
import html
import io
from typing import Any

import numpy as np

from immunobalance.trials.chunks import ACTIVITY_SCORE
from immunobalance.trials.result import TrialResult
from immunobalance.trials.spec import ENDPOINT_CODES, TrialSpec

__all__ = ["render_report"]

_COLOURS = ["#4d4d4d", "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]


def _png(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return (
        '<img alt="figure" src="data:image/png;base64,'
        + base64.b64encode(buf.getvalue()).decode()
        + '"/>'
    )


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _response_over_time(result: TrialResult, spec: TrialSpec) -> str:
    codes = [c for c in spec.endpoints.codes if ENDPOINT_CODES[c] != "rate"][:6]
    if not codes:
        return "<p>No proportion or mean endpoints.</p>"
    plt = _plt()
    ncol = min(3, len(codes))
    nrow = -(-len(codes) // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.2 * ncol, 3.2 * nrow), squeeze=False)
    for ax, code in zip(axes.flat, codes, strict=False):
        for i, (arm, out) in enumerate(zip(result.arms, result.outcomes, strict=True)):
            sums, counts = out.timecourse[code]
            with np.errstate(invalid="ignore", divide="ignore"):
                y = sums / counts
            t = out.visit_weeks
            ax.plot(t[1:], y[1:], marker="o", ms=3, color=_COLOURS[i % 7], label=arm.name)
        ax.set_title(code)
        ax.set_xlabel("week")
        ax.set_ylabel("proportion" if ENDPOINT_CODES[code] == "proportion" else "mean change")
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(codes) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    fig.tight_layout()
    return _png(fig)


def _trajectories(result: TrialResult) -> str:
    first = result.outcomes[0].trajectories
    score = ACTIVITY_SCORE.get(result.disease)
    wanted = [f"score:{score}"] if score else []
    wanted += [
        k for k in ("readout:CRP", "readout:PASI", "readout:EDSS", "readout:CPEPTIDE") if k in first
    ]
    wanted += [
        k for k in ("cytokine:tnf", "cytokine:il6", "cytokine:il17", "cytokine:ifn_i") if k in first
    ][:3]
    conc = sorted(
        {k for out in result.outcomes for k in out.trajectories if k.startswith("concentration:")}
    )
    wanted = [
        w for w in dict.fromkeys(wanted) if any(w in o.trajectories for o in result.outcomes)
    ] + conc[:3]
    if not wanted:
        return "<p>No trajectories.</p>"
    plt = _plt()
    ncol = min(3, len(wanted))
    nrow = -(-len(wanted) // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.2 * ncol, 3.0 * nrow), squeeze=False)
    for ax, name in zip(axes.flat, wanted, strict=False):
        for i, (arm, out) in enumerate(zip(result.arms, result.outcomes, strict=True)):
            if name not in out.trajectories:
                continue
            s, ss, n = out.trajectories[name]
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = s / n
                sd = np.sqrt(np.maximum(ss / n - mean * mean, 0.0))
            t = out.visit_weeks
            ax.plot(t, mean, color=_COLOURS[i % 7], label=arm.name)
            ax.fill_between(t, mean - sd, mean + sd, color=_COLOURS[i % 7], alpha=0.12)
        kind, _, key = name.partition(":")
        unit = {"cytokine": " (1 = untreated baseline)", "concentration": " (mg/L)"}.get(kind, "")
        ax.set_title(f"{key}{unit}", fontsize=9)
        ax.set_xlabel("week")
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(wanted) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    fig.tight_layout()
    return _png(fig)


def _baseline_match(result: TrialResult) -> str:
    from immunobalance.knowledge import load_knowledge_base

    pop = load_knowledge_base().population(result.disease, result.population)
    out = result.outcomes[0]
    ok = out.status == 0
    rows = []
    pairs = []
    cov_alias = {"AGE": "age_years", "WEIGHT_KG": "weight_kg"}
    for key, pub in pop.baseline.items():
        if key in out.baseline:
            x = out.baseline[key][ok]
        elif key in cov_alias and cov_alias[key] in out.covariates:
            x = np.asarray(out.covariates[cov_alias[key]], dtype=float)[ok]
        elif key == "FEMALE" and "sex" in out.covariates:
            x = (np.asarray(out.covariates["sex"]) == "female")[ok].astype(float)
        else:
            continue
        x = x[np.isfinite(x)]
        published = (
            f"{pub.fraction:.2f}"
            if pub.fraction is not None
            else f"{pub.mean:g} ± {pub.sd:g}"
            if pub.mean is not None and pub.sd is not None
            else f"{pub.mean:g}"
            if pub.mean is not None
            else f"median {pub.median:g}"
            if pub.median is not None
            else "–"
        )
        virtual = f"{x.mean():.3g} ± {x.std():.3g}" if x.size else "–"
        rows.append(
            f"<tr><td>{html.escape(key)}</td><td>{html.escape(published)}</td>"
            f"<td>{virtual}</td><td>{html.escape(pub.source[:90])}</td></tr>"
        )
        if pub.fraction is None and x.size:
            pairs.append((key, x, pub))
    if not rows:
        return "<p>The population has no published baseline matching simulated read-outs.</p>"
    table = (
        "<table><tr><th>characteristic</th><th>published</th><th>virtual (mean ± SD)</th>"
        "<th>source</th></tr>" + "".join(rows) + "</table>"
    )
    if not pairs:
        return table
    plt = _plt()
    pairs = pairs[:6]
    ncol = min(3, len(pairs))
    nrow = -(-len(pairs) // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.0 * ncol, 2.8 * nrow), squeeze=False)
    for ax, (key, x, pub) in zip(axes.flat, pairs, strict=False):
        ax.hist(x, bins=30, color="#1f77b4", alpha=0.6, density=True, label="virtual")
        centre = pub.mean if pub.mean is not None else pub.median
        if centre is not None:
            ax.axvline(centre, color="k", label="published")
        if pub.mean is not None and pub.sd is not None:
            ax.axvspan(pub.mean - pub.sd, pub.mean + pub.sd, color="k", alpha=0.1)
        ax.set_title(key, fontsize=9)
    for ax in list(axes.flat)[len(pairs) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    fig.tight_layout()
    return table + _png(fig)


def _forest(result: TrialResult) -> str:
    rows = [
        (f"{arm.name} · {key}", d.value, d.ci95, d.kind)
        for arm in result.arms
        for key, d in arm.differences.items()
        if d.value is not None and None not in d.ci95
    ]
    if not rows:
        return "<p>No arm has a comparator.</p>"
    plt = _plt()
    kinds = sorted({r[3] for r in rows})
    fig, axes = plt.subplots(
        1, len(kinds), figsize=(6.0 * len(kinds), 0.28 * len(rows) + 1.2), squeeze=False
    )
    for ax, kind in zip(axes.flat, kinds, strict=True):
        sel = [r for r in rows if r[3] == kind]
        y = np.arange(len(sel))[::-1]
        for yi, (_, v, (lo, hi), _) in zip(y, sel, strict=True):
            ax.plot([lo, hi], [yi, yi], color="#1f77b4")
            ax.plot([v], [yi], "s", color="#1f77b4")
        ax.axvline(0, color="k", lw=0.8)
        ax.set_yticks(y)
        ax.set_yticklabels([r[0] for r in sel], fontsize=7)
        ax.set_xlabel(
            {"proportion": "risk difference", "mean": "mean difference", "rate": "rate difference"}[
                kind
            ]
        )
        ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return _png(fig)


def _endpoint_table(result: TrialResult) -> str:
    keys = list(result.arms[0].endpoints)
    head = "".join(f"<th>{html.escape(a.name)} (n={a.n})</th>" for a in result.arms)
    body = []
    for k in keys:
        cells = []
        for a in result.arms:
            e = a.endpoints[k]
            lo, hi = e.ci95
            cells.append(
                "<td>–</td>"
                if e.value is None
                else f"<td>{e.value:.3g} [{_fmt(lo)}, {_fmt(hi)}]</td>"
            )
        body.append(f"<tr><td>{html.escape(k)}</td>{''.join(cells)}</tr>")
    return f"<table><tr><th>endpoint</th>{head}</tr>{''.join(body)}</table>"


def _fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.3g}"


def _discontinuations(result: TrialResult) -> str:
    reasons = list(result.arms[0].discontinued)
    head = "".join(f"<th>{html.escape(r.replace('_', ' '))}</th>" for r in reasons)
    body = "".join(
        f"<tr><td>{html.escape(a.name)}</td>"
        + "".join(f"<td>{a.discontinued[r]}</td>" for r in reasons)
        + f"<td>{a.solver_failures}</td></tr>"
        for a in result.arms
    )
    return (
        f"<table><tr><th>arm</th>{head}<th>solver failures</th></tr>{body}</table>"
        "<p>Discontinued patients are non-responders for proportion endpoints (NRI).</p>"
    )


_CSS = """body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:0.85em}td,th{border:1px solid #ccc;
padding:3px 6px;text-align:left}th{background:#f3f3f3}img{max-width:100%}h2{margin-top:1.6em}
code{background:#f3f3f3;padding:0 3px}"""


def render_report(result: TrialResult, spec: TrialSpec) -> str:
    """The trial report as one self-contained HTML page."""
    arms = "".join(
        f"<li><b>{html.escape(a.name)}</b>: "
        f"{html.escape('; '.join(a.regimen) or 'no study drug (placebo)')}"
        f"{' — comparator ' + html.escape(a.comparator) if a.comparator else ''}</li>"
        for a in result.arms
    )
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in result.notes)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(result.trial)}</title>
<style>{_CSS}</style></head><body>
<h1>{html.escape(result.trial)}</h1>
<p>{html.escape(result.disease)} · population <code>{html.escape(result.population)}</code> ·
{spec.trial.n_per_arm} virtual patients per arm · {result.weeks:g} weeks · seed {result.seed}</p>
<p>software {html.escape(result.software_version)} · calibration
<code>{html.escape(result.calibration_version)}</code> · conduct
<code>{html.escape(result.conduct_version)}</code> · spec sha256
<code>{result.spec_sha256[:16]}…</code></p>
<ul>{arms}</ul>
<h2>Endpoints (95 % CI)</h2>{_endpoint_table(result)}
<h2>Response over time</h2>{_response_over_time(result, spec)}
<h2>Biomarker and drug trajectories (mean ± SD)</h2>{_trajectories(result)}
<h2>Baseline match</h2>{_baseline_match(result)}
<h2>Differences vs comparator</h2>{_forest(result)}
<h2>Discontinuations</h2>{_discontinuations(result)}
<h2>Assumptions made in this run</h2><ul>{notes}</ul>
</body></html>
"""
