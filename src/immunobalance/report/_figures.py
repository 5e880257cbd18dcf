"""Figures for HTML reports: matplotlib rendered to inline base64 PNG (no CDN, no files)."""

from __future__ import annotations

import base64
import io
from typing import Any

__all__ = ["figure_to_img", "pyplot"]


def pyplot() -> Any:
    """``matplotlib.pyplot`` on the non-interactive Agg backend."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def figure_to_img(fig: Any, *, alt: str = "figure", dpi: int = 110) -> str:
    """An ``<img>`` tag holding the figure as an inline PNG (the figure is closed)."""
    import html

    plt = pyplot()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode()
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}"/>'
