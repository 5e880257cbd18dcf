"""Figures of the generated pages: matplotlib (Agg), small PNGs, byte-stable for equal data.

PNG files carry no timestamp, and the ``Software`` entry is dropped so that a matplotlib upgrade
alone does not change a committed figure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

DPI = 100


def pyplot() -> Any:
    """``matplotlib.pyplot`` on the non-interactive Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save(fig: Any, path: Path) -> str:
    """Write ``fig`` to ``path`` and close it; return the page-relative ``figures/NAME``."""
    plt = pyplot()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=DPI, metadata={"Software": None})
    plt.close(fig)
    return f"figures/{path.name}"
