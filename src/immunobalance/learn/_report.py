"""The HTML report of a learned model: ROC curve, reliability diagram, permutation importance and
response by treatment, with the model card's tables. Self-contained (PNG figures embedded as
base64; no scripts, no CDN), so it opens offline and can be archived with the model.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from jinja2 import Environment, select_autoescape
from matplotlib.figure import Figure

from immunobalance.learn._card import ModelCard, card_markdown
from immunobalance.learn._dataset import LearningDataset
from immunobalance.learn._metrics import roc_points
from immunobalance.learn._nested_cv import NestedCVResult

__all__ = ["write_report"]


def _png(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _roc(card: ModelCard, data: LearningDataset, cv: NestedCVResult) -> str:
    fig, ax = plt.subplots(figsize=(4.6, 4.4))
    for k in range(len(cv.folds)):
        rows = cv.fold_of_row == k
        if np.unique(data.y[rows]).size == 2:
            fpr, tpr = roc_points(data.y[rows], cv.oof[rows])
            ax.plot(fpr, tpr, color="0.75", lw=0.8)
    fpr, tpr = roc_points(data.y, cv.oof)
    auc = card.metrics.auc
    ax.plot(
        fpr,
        tpr,
        color="C0",
        lw=2,
        label=f"out-of-fold AUC {auc.estimate:.3f}\n(95 % CI {auc.ci95[0]:.3f}–{auc.ci95[1]:.3f})",
    )
    ax.plot([0, 1], [0, 1], ls="--", color="k", lw=0.8, label="chance")
    ax.set(xlabel="1 − specificity", ylabel="sensitivity", title=f"ROC — {card.target}")
    ax.legend(loc="lower right", fontsize=8)
    return _png(fig)


def _reliability(card: ModelCard, cv: NestedCVResult) -> str:
    fig, (ax, hist) = plt.subplots(
        2, 1, figsize=(4.6, 5.2), sharex=True, gridspec_kw={"height_ratios": [3, 1]}
    )
    bins = card.metrics.calibration.bins
    x = [b["mean_predicted"] for b in bins]
    y = [b["observed"] for b in bins]
    low = [b["observed"] - b["observed_ci95"][0] for b in bins]
    high = [b["observed_ci95"][1] - b["observed"] for b in bins]
    ax.errorbar(
        x, y, yerr=[low, high], fmt="o", color="C0", capsize=2, label="observed (Wilson 95 %)"
    )
    ax.plot([0, 1], [0, 1], ls="--", color="k", lw=0.8, label="perfect calibration")
    m = card.metrics
    ax.set(
        ylabel="observed response rate",
        title=f"Reliability — Brier {m.brier.estimate:.3f} (base rate {m.base_rate_brier:.3f})",
        xlim=(0, 1),
        ylim=(0, 1),
    )
    ax.legend(loc="upper left", fontsize=8)
    hist.hist(cv.oof, bins=20, range=(0, 1), color="0.6")
    hist.set(xlabel="predicted probability (out-of-fold)", ylabel="rows")
    return _png(fig)


def _importance(card: ModelCard) -> str:
    items = list(reversed(card.importance))
    fig, ax = plt.subplots(figsize=(5.2, 0.35 * len(items) + 1.2))
    ax.barh(
        [i.feature for i in items],
        [i.auc_drop for i in items],
        xerr=[i.sd for i in items],
        color="C2",
        capsize=2,
    )
    ax.axvline(0, color="k", lw=0.8)
    ax.set(xlabel="drop in held-out AUC when permuted", title="Permutation importance")
    return _png(fig)


def _treatments(card: ModelCard) -> str | None:
    rows = card.data.treatments
    if not rows:
        return None
    fig, ax = plt.subplots(figsize=(5.2, 3.2))
    x = np.arange(len(rows))
    ax.bar(x - 0.2, [t.observed_response for t in rows], 0.4, label="observed", color="0.6")
    ax.bar(x + 0.2, [t.predicted_if_all for t in rows], 0.4, label="predicted if all received it")
    ax.set_xticks(x, [t.treatment for t in rows], rotation=15, ha="right", fontsize=8)
    ax.set(ylabel="response rate", ylim=(0, 1), title="Response by treatment")
    ax.legend(fontsize=8)
    return _png(fig)


_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Response model {{ card.model_id }}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }
.figs { display: flex; flex-wrap: wrap; gap: 1em; } figure { margin: 0; }
pre { background: #f6f6f6; padding: 1em; white-space: pre-wrap; font-size: 0.85em; }
.note { background: #fff4e0; border-left: 4px solid #e69500; padding: 0.6em 1em; }
</style></head><body>
<h1>Response model for {{ card.target }}</h1>
<p class="note">Learned from <code>{{ card.data.source }}</code>
({{ card.data.n_patients }} patients).
A statistical evidence source, shown separately from the mechanistic twin; it never overrides the
safety screen. Internal validation only.</p>
<div class="figs">
{% for title, png in figures %}<figure>
<img alt="{{ title }}" src="data:image/png;base64,{{ png }}"></figure>
{% endfor %}</div>
<h2>Model card</h2>
<pre>{{ markdown }}</pre>
</body></html>
"""


def write_report(path: Path, card: ModelCard, data: LearningDataset, cv: NestedCVResult) -> Path:
    """Write the self-contained HTML report."""
    figures = [("ROC curve", _roc(card, data, cv)), ("Reliability diagram", _reliability(card, cv))]
    if card.importance:
        figures.append(("Permutation importance", _importance(card)))
    treatments = _treatments(card)
    if treatments is not None:
        figures.append(("Response by treatment", treatments))
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    html = env.from_string(_TEMPLATE).render(
        card=card, figures=figures, markdown=card_markdown(card)
    )
    path.write_text(html, encoding="utf-8")
    return path
