"""The recommendation report: indices, ranked options with intervals and reasons, excluded
options with the rule that excluded them, and the predicted trajectory band of each option."""

from __future__ import annotations

from typing import Any

import numpy as np

from immunobalance.report._figures import figure_to_img, pyplot
from immunobalance.report._render import render_template

__all__ = ["recommendation_html", "trajectory_figure"]

_MAX_BANDS = 6


def trajectory_figure(recommendation: Any, max_options: int = _MAX_BANDS) -> str:
    """Small multiples: the twin's 10th–90th percentile band and median of disease activity
    under each of the top ranked options (weighted over the twin's virtual patients)."""
    from immunobalance.twin._endpoints import ACTIVITY_LABEL

    shown = [o for o in recommendation.ranked if o.prediction is not None][:max_options]
    if not shown:
        return "<p>No option has a predicted trajectory.</p>"
    plt = pyplot()
    ncol = min(3, len(shown))
    nrow = -(-len(shown) // ncol)
    fig, axes = plt.subplots(
        nrow, ncol, figsize=(4.0 * ncol, 2.9 * nrow), squeeze=False, sharey=True
    )
    for ax in axes.flat[len(shown) :]:
        ax.axis("off")
    label = ACTIVITY_LABEL.get(recommendation.disease, "activity")
    for ax, o in zip(axes.flat, shown, strict=False):
        p = o.prediction
        t = p.times_week
        lo, mid, hi = p.band
        ax.fill_between(t, lo, hi, color="#1f77b4", alpha=0.25, linewidth=0, label="10–90 %")
        ax.plot(t, mid, color="#1f77b4", lw=1.8, label="median")
        ax.set_title(f"#{o.rank} " + " + ".join(o.candidate.agents), fontsize=9)
        ax.set_xlabel("week")
        ax.grid(alpha=0.3)
        if np.isfinite(lo).any():
            ax.set_xlim(float(t[0]), float(t[-1]))
    axes[0][0].set_ylabel(label)
    axes[0][0].legend(fontsize=7, loc="upper right")
    fig.suptitle(f"Predicted {label} of the patient's twin under each option", fontsize=10)
    fig.tight_layout()
    return figure_to_img(fig, alt=f"predicted {label} bands")


def recommendation_html(recommendation: Any, assessment: Any | None = None) -> str:
    """The self-contained HTML report of a :class:`~immunobalance.recommend.Recommendation`."""
    data = recommendation.to_json()
    ranked = [o for o in data["options"] if o["rank"] is not None]
    excluded = [o for o in data["options"] if o["rank"] is None]
    indices = []
    if assessment is not None:
        indices = [
            {"key": k, "value": v.value, "category": v.category, "date": v.date}
            for k, v in assessment.indices.items()
        ]
    return render_template(
        "recommendation.html.j2",
        data=data,
        ranked=ranked,
        excluded=excluded,
        indices=indices,
        figure=trajectory_figure(recommendation),
        endpoint=recommendation.endpoint.description,
    )
