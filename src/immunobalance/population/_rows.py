"""The calibration rows (``population/data/calibration-trials.csv``) and their trial specs."""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from immunobalance.errors import CalibrationError
from immunobalance.trials.spec import ENDPOINT_CODES, TrialSpec, parse_trial_spec

__all__ = ["CalibrationRow", "calibration_rows", "data_sha256", "rows_by_trial", "trial_spec"]


@dataclass(frozen=True)
class CalibrationRow:
    """One published arm × endpoint figure (value as in the CSV: fractions, rates, means)."""

    trial: str
    disease: str
    population: str
    arm: str
    regimen: tuple[dict[str, object], ...]
    endpoint: str
    week: float
    value: float
    comparator_arm: str | None
    source: str

    @property
    def kind(self) -> str:
        return ENDPOINT_CODES[self.endpoint]


def _csv_path() -> Path:
    return Path(
        str(resources.files("immunobalance.population") / "data" / "calibration-trials.csv")
    )


def data_sha256() -> str:
    """SHA-256 of the packaged calibration CSV (recorded in calibration files)."""
    return hashlib.sha256(_csv_path().read_bytes()).hexdigest()


def calibration_rows(path: Path | None = None) -> list[CalibrationRow]:
    """All rows of the calibration CSV (packaged copy by default).

    Raises
    ------
    CalibrationError
        Naming every malformed row.
    """
    p = path or _csv_path()
    rows, problems = [], []
    with p.open(newline="", encoding="utf-8") as fh:
        for i, r in enumerate(csv.DictReader(fh), start=2):
            try:
                rows.append(
                    CalibrationRow(
                        trial=r["trial"],
                        disease=r["disease"],
                        population=r["population"],
                        arm=r["arm"],
                        regimen=tuple(json.loads(r["regimen_json"])),
                        endpoint=r["endpoint"],
                        week=float(r["week"]),
                        value=float(r["value"]),
                        comparator_arm=r["comparator_arm"] or None,
                        source=r["source"],
                    )
                )
            except (KeyError, ValueError, TypeError) as exc:
                problems.append(f"{p.name}:{i}: {exc}")
            else:
                if rows[-1].endpoint not in ENDPOINT_CODES:
                    problems.append(f"{p.name}:{i}: unknown endpoint {rows[-1].endpoint!r}")
    if problems:
        raise CalibrationError("malformed calibration rows:\n" + "\n".join(problems))
    return rows


def rows_by_trial(rows: list[CalibrationRow]) -> dict[str, list[CalibrationRow]]:
    out: dict[str, list[CalibrationRow]] = {}
    for r in rows:
        out.setdefault(r.trial, []).append(r)
    return out


def trial_spec(
    rows: list[CalibrationRow], *, n_per_arm: int, seed: int, arms: list[str] | None = None
) -> TrialSpec:
    """The in-silico trial of one calibration trial (all its arms, endpoints and weeks)."""
    first = rows[0]
    regimens: dict[str, tuple[dict[str, object], ...]] = {}
    comparator: dict[str, str | None] = {}
    for r in rows:
        regimens.setdefault(r.arm, r.regimen)
        comparator.setdefault(r.arm, r.comparator_arm)
    names = [a for a in regimens if arms is None or a in arms]
    weeks = sorted({r.week for r in rows})
    return parse_trial_spec(
        {
            "trial": {
                "name": first.trial,
                "disease": first.disease,
                "population": first.population,
                "n_per_arm": n_per_arm,
                "weeks": max(weeks),
                "seed": seed,
            },
            "arms": [
                {
                    "name": a,
                    "regimen": list(regimens[a]),
                    **(
                        {"comparator": comparator[a]}
                        if comparator[a] and comparator[a] in names
                        else {}
                    ),
                }
                for a in names
            ],
            "endpoints": {"codes": sorted({r.endpoint for r in rows}), "at_weeks": weeks},
        }
    )
