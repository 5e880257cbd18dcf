"""Regenerate the Validation page's results: ``docs/validation/results.md`` and its figures.

Usage::

    .venv/bin/python scripts/make_validation_page.py      # or: make validation
    .venv/bin/python scripts/make_validation_page.py --n 300 --population-n 500 \\
        --solver-json bench.json                           # reuse a saved benchmark line

Sections (each needs a part of immunobalance; a part not yet present is reported on the page as
not generated, never faked):

1. Calibration — ``immunobalance trial validate --format json`` (``contracts/cli.md``): predicted
   vs published for every row of ``calibration-trials.csv``, the mean absolute error per
   endpoint kind and per endpoint, and a predicted-vs-published figure.
2. Baseline match — for every population of the calibration set, a calibrated virtual
   population beside the published baseline: a table and a figure per population.
3. Solver accuracy and speed — ``benchmarks/solver.py --json`` (the ``make bench`` target), or a
   saved line of it (``--solver-json``); with ``--skip-solver`` the last saved line
   (``docs/validation/solver.json``) or the current page's section is kept.

Every run stamps the page with the date, the immunobalance version and the git commit; apart
from that stamp, equal inputs give the same page and figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

from docsgen import validation_baseline, validation_calibration, validation_solver  # noqa: E402

SEED = 20261121


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


def calibration_section(figures: Path, *, n: int, seed: int) -> str:
    if not _has_command("trial", "validate"):
        return (
            f"{validation_calibration.HEADING}\n\n"
            "Not generated: this version has no `immunobalance trial validate` command.\n"
        )
    data = _run_json(
        [
            sys.executable,
            "-m",
            "immunobalance",
            "trial",
            "validate",
            "--n",
            str(n),
            "--seed",
            str(seed),
            "--format",
            "json",
        ]
    )
    return validation_calibration.render(data, figures, n_per_arm=n, seed=seed)


def _previous_section(previous: str, heading: str) -> str | None:
    """The section under ``heading`` in the previous page, up to the next section."""
    start = previous.find(heading + "\n")
    if start < 0:
        return None
    end = previous.find("\n### ", start + len(heading))
    return previous[start:] if end < 0 else previous[start : end + 1]


def solver_section(
    out: Path, figures: Path, *, solver_json: Path | None, skip: bool, previous: str
) -> str:
    saved = out / validation_solver.SAVED
    if solver_json is not None:
        data = validation_solver.load_line(solver_json)
        origin = "From a saved line of `benchmarks/solver.py --json`."
    elif not skip:
        bench = REPO / "benchmarks" / "solver.py"
        if not bench.exists():
            return validation_solver.not_generated("this version has no `benchmarks/solver.py`.")
        data = _run_json([sys.executable, str(bench), "--json"])
        origin = "Measured by `benchmarks/solver.py --json` when this page was generated."
    elif saved.exists():
        data = validation_solver.load_line(saved)
        origin = (
            "From the saved benchmark line `docs/validation/solver.json` (the benchmark was not "
            "re-run for this page)."
        )
    else:
        kept = _previous_section(previous, validation_solver.HEADING)
        return kept or validation_solver.not_generated(
            "the benchmark was skipped (`--skip-solver`) and no saved result exists; run "
            "`make bench` and pass its line with `--solver-json`."
        )
    saved.write_text(json.dumps(data) + "\n", encoding="utf-8")
    return validation_solver.render(data, figures, origin)


def stamp() -> str:
    from immunobalance import __version__

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)

    commit = git("rev-parse", "--short", "HEAD").stdout.strip()
    # Plumbing only (no index refresh): the tree differs from HEAD in tracked files.
    dirty = bool(commit) and git("diff-index", "--quiet", "HEAD", "--").returncode == 1
    where = f" (commit `{commit}`{', with uncommitted changes' if dirty else ''})" if commit else ""
    return (
        f"*Generated {dt.date.today().isoformat()} by `scripts/make_validation_page.py` with "
        f"immunobalance {__version__}{where}.*\n"
    )


def _drop_unreferenced(figures: Path, page: str) -> None:
    """Remove figures the new page does not show (stale ones of an earlier run)."""
    if not figures.is_dir():
        return
    for png in figures.glob("*.png"):
        if f"](figures/{png.name})" not in page:
            png.unlink()
    if not any(figures.iterdir()):
        figures.rmdir()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "validation")
    parser.add_argument("--n", type=int, default=300, help="virtual patients per trial arm")
    parser.add_argument(
        "--population-n", type=int, default=500, help="virtual patients per baseline population"
    )
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--solver-json", type=Path, default=None, help="saved benchmark line")
    parser.add_argument("--skip-solver", action="store_true", help="do not run the benchmark")
    args = parser.parse_args(argv)
    out: Path = args.out
    figures = out / "figures"
    out.mkdir(parents=True, exist_ok=True)
    results = out / "results.md"
    previous = results.read_text(encoding="utf-8") if results.exists() else ""
    sections = [
        stamp(),
        calibration_section(figures, n=args.n, seed=args.seed),
        validation_baseline.render(figures, n=args.population_n, seed=args.seed),
        solver_section(
            out, figures, solver_json=args.solver_json, skip=args.skip_solver, previous=previous
        ),
    ]
    page = "\n".join(sections)
    results.write_text(page, encoding="utf-8")
    _drop_unreferenced(figures, page)
    print(f"wrote {results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
