"""Validation page, calibration section: predicted vs published for every calibration row.

Input is the output of ``immunobalance trial validate --format json`` (``contracts/cli.md``).
Errors are those of the command: percentage points for proportion endpoints, and relative error
in per cent for rates and means (the contract reports those as relative errors).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from docsgen.figures import pyplot, save
from docsgen.md import fmt, table

HEADING = "### Calibration: predicted vs published"


def endpoint_kinds() -> dict[str, str]:
    """Endpoint code → kind (``proportion``, ``rate``, ``mean``), from the trial-spec codes."""
    from immunobalance.trials.spec import ENDPOINT_CODES

    return dict(ENDPOINT_CODES)


def summary_by_kind(rows: list[dict[str, Any]], kinds: dict[str, str]) -> list[tuple[Any, ...]]:
    """Mean absolute error per endpoint kind: (kind, MAE, unit, number of rows)."""
    errors: dict[str, list[float]] = defaultdict(list)
    for r in rows:
        if r.get("error_pp") is not None:
            errors[kinds.get(r["endpoint"], "other")].append(abs(float(r["error_pp"])))
    return [
        (kind, fmt(sum(e) / len(e)), "pp" if kind == "proportion" else "% (relative)", len(e))
        for kind, e in sorted(errors.items())
    ]


def _number(value: Any) -> str:
    return "–" if value is None else fmt(float(value))


def render(data: dict[str, Any], figures: Path, *, n_per_arm: int, seed: int) -> str:
    """The section's Markdown (and its figure) from a ``trial validate`` JSON result."""
    rows: list[dict[str, Any]] = data["rows"]
    summary: dict[str, Any] = data["summary"]
    kinds = endpoint_kinds()

    def unit(endpoint: str) -> str:
        return "pp" if kinds.get(endpoint) == "proportion" else "%"

    every_row = table(
        [
            "trial",
            "arm",
            "endpoint",
            "week",
            "published",
            "predicted",
            "error",
            "Δ published",
            "Δ predicted",
        ],
        [
            (
                r["trial"],
                r["arm"],
                r["endpoint"],
                r["week"],
                _number(r["published"]),
                _number(r["predicted"]),
                f"{_number(r.get('error_pp'))} {unit(r['endpoint'])}",
                _number(r.get("published_diff")),
                _number(r.get("predicted_diff")),
            )
            for r in rows
        ],
    )
    by_endpoint = table(
        ["endpoint", "kind", "MAE", "rows"],
        [
            (
                code,
                kinds.get(code, "?"),
                f"{fmt(float(e['mae_pp']))} {'% (relative)' if e.get('relative') else 'pp'}",
                e.get("n"),
            )
            for code, e in sorted(summary.get("by_endpoint", {}).items())
        ],
    )
    by_kind = table(["endpoint kind", "MAE", "unit", "rows"], summary_by_kind(rows, kinds))
    figure = scatter(rows, kinds, figures / "calibration.png")
    return (
        f"{HEADING}\n\n"
        f"`immunobalance trial validate --n {n_per_arm} --seed {seed} --format json`: "
        f"{len(rows)} published figures. Mean absolute error over proportion endpoints "
        f"**{fmt(float(summary['mae_pp']))} pp**; over active-minus-comparator differences "
        f"**{fmt(float(summary['mae_diff_pp']))} pp**; sign of the difference right in "
        f"**{summary['signs_correct']} of {summary['signs_total']}**. Virtual trials have "
        f"{n_per_arm} patients per arm, so a predicted proportion carries a Monte-Carlo "
        f"standard error of up to {50 / n_per_arm**0.5:.1f} pp.\n\n"
        f"![Predicted vs published, every calibration row]({figure})\n\n"
        "#### By endpoint kind\n\n" + by_kind + "\n\n"
        "#### By endpoint\n\n" + by_endpoint + "\n\n"
        "#### Every calibration row\n\n"
        "Error: predicted − published, in percentage points (pp) for proportions and in per "
        "cent of the published value for rates and means. Δ: active minus comparator arm.\n\n"
        + every_row
        + "\n"
    )


def scatter(rows: list[dict[str, Any]], kinds: dict[str, str], path: Path) -> str:
    """Predicted vs published: proportions (0–1) beside rates and means, one colour a disease."""
    plt = pyplot()
    proportion = [r for r in rows if kinds.get(r["endpoint"]) == "proportion"]
    other = [r for r in rows if kinds.get(r["endpoint"]) != "proportion"]
    panels = [("proportion endpoints", proportion)] + (
        [("rates and means", other)] if other else []
    )
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 5.0), squeeze=False)
    endpoints = sorted({r["endpoint"] for r in rows})
    markers = "osD^vP*Xh<>p"
    style = {e: (f"C{i % 10}", markers[i // 10 % len(markers)]) for i, e in enumerate(endpoints)}
    for ax, (title, pts) in zip(axes[0], panels, strict=True):
        for endpoint in sorted({r["endpoint"] for r in pts}):
            sel = [r for r in pts if r["endpoint"] == endpoint]
            colour, marker = style[endpoint]
            ax.scatter(
                [float(r["published"]) for r in sel],
                [float(r["predicted"]) for r in sel],
                s=16,
                c=colour,
                marker=marker,
                label=endpoint,
            )
        values = [float(r[k]) for r in pts for k in ("published", "predicted")]
        lo, hi = (0.0, 1.0) if title.startswith("proportion") else (min(values), max(values))
        pad = 0.05 * (hi - lo or 1.0)
        lim = (lo - pad, hi + pad)
        ax.plot(lim, lim, color="grey", lw=1)
        ax.set(xlim=lim, ylim=lim, xlabel="published", ylabel="predicted", title=title)
    handles = {
        label: handle
        for ax in axes[0]
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True)
    }
    fig.legend(
        list(handles.values()),
        list(handles),
        loc="lower center",
        ncol=6,
        fontsize=7,
        frameon=False,
    )
    fig.tight_layout(rect=(0, 0.06 + 0.035 * (len(handles) // 6), 1, 1))
    return save(fig, path)
