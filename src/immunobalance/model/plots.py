"""Trajectory tables and plots of simulated patients (thin I/O layer over SimulationResult)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from immunobalance.model.result import SimulationResult

__all__ = ["plot_patient", "trajectory_table", "write_trajectories"]

_PANELS = (
    ("Organ inflammation and damage", ("I",), "states"),
    ("T cells", ("E1", "E17", "R"), "states"),
    ("B cells and autoantibody", ("B", "PCs", "PCl", "Ab"), "states"),
    ("Cytokine signals", ("tnf", "il6", "il17", "il23", "ifn_i", "il2"), "cytokines"),
    ("Drug concentrations (mg/L)", None, "concentrations"),
    ("Protective immunity", ("P", "LT", "LB"), "states"),
)


def trajectory_table(res: SimulationResult) -> pa.Table:
    """One row per patient and visit: states, cytokines, concentrations and read-outs."""
    n, t = res.n, res.times_week.size
    cols: dict[str, np.ndarray] = {
        "patient": np.repeat(res.patient_index, t),
        "week": np.tile(res.times_week, n),
        "status": np.repeat(res.status, t),
    }
    for group, data in (
        ("", res.states),
        ("", res.cytokines),
        ("conc_", res.concentrations),
        ("", res.readouts),
    ):
        for k, v in data.items():
            cols[f"{group}{k}"] = v.reshape(-1)
    return pa.table(cols)


def write_trajectories(res: SimulationResult, directory: Path) -> dict[str, Path]:
    """Write ``trajectories.csv`` and ``trajectories.parquet`` (long: one row per patient-visit)."""
    table = trajectory_table(res)
    paths = {"csv": directory / "trajectories.csv", "parquet": directory / "trajectories.parquet"}
    pa_csv.write_csv(table, paths["csv"])
    pq.write_table(table, paths["parquet"])
    return paths


def plot_patient(res: SimulationResult, i: int, path: Path, title: str = "") -> Path:
    """Plot patient ``i``: PNG (matplotlib) or HTML (plotly) by the file suffix."""
    weeks = res.times_week
    panels = []
    for name, keys, group in _PANELS:
        data = getattr(res, group)
        ks = list(data) if keys is None else [k for k in keys if k in data]
        panels.append((name, {k: data[k][i] for k in ks}))
    if path.suffix == ".html":
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots

        fig = make_subplots(rows=3, cols=2, subplot_titles=[p[0] for p in panels])
        for k, (_, series) in enumerate(panels):
            for key, y in series.items():
                fig.add_trace(
                    go.Scatter(x=weeks, y=y, name=key, mode="lines"), row=k // 2 + 1, col=k % 2 + 1
                )
        fig.update_layout(title=title, height=900)
        fig.write_html(str(path), include_plotlyjs="cdn")
        return path
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(3, 2, figsize=(11, 10), sharex=True)
    for ax, (name, series) in zip(axes.ravel(), panels, strict=True):
        for key, y in series.items():
            ax.plot(weeks, y, label=key)
        ax.set_title(name, fontsize=10)
        if series:
            ax.legend(fontsize=8)
    for ax in axes[-1]:
        ax.set_xlabel("week")
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
