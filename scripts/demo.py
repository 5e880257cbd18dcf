"""The end-to-end demo behind ``make demo``; grows with the project.

Runs each main job on embedded defaults (bundled knowledge base and examples, SQLite in the data
directory) and writes what it produces under ``--out``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path


def run(*args: str) -> None:
    print(f"\n$ immunobalance {' '.join(args)}", flush=True)
    subprocess.run([sys.executable, "-m", "immunobalance", *args], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("demo-output"))
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    run("kb", "diseases")
    run("kb", "agents", "--disease", "rheumatoid_arthritis")
    run("kb", "show", "tocilizumab")
    # recommendations with HTML reports for the example patients (cold the first time: the
    # population outcomes of every candidate regimen are simulated and cached)
    reports = out / "reports"
    reports.mkdir(exist_ok=True)
    for patient in sorted(Path("examples/patients").glob("*.json")):
        run(
            "recommend",
            str(patient),
            "--n",
            "300",
            "--report",
            str(reports / f"{patient.stem}.html"),
        )


if __name__ == "__main__":
    main()
