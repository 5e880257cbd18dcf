"""Regenerate the Validation page's results: ``docs/validation/results.md`` and its figures.

Usage::

    .venv/bin/python scripts/make_validation_page.py      # or: make validation

Sections (each needs a part of immunobalance; a part not yet present is reported on the page as
not generated, never faked):

1. Calibration — ``immunobalance trial validate --format json`` (``contracts/cli.md``): predicted
   vs published for every row of ``calibration-trials.csv``, the summary errors, and a
   predicted-vs-published figure.
2. Solver accuracy and speed — ``benchmarks/solver.py --json`` (the ``make bench`` target).

Every run stamps the page with the date, the immunobalance version and the git commit.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

from docsgen.md import cell, fmt, table  # noqa: E402


def _run_json(args: list[str]) -> Any:
    proc = subprocess.run(args, cwd=REPO, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"`{' '.join(args)}` exited {proc.returncode}:\n{proc.stderr}")
    return json.loads(proc.stdout)


def _has_command(*words: str) -> bool:
    proc = subprocess.run(
        [sys.executable, "-m", "immunobalance", *words, "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    return proc.returncode == 0


def calibration_section(figures: Path) -> str:
    if not _has_command("trial", "validate"):
        return (
            "## Calibration: predicted vs published\n\n"
            "Not generated: this version has no `immunobalance trial validate` command.\n"
        )
    data = _run_json(
        [sys.executable, "-m", "immunobalance", "trial", "validate", "--format", "json"]
    )
    rows = data["rows"]
    summary = data["summary"]
    body = table(
        ["trial", "arm", "endpoint", "week", "published", "predicted", "error (pp)"],
        [
            (
                r["trial"],
                r["arm"],
                r["endpoint"],
                r["week"],
                fmt(float(r["published"])),
                fmt(float(r["predicted"])),
                fmt(float(r.get("error_pp", float("nan")))),
            )
            for r in rows
        ],
    )
    by_endpoint = table(
        ["endpoint", "error", "n"],
        [
            (k, fmt(float(v.get("mae_pp", v.get("relative_error", float("nan"))))), v.get("n"))
            for k, v in sorted(summary.get("by_endpoint", {}).items())
        ],
    )
    figure = _calibration_figure(rows, figures / "calibration.png")
    return (
        "## Calibration: predicted vs published\n\n"
        f"Mean absolute error over proportion endpoints: **{fmt(summary['mae_pp'])} pp**; "
        f"of active-vs-comparator differences: **{fmt(summary.get('mae_diff_pp', float('nan')))} "
        f"pp**; sign of the difference correct in {summary.get('signs_correct')} of "
        f"{summary.get('signs_total')}.\n\n"
        f"![Predicted vs published]({figure})\n\n"
        "### By endpoint\n\n" + by_endpoint + "\n\n### Every calibration row\n\n" + body + "\n"
    )


def _calibration_figure(rows: list[dict[str, Any]], path: Path) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 5))
    for endpoint in sorted({r["endpoint"] for r in rows}):
        pts = [r for r in rows if r["endpoint"] == endpoint]
        ax.scatter(
            [r["published"] for r in pts], [r["predicted"] for r in pts], label=endpoint, s=18
        )
    lim = [0, max(1.0, *(max(r["published"], r["predicted"]) for r in rows))]
    ax.plot(lim, lim, color="grey", lw=1)
    ax.set(xlabel="published", ylabel="predicted", xlim=lim, ylim=lim)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return f"figures/{path.name}"


def solver_section() -> str:
    bench = REPO / "benchmarks" / "solver.py"
    if not bench.exists():
        return (
            "## Solver accuracy and speed\n\n"
            "Not generated: this version has no `benchmarks/solver.py`.\n"
        )
    data = _run_json([sys.executable, str(bench), "--json"])
    flat: list[tuple[str, str]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        elif isinstance(value, float):
            flat.append((prefix, fmt(value)))
        else:
            flat.append((prefix, cell(value)))

    walk("", data)
    return (
        "## Solver accuracy and speed\n\n"
        "From `benchmarks/solver.py --json` (`make bench`) on the machine that generated this "
        "page.\n\n" + table(["measure", "value"], flat) + "\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "validation")
    args = parser.parse_args(argv)
    out: Path = args.out
    figures = out / "figures"
    shutil.rmtree(figures, ignore_errors=True)
    figures.mkdir(parents=True)
    from immunobalance import __version__

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    stamp = (
        f"*Generated {dt.date.today().isoformat()} by `scripts/make_validation_page.py` with "
        f"immunobalance {__version__}" + (f" (commit `{commit}`)" if commit else "") + ".*\n"
    )
    sections = [stamp, calibration_section(figures), solver_section()]
    (out / "results.md").write_text("\n".join(sections), encoding="utf-8")
    if not any(figures.iterdir()):
        figures.rmdir()
    print(f"wrote {out / 'results.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
