"""Write examples/cohorts/ra_simulated_cohort.csv: a cohort from a KNOWN data-generating process.

The file is a stand-in for the per-patient output of an in-silico trial (one row per virtual
patient: id, arm, baseline biomarkers, endpoint columns). Until the trial runner writes that
output, it comes from :func:`immunobalance.learn.synthetic_cohort`, a logistic model whose
effects are chosen, not estimated (see its docstring): log CRP (+0.9 log-odds per SD), ACPA
positivity (+0.8), Treg % (−0.7 per SD), log IL-6 on tocilizumab only (+0.9 per SD), arms vs
placebo (adalimumab +1.2, tocilizumab +1.0); RF, TNF, IL-17A, age and sex have no effect.
The numbers are therefore NOT evidence about any drug.

Usage: python scripts/make_example_cohort.py [--n 1200] [--seed 20260101] [--out PATH]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from immunobalance.learn import synthetic_cohort, write_cohort_csv

DEFAULT_OUT = (
    Path(__file__).resolve().parent.parent / "examples" / "cohorts" / "ra_simulated_cohort.csv"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1200, help="number of patients")
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    cohort = synthetic_cohort(args.n, args.seed)
    path = write_cohort_csv(cohort.columns, args.out)
    print(f"wrote {path} ({args.n} patients)")


if __name__ == "__main__":
    main()
