"""Population-level calibration: what is fitted, how it is stored, how it is applied.

A :class:`Calibration` holds, per disease, *population-level* values only:

* ``typical`` — new typical (median) values of measurement-model and placebo parameters
  (``placebo_subjective``, ``placebo_objective``, visit noise …); each patient keeps its own
  between-patient draw around the new typical value (same random stream, inverse CDF);
* ``pathway_multipliers`` — factors on the knowledge-base pathway prior weights (renormalised
  per patient), i.e. the disease's average pathway mix;
* ``spread`` — between-patient spread of a parameter replacing its declared prior spread;
* ``pathway_cv`` — between-patient spread (lognormal CV) of the pathway weights: how much
  patients differ in which pathway drives their disease, hence the spread of responses to one
  targeted agent (default: the declared prior ``PATHWAY_CV``);
* ``placebo_between_trial_sd`` — SD, on the logit scale, of a trial-level random effect on the
  placebo parameters (trials differ in era, rescue rules, expectation): unseen trials are
  predicted at the population mean and this spread belongs in their intervals.

Agent PK and potency are never part of a calibration (pharmacology, not outcomes):
:func:`check_no_agent_parameters` enforces it when a file is loaded.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from immunobalance.errors import CalibrationError

__all__ = [
    "FORBIDDEN_KEYS",
    "Calibration",
    "DiseaseCalibration",
    "calibration_path",
    "check_no_agent_parameters",
    "latest_calibration_version",
    "load_calibration",
]

#: Words that would mark an agent-level (pharmacological) parameter in a calibration file.
FORBIDDEN_KEYS = (
    "potency",
    "ec50",
    "ic50",
    "clearance",
    "half_life",
    "bioavailability",
    "volume_central",
    "ka",
    "emax",
    "agent",
)


@dataclass(frozen=True)
class DiseaseCalibration:
    """Population-level parameters of one disease (see module docstring)."""

    typical: dict[str, float] = field(default_factory=dict)
    pathway_multipliers: dict[str, float] = field(default_factory=dict)
    placebo_between_trial_sd: float = 0.0
    trial_effects: dict[str, float] = field(default_factory=dict)  # trial → logit offset (EB)
    #: Between-patient CV of the pathway weights (None: the declared PATHWAY_CV prior).
    pathway_cv: float | None = None
    #: Between-patient spread replacing a parameter's declared prior spread (CV of a
    #: lognormal prior, SD of a normal or logit-normal one), e.g. how much patients differ in
    #: how close their T-cell loop sits to its tolerance switch (``K_act``).
    spread: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "typical": dict(self.typical),
            "pathway_multipliers": dict(self.pathway_multipliers),
            "pathway_cv": self.pathway_cv,
            "placebo_between_trial_sd": self.placebo_between_trial_sd,
            "trial_effects": dict(self.trial_effects),
            **({"spread": dict(self.spread)} if self.spread else {}),
        }


@dataclass(frozen=True)
class Calibration:
    """Versioned population-level parameters (``population/data/calibration-v<N>.json``)."""

    version: str
    diseases: dict[str, DiseaseCalibration]
    meta: dict[str, Any] = field(default_factory=dict)

    def for_disease(self, disease: str) -> DiseaseCalibration:
        return self.diseases.get(disease, DiseaseCalibration())

    def fingerprint(self, disease: str) -> str:
        """Content hash of one disease's parameters (cache key: versions can be refitted)."""
        text = json.dumps(self.for_disease(disease).to_dict(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    @classmethod
    def uncalibrated(cls) -> Calibration:
        """The declared priors unchanged (version ``uncalibrated-priors``)."""
        return cls("uncalibrated-priors", {})

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            **self.meta,
            "diseases": {k: v.to_dict() for k, v in sorted(self.diseases.items())},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], where: str = "calibration") -> Calibration:
        check_no_agent_parameters(data, where)
        try:
            diseases = {
                k: DiseaseCalibration(
                    typical={p: float(x) for p, x in v.get("typical", {}).items()},
                    pathway_multipliers={
                        p: float(x) for p, x in v.get("pathway_multipliers", {}).items()
                    },
                    placebo_between_trial_sd=float(v.get("placebo_between_trial_sd", 0.0)),
                    trial_effects={t: float(x) for t, x in v.get("trial_effects", {}).items()},
                    pathway_cv=None if v.get("pathway_cv") is None else float(v["pathway_cv"]),
                    spread={p: float(x) for p, x in v.get("spread", {}).items()},
                )
                for k, v in data["diseases"].items()
            }
            version = str(data["version"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise CalibrationError(f"{where}: malformed calibration file ({exc})") from exc
        meta = {k: v for k, v in data.items() if k not in ("diseases", "version")}
        return cls(version, diseases, meta)


def check_no_agent_parameters(data: Any, where: str = "calibration") -> None:
    """Raise if a calibration names an agent-level parameter (PK/potency are never fitted)."""
    bad: list[str] = []

    def walk(obj: Any, path: str) -> None:
        if isinstance(obj, dict):
            for k, v in obj.items():
                if path.endswith(("typical", "pathway_multipliers", "spread")) and any(
                    f in str(k).lower() for f in FORBIDDEN_KEYS
                ):
                    bad.append(f"{path}.{k}")
                walk(v, f"{path}.{k}")

    walk(data, "")
    if bad:
        raise CalibrationError(
            f"{where}: agent-level parameters are not calibratable: " + ", ".join(bad)
        )


def _data_dir() -> Path:
    return Path(str(resources.files("immunobalance.population") / "data"))


def calibration_path(version: int | str) -> Path:
    """Path of ``calibration-v<version>.json`` in the package."""
    v = str(version).removeprefix("v")
    return _data_dir() / f"calibration-v{v}.json"


def latest_calibration_version() -> int | None:
    """Highest version number shipped in the package, or None."""
    versions = []
    for p in _data_dir().glob("calibration-v*.json"):
        tail = p.stem.removeprefix("calibration-v")
        if tail.isdigit():
            versions.append(int(tail))
    return max(versions) if versions else None


@lru_cache(maxsize=8)
def _load(version: int | None) -> Calibration:
    if version is None:
        return Calibration.uncalibrated()
    path = calibration_path(version)
    if not path.exists():
        raise CalibrationError(
            f"calibration version {version} not found ({path.name}); run "
            "`immunobalance calibrate` to create it"
        )
    return Calibration.from_json(json.loads(path.read_text(encoding="utf-8")), path.name)


def load_calibration(version: int | str | None = None) -> Calibration:
    """The packaged calibration ``version`` (default: the latest; uncalibrated priors if none).

    Raises
    ------
    CalibrationError
        If the version does not exist or the file is malformed or names agent parameters.
    """
    if version is None:
        return _load(latest_calibration_version())
    return _load(int(str(version).removeprefix("v")))
