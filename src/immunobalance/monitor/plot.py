"""Timeline plot: indices over time, therapy bars below, target bands shaded, actions marked.

Input is the timeline document (``GET /patients/{id}/timeline`` or ``patient timeline --format
json``). PNG is drawn with Matplotlib; HTML with Plotly, the library embedded in the file so it
opens offline.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from immunobalance.indices import INDEX_REGISTRY

__all__ = ["TARGET_BANDS", "TimelinePlot", "timeline_figure"]

#: Bands shaded as the treatment target (remission and low activity, or clear/mild skin).
TARGET_BANDS = frozenset({"remission", "low", "clear", "mild"})


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@dataclass(frozen=True)
class TimelinePlot:
    """A drawable timeline (see :func:`timeline_figure`)."""

    document: dict[str, Any]

    @property
    def series(self) -> dict[str, list[tuple[dt.date, float]]]:
        out: dict[str, list[tuple[dt.date, float]]] = {}
        for v in self.document["visits"]:
            for key, item in v["indices"].items():
                out.setdefault(key, []).append((_d(v["date"]), float(item["value"])))
        return out

    @property
    def primary(self) -> str | None:
        series = self.series
        return next(iter(series), None)

    def target_bands(self) -> list[tuple[str, float, float]]:
        """(band, lower, upper) of the primary index's target bands."""
        spec = INDEX_REGISTRY.get(self.primary or "")
        if spec is None:
            return []
        out, lower = [], 0.0
        for band in spec.bands:
            if math.isinf(band.upper):
                break
            if band.name in TARGET_BANDS:
                out.append((band.name, lower, band.upper))
            lower = band.upper
        return out

    def therapies(self) -> list[tuple[str, dt.date, dt.date]]:
        dates = [_d(v["date"]) for v in self.document["visits"]]
        end = max(dates) if dates else dt.date.today()
        return [
            (t["agent"], _d(t["start"]), _d(t["stop"]) if t.get("stop") else end)
            for t in self.document["therapies"]
            if t.get("start")
        ]

    def save(self, path: Path) -> Path:
        """Write ``path`` (``.png`` or ``.html``)."""
        path = Path(path)
        if path.suffix.lower() == ".html":
            self._html(path)
        else:
            self._png(path)
        return path

    def _png(self, path: Path) -> None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        therapies = self.therapies()
        fig, (ax, bars) = plt.subplots(
            2, 1, figsize=(9, 5.5), sharex=True, gridspec_kw={"height_ratios": [3, 1]}
        )
        for name, lower, upper in self.target_bands():
            ax.axhspan(lower, upper, color="tab:green", alpha=0.12 if lower == 0 else 0.06)
            ax.text(
                0.005,
                upper,
                f" {name}",
                transform=ax.get_yaxis_transform(),
                fontsize=7,
                va="top",
                color="tab:green",
            )
        for key, points in self.series.items():
            ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=key)
        for a in self.document.get("actions", []):
            ax.axvline(_d(a["date"]), color="grey", ls=":", lw=1)
            ax.annotate(
                a["kind"].replace("_", " "),
                (_d(a["date"]), 1.0),
                xycoords=("data", "axes fraction"),
                fontsize=7,
                rotation=90,
                va="top",
                ha="right",
            )
        ax.set_ylabel("index value")
        ax.set_title(f"Patient {self.document['patient']}: indices, therapies, actions")
        if self.series:
            ax.legend(fontsize=8, loc="upper right")
        for i, (_agent, start, stop) in enumerate(therapies):
            bars.plot([start, stop], [i, i], lw=8, solid_capstyle="butt")
        bars.set_yticks(range(len(therapies)), [t[0] for t in therapies], fontsize=8)
        bars.set_ylim(-0.8, max(len(therapies), 1) - 0.2)
        bars.set_xlabel("date")
        fig.tight_layout()
        fig.savefig(path, dpi=120)
        plt.close(fig)

    def _html(self, path: Path) -> None:
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots

        fig = make_subplots(
            rows=2, cols=1, shared_xaxes=True, row_heights=[0.72, 0.28], vertical_spacing=0.05
        )
        for key, points in self.series.items():
            fig.add_trace(
                go.Scatter(
                    x=[p[0] for p in points],
                    y=[p[1] for p in points],
                    mode="lines+markers",
                    name=key,
                ),
                row=1,
                col=1,
            )
        for name, lower, upper in self.target_bands():
            fig.add_hrect(
                y0=lower,
                y1=upper,
                fillcolor="green",
                opacity=0.1,
                line_width=0,
                annotation_text=name,
                row=1,
                col=1,
            )
        for agent, start, stop in self.therapies():
            fig.add_trace(
                go.Scatter(
                    x=[start, stop],
                    y=[agent, agent],
                    mode="lines",
                    line={"width": 12},
                    showlegend=False,
                    name=agent,
                ),
                row=2,
                col=1,
            )
        for a in self.document.get("actions", []):
            fig.add_vline(x=a["date"], line_dash="dot", line_color="grey")
        fig.update_layout(title=f"Patient {self.document['patient']}", height=520)
        fig.write_html(path, include_plotlyjs=True, full_html=True)


def timeline_figure(document: dict[str, Any]) -> TimelinePlot:
    """A :class:`TimelinePlot` of a timeline document; ``.save(path)`` writes PNG or HTML."""
    return TimelinePlot(document)
