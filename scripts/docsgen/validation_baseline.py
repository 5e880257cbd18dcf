"""Validation page, baseline-match section: virtual populations against published baselines.

For every (disease, population) that the calibration set uses, a calibrated virtual population
is drawn (:func:`immunobalance.population.sample_virtual_population`; selection after Allen,
Rieger & Musante, CPT Pharmacometrics Syst Pharmacol 2016;5:140-6) and each published baseline
characteristic of the knowledge-base population is set beside the same summary of the virtual
patients: mean ± SD for a published mean ± SD, median (IQR) for a published median, the fraction
for a published fraction. How each characteristic is reproduced is stated per row:

* *selected* — a target marginal of the acceptance step (``VirtualPopulation.targets``);
* *drawn* — a covariate drawn directly from the published summary (age, sex, weight);
* *not simulated* — the model has no such quantity (disease duration, prior therapies …).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from docsgen.figures import pyplot, save
from docsgen.md import table

HEADING = "### Baseline match: virtual vs published populations"


@dataclass(frozen=True)
class Characteristic:
    """One published baseline characteristic with the virtual patients' values (if any)."""

    key: str
    published: Any  # knowledge.schema.PopulationBaseline
    values: NDArray[np.float64] | None
    how: str  # "selected" | "drawn" | "not simulated"


def calibration_populations() -> list[tuple[str, str]]:
    """The (disease, population) pairs of the calibration rows, sorted."""
    from immunobalance.population._rows import calibration_rows

    return sorted({(r.disease, r.population) for r in calibration_rows()})


def characteristics(vp: Any, baseline: dict[str, Any]) -> list[Characteristic]:
    """Every published characteristic of ``baseline`` with the accepted patients' values."""
    ok = vp.accepted
    covariates = {
        "AGE": vp.covariates["age_years"],
        "WEIGHT_KG": vp.covariates["weight_kg"],
        "FEMALE": (np.asarray(vp.covariates["sex"]) == "female").astype(float),
    }
    series = {t.key: t.series for t in vp.targets}
    out = []
    for key, rec in baseline.items():
        if key in series:
            src = vp.baseline_readouts if series[key] in vp.baseline_readouts else vp.biomarkers
            values = np.asarray(src[series[key]], dtype=float)[ok]
            how = "selected"
        elif key in covariates:
            values, how = np.asarray(covariates[key], dtype=float)[ok], "drawn"
        else:
            values, how = None, "not simulated"
        if values is not None:
            values = values[np.isfinite(values)]
        out.append(Characteristic(key, rec, values, how))
    return out


def describe_published(rec: Any) -> str:
    """The published summary as printed in the source (fraction, mean ± SD or median)."""
    if rec.fraction is not None:
        return f"{rec.fraction:.0%}"
    if rec.mean is not None:
        return f"{rec.mean:.3g}" + (f" ± {rec.sd:.3g}" if rec.sd is not None else "")
    if rec.median is not None:
        spread = f" ({rec.low:.3g}–{rec.high:.3g})" if None not in (rec.low, rec.high) else ""
        return f"median {rec.median:.3g}{spread}"
    return "(no summary)"


def describe_virtual(c: Characteristic) -> str:
    """The virtual patients' summary in the published one's form."""
    x = c.values
    if x is None:
        return "–"
    if x.size == 0:
        return "no finite values"
    rec = c.published
    if rec.fraction is not None:
        return f"{np.mean(x > 0):.0%}"
    if rec.mean is not None:
        return f"{np.mean(x):.3g} ± {np.std(x, ddof=1):.3g}"
    q1, med, q3 = np.quantile(x, [0.25, 0.5, 0.75])
    return f"median {med:.3g} (IQR {q1:.3g}–{q3:.3g})"


def _status_note(vp: Any) -> str:
    from immunobalance.population import PLAUSIBILITY_STATUS

    counts = Counter(int(s) for s in vp.status)
    parts = [f"{counts[0]} of {vp.n} slots accepted"]
    parts += [
        f"{counts[s]} with status {s} ({PLAUSIBILITY_STATUS.get(s, '?').split(':')[0]})"
        for s in sorted(counts)
        if s != 0
    ]
    return "; ".join(parts)


def figure(vp: Any, chars: list[Characteristic], title: str, path: Path) -> str:
    """Histograms of continuous characteristics with the published marginal, and bars for
    fractions (published beside virtual), one panel each; not-simulated ones are omitted."""
    plt = pyplot()
    targets = {t.key: t for t in vp.targets}
    continuous = [c for c in chars if c.values is not None and c.published.fraction is None]
    fractions = [c for c in chars if c.values is not None and c.published.fraction is not None]
    panels = len(continuous) + (1 if fractions else 0)
    cols = min(max(panels, 1), 4)
    rows = -(-max(panels, 1) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(2.6 * cols, 2.3 * rows + 0.4), squeeze=False)
    flat = list(axes.flat)
    for ax, c in zip(flat, continuous, strict=False):
        x = c.values
        assert x is not None
        ax.hist(x, bins=25, density=True, alpha=0.55, color="C0", label="virtual")
        grid = np.linspace(max(0.0, float(np.min(x))), float(np.max(x)), 200)
        if c.key in targets:
            ax.plot(grid, targets[c.key].pdf(grid), "k-", lw=1.2, label="published")
        else:
            centre, sd = _centre_spread(c.published)
            if centre is not None and sd:
                dens = np.exp(-0.5 * ((grid - centre) / sd) ** 2) / (sd * np.sqrt(2 * np.pi))
                ax.plot(grid, dens, "k-", lw=1.2, label="published")
            elif centre is not None:  # a published centre without a spread
                ax.axvline(centre, color="k", lw=1.2, label="published (no SD)")
        ax.set_title(f"{c.key} ({c.how})", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.set_yticks([])
    if fractions:
        ax = flat[len(continuous)]
        pos = np.arange(len(fractions))
        published = [c.published.fraction for c in fractions]
        virtual = [float(np.mean(c.values > 0)) if c.values is not None else 0.0 for c in fractions]
        ax.bar(pos - 0.2, published, 0.4, color="k", label="published")
        ax.bar(pos + 0.2, virtual, 0.4, color="C0", alpha=0.7, label="virtual")
        ax.set_xticks(pos, [c.key for c in fractions], rotation=30, ha="right", fontsize=6)
        ax.set_ylim(0, 1)
        ax.set_title("fractions", fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in flat[panels:]:
        ax.axis("off")
    if panels:
        shown: set[tuple[str, ...]] = set()
        for ax in flat[:panels]:  # a legend wherever the panel's entries are new
            labels = tuple(ax.get_legend_handles_labels()[1])
            if labels not in shown:
                ax.legend(fontsize=6, frameon=False)
                shown.add(labels)
    else:
        flat[0].text(0.5, 0.5, "no published characteristic\nis simulated", ha="center")
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return save(fig, path)


def _centre_spread(rec: Any) -> tuple[float | None, float | None]:
    if rec.mean is not None:
        return rec.mean, rec.sd
    if rec.median is not None and rec.low is not None and rec.high is not None:
        return rec.median, (rec.high - rec.low) / 4.0
    return None, None


def render(figures: Path, *, n: int, seed: int) -> str:
    """The section's Markdown (a table and a figure per calibration population)."""
    from immunobalance.knowledge import load_knowledge_base
    from immunobalance.population import sample_virtual_population

    kb = load_knowledge_base()
    parts = [
        f"{HEADING}\n\n"
        f"For each population of the calibration set, {n} virtual patients drawn with seed "
        f"{seed} from the calibrated priors and selected on the published baseline (Allen, "
        "Rieger & Musante 2016). Summaries are over accepted patients. *selected*: a target "
        "of the selection step; *drawn*: a covariate drawn from the published summary; *not "
        "simulated*: the model has no such quantity, so it cannot be matched.\n"
    ]
    for disease, population in calibration_populations():
        pop = kb.population(disease, population)
        vp = sample_virtual_population(disease, population, n, seed=seed)
        chars = characteristics(vp, dict(pop.baseline))
        title = f"{disease} / {population}"
        fig = figure(vp, chars, title, figures / f"baseline-{disease}-{population}.png")
        sources = list(dict.fromkeys(c.published.source for c in chars))
        body = table(
            ["characteristic", "unit", "published", "virtual", "how", "source"],
            [
                (
                    c.key,
                    c.published.unit,
                    describe_published(c.published),
                    describe_virtual(c),
                    c.how,
                    f"[{sources.index(c.published.source) + 1}]",
                )
                for c in chars
            ],
        )
        cited = "\n".join(f"{i}. {s}" for i, s in enumerate(sources, start=1))
        parts.append(
            f"#### {title}\n\n{pop.name} (calibration {vp.calibration_version}): "
            f"{_status_note(vp)}.\n\n![{title}: baseline, virtual vs published]({fig})\n\n"
            + body
            + "\n\nSources:\n\n"
            + cited
            + "\n"
        )
    return "\n".join(parts)
