"""Validation page, solver section: accuracy and speed from ``benchmarks/solver.py --json``.

The benchmark takes minutes, so the page can be built from a saved benchmark line
(``--solver-json FILE``); the line used is kept beside the page (``solver.json``) so that a later
run that skips the benchmark shows the same measurement again rather than nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from docsgen.figures import pyplot, save
from docsgen.md import cell, fmt, table

HEADING = "### Solver accuracy and speed"
SAVED = "solver.json"


def flatten(data: dict[str, Any]) -> list[tuple[str, str]]:
    """``a.b`` → value rows of a nested benchmark result, in its own order."""
    flat: list[tuple[str, str]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        else:
            flat.append((prefix, fmt(value) if isinstance(value, float) else cell(value)))

    walk("", data)
    return flat


def figure(data: dict[str, Any], path: Path) -> str | None:
    """Wall time for the cohort, ours vs libRoadRunner (log scale), with the worst error."""
    if not {"ours_s", "roadrunner_s"} <= data.keys():
        return None
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 2.9))
    timed = data.get("roadrunner_n_timed", data.get("n"))
    rr = "libRoadRunner\n(one patient at a time)"
    if timed != data.get("n"):
        rr = f"libRoadRunner\n(extrapolated from {timed})"
    labels = ["immunobalance\n(vectorised, numba)", rr]
    times = [float(data["ours_s"]), float(data["roadrunner_s"])]
    ax.barh(labels, times, color=["C0", "C7"])
    ax.set_xscale("log")
    for y, t in enumerate(times):
        ax.text(t, y, f" {t:.3g} s", va="center", fontsize=8)
    ax.set_xlim(min(times) / 3, max(times) * 8)
    ax.set_xlabel(f"wall time, {data.get('n', '?')} patients × {data.get('weeks', '?')} weeks")
    ax.set_title(
        f"speed-up {data.get('speedup', '?')}×\nmax relative difference "
        f"{data.get('max_rel_err', '?')} at rtol {data.get('rtol', '?')}",
        fontsize=9,
    )
    ax.tick_params(labelsize=8)
    fig.tight_layout()
    return save(fig, path)


def render(data: dict[str, Any], figures: Path, origin: str) -> str:
    """The section's Markdown from one benchmark result; ``origin`` says where it came from."""
    fig = figure(data, figures / "solver.png")
    shown = f"![Solver speed and accuracy]({fig})\n\n" if fig else ""
    return (
        f"{HEADING}\n\n"
        f"{origin} The cohort is simulated by immunobalance and, patient by patient, by "
        "libRoadRunner on the model's SBML export; `max_rel_err` is the largest relative "
        "difference of any state at any week (see the benchmark's docstring).\n\n"
        + shown
        + table(["measure", "value"], flatten(data))
        + "\n"
    )


def load_line(path: Path) -> dict[str, Any]:
    """The last JSON object line of a benchmark output file (a line of ``--json`` output)."""
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    for line in reversed(lines):
        if line.lstrip().startswith("{"):
            data = json.loads(line)
            if isinstance(data, dict):
                return data
    # A pretty-printed (indented) result: the whole file is one object.
    data = json.loads("\n".join(lines))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: not a benchmark result (a JSON object)")
    return data


def not_generated(reason: str) -> str:
    return f"{HEADING}\n\nNot generated: {reason}\n"
