"""The population's outcomes under one regimen, simulated once and cached.

:func:`simulate_outcomes` runs the calibrated virtual population of a disease/population through
the engine under a regimen and scores every virtual patient with the trial module's endpoint
code (the same estimand rules as an in-silico trial: non-responder imputation after leaving
treatment for adverse events, serious infection or lack of efficacy). Loss to follow-up — a trial
artefact, not a property of the drug — is switched off. :class:`OutcomeCache` stores the result
under ``settings.cache_dir/twin`` keyed by everything that determines it, so a patient's twin is
a reweighting of stored outcomes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

import immunobalance
from immunobalance.regimen import RegimenItem
from immunobalance.twin._endpoints import PrimaryEndpoint

__all__ = [
    "BASELINE",
    "OutcomeCache",
    "OutcomeKey",
    "RegimenOutcomes",
    "simulate_baseline",
    "simulate_outcomes",
]

#: Regimen label of the untreated baseline entry (virtual patients' features).
BASELINE = "baseline"
_CHUNK = 1024


@dataclass(frozen=True)
class OutcomeKey:
    """Everything a cached entry depends on."""

    disease: str
    population: str
    regimen: tuple[RegimenItem, ...]
    calibration_version: str
    n: int
    seed: int
    endpoints: tuple[str, ...]
    software_version: str = immunobalance.__version__

    def regimen_json(self) -> list[dict[str, object]]:
        return [
            item.model_dump(exclude_none=True, exclude_defaults=True) | {"agent": item.agent}
            for item in self.regimen
        ]

    @property
    def digest(self) -> str:
        """SHA-256 (first 20 hex digits) of the key's canonical JSON."""
        payload = {
            "disease": self.disease,
            "population": self.population,
            "regimen": sorted(json.dumps(i, sort_keys=True) for i in self.regimen_json()),
            "calibration_version": self.calibration_version,
            "n": self.n,
            "seed": self.seed,
            "endpoints": sorted(self.endpoints),
            "software_version": self.software_version,
        }
        text = json.dumps(payload, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:20]


@dataclass
class RegimenOutcomes:
    """Per-virtual-patient outcomes of one regimen (or the baseline features).

    Attributes
    ----------
    ok
        ``(n,)`` solver succeeded.
    endpoints
        ``CODE@WEEK`` → ``(n,)`` values (0/1 for proportions, NaN = not evaluable).
    times_week, activity
        Visit weeks ``(t,)`` and the disease-activity score per patient ``(n, t)``.
    features
        Baseline observation features ``(n,)`` (only in the baseline entry).
    """

    ok: NDArray[np.bool_]
    endpoints: dict[str, NDArray[np.float64]]
    times_week: NDArray[np.float64]
    activity: NDArray[np.float32]
    features: dict[str, NDArray[np.float64]] = dataclasses.field(default_factory=dict)
    notes: list[str] = dataclasses.field(default_factory=list)

    @property
    def n(self) -> int:
        return int(self.ok.shape[0])


def _visits(endpoint: PrimaryEndpoint) -> NDArray[np.float64]:
    w = endpoint.horizon_weeks
    grid = {
        0.0,
        2.0,
        w,
        endpoint.week,
        *np.arange(0.0, w + 1e-9, 4.0).tolist(),
        *np.arange(0.0, w + 1e-9, 12.0).tolist(),
    }
    return np.array(sorted(g for g in grid if g <= w))


def simulate_baseline(
    disease: str,
    population: str,
    *,
    n: int,
    seed: int,
    source: object,
) -> RegimenOutcomes:
    """Virtual patients' baseline features: week-0 read-outs plus the source's biomarkers.

    The week-0 visit of every regimen's simulation is identical (visit noise is keyed on patient
    and hour; no drug has acted), so one untreated evaluation serves all regimens.
    """
    from immunobalance.trials.cohort import disease_module

    module = disease_module(disease)
    features: dict[str, list[NDArray[np.float64]]] = {}
    oks: list[NDArray[np.bool_]] = []
    notes: set[str] = set()
    for start in range(0, n, _CHUNK):
        idx = np.arange(start, min(start + _CHUNK, n), dtype=np.int64)
        cohort = source.draw(disease, population, idx, seed=seed)  # type: ignore[attr-defined]
        notes |= set(cohort.notes)
        base = module.baseline_readouts(
            cohort.params, seed=seed, patient_index=idx, covariates=cohort.covariates
        )
        oks.append(np.all([np.isfinite(v) for v in base.values()], axis=0))
        extra = _source_biomarkers(source, disease, population, idx, seed)
        for k, v in {**base, **extra, **(cohort.baseline or {})}.items():
            arr = np.asarray(v)
            if arr.dtype.kind in "fiub" and arr.shape == idx.shape:
                features.setdefault(k, []).append(arr.astype(float))
    feats = {k: np.concatenate(v) for k, v in features.items() if sum(map(len, v)) == n}
    ok = np.concatenate(oks)
    return RegimenOutcomes(
        np.asarray(ok, bool),
        {},
        np.array([0.0]),
        np.zeros((n, 1), np.float32),
        feats,
        sorted(notes),
    )


def _source_biomarkers(
    source: object, disease: str, population: str, idx: NDArray[np.int64], seed: int
) -> dict[str, NDArray[np.float64]]:
    """Biomarkers the cohort source draws beside the parameters (serostatus, IFN signature,
    Treg %, HLA …): the source's ``biomarkers(disease, population, idx, seed=)`` when it has one,
    else those of the calibrated population layer for its own source, else none."""
    method = getattr(source, "biomarkers", None)
    if callable(method):
        return dict(method(disease, population, idx, seed=seed))
    try:
        from immunobalance.population import CalibratedCohortSource, sample_virtual_population
    except ImportError:  # pragma: no cover - the population layer ships with the package
        return {}
    if not isinstance(source, CalibratedCohortSource):
        return {}
    vp = sample_virtual_population(
        disease,
        population,
        idx.size,
        seed=seed,
        patient_index=idx,
        calibration=source._calibration(),
        placebo_logit_offset=source.placebo_logit_offset,
    )
    return dict(getattr(vp, "biomarkers", {}) or {})


def simulate_outcomes(
    disease: str,
    population: str,
    regimen: Sequence[RegimenItem],
    endpoint: PrimaryEndpoint,
    *,
    n: int,
    seed: int,
    source: object,
) -> RegimenOutcomes:
    """Simulate the population under ``regimen`` and score the primary and risk endpoints.

    Parameters
    ----------
    disease, population
        Knowledge-base keys.
    regimen
        Validated regimen items (background therapy included where it is given).
    endpoint
        The primary endpoint (:func:`~immunobalance.twin.primary_endpoint`).
    n, seed
        Virtual patients ``0 … n−1`` of the source, and the seed of every draw.
    source
        A :class:`~immunobalance.trials.VirtualCohortSource`.
    """
    from immunobalance.knowledge.loader import load_knowledge_base
    from immunobalance.model.run_in import established_background, simulate_with_run_in
    from immunobalance.trials.chunks import ACTIVITY_SCORE
    from immunobalance.trials.cohort import disease_module
    from immunobalance.trials.conduct import (
        arm_ae_hazard_per_week,
        background_agents,
        default_trial_conduct,
        discontinuation,
    )
    from immunobalance.trials.endpoints import ArmTrajectories, evaluate_endpoint

    module = disease_module(disease)
    conduct = dataclasses.replace(default_trial_conduct(disease), other_dropout_per_year=0.0)
    hazard = arm_ae_hazard_per_week(list(regimen), background_agents(disease, population), conduct)
    visits = _visits(endpoint)
    weeks = float(visits[-1])
    codes = [endpoint.risk_key]
    if endpoint.code != "CPEPTIDE_PRESERVED":
        codes.insert(0, endpoint.key)
    parts: dict[str, list[NDArray[np.float64]]] = {c: [] for c in codes}
    oks, acts, notes = [], [], set()
    # a population on stable background therapy continues it: its effect is in the entry state
    established, run_in_weeks = established_background(
        load_knowledge_base().population(disease, population), [list(regimen)]
    )
    for start in range(0, n, _CHUNK):
        idx = np.arange(start, min(start + _CHUNK, n), dtype=np.int64)
        cohort = source.draw(disease, population, idx, seed=seed)  # type: ignore[attr-defined]
        sim = simulate_with_run_in(
            module,
            cohort.params,
            list(regimen),
            weeks,
            established=established,
            run_in_weeks=run_in_weeks,
            sample_weeks=visits,
            seed=seed,
            patient_index=idx,
            covariates=cohort.covariates,
        )
        notes |= set(sim.notes) | set(cohort.notes)
        first_si = np.array(
            [
                e.min() if len(e) else np.inf
                for e in sim.events.get("serious_infection", [np.array([])] * idx.size)
            ]
        )
        stop_week, stop_reason = discontinuation(
            conduct=conduct,
            ae_hazard_per_week=hazard,
            first_serious_infection_week=first_si,
            readouts=sim.readouts,
            times_week=sim.times_week,
            horizon_weeks=weeks,
            seed=seed,
            patient_index=idx,
        )
        ok = sim.ok
        rows = np.flatnonzero(ok)
        traj = ArmTrajectories(
            disease,
            sim.times_week,
            {k: v[rows] for k, v in sim.readouts.items()},
            {k: [e[i] for i in rows] for k, e in sim.events.items()},
            stop_week[rows],
            stop_reason[rows],
            conduct.continuous_imputation,
        )
        for code in codes:
            name, week = code.split("@")
            values = np.full(idx.size, np.nan)
            values[rows] = evaluate_endpoint(traj, name, float(week)).value
            parts[code].append(values)
        activity = np.full((idx.size, visits.size), np.nan)
        activity[rows] = traj.series(ACTIVITY_SCORE[disease])
        oks.append(ok)
        acts.append(activity)
    activity_all = np.concatenate(acts).astype(np.float32)
    endpoints = {c: np.concatenate(v) for c, v in parts.items()}
    if endpoint.code == "CPEPTIDE_PRESERVED":
        j = int(np.searchsorted(visits, endpoint.week))
        with np.errstate(invalid="ignore", divide="ignore"):
            kept = activity_all[:, j] >= 0.6 * activity_all[:, 0]
        endpoints[endpoint.key] = np.where(np.isfinite(activity_all[:, j]), kept, np.nan)
    return RegimenOutcomes(np.concatenate(oks), endpoints, visits, activity_all, {}, sorted(notes))


class OutcomeCache:
    """Population outcomes per regimen on disk (NPZ) plus an in-process memo.

    Layout: ``<root>/<disease>/<population>/<digest>.npz`` with a JSON manifest inside (the key
    in full), written atomically (temporary file + rename), so concurrent writers never leave a
    half-written entry and readers never see one.
    """

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self._memo: dict[str, RegimenOutcomes] = {}

    def path(self, key: OutcomeKey) -> Path:
        return self.root / key.disease / key.population / f"{key.digest}.npz"

    def get(self, key: OutcomeKey) -> RegimenOutcomes | None:
        """The stored outcomes of ``key`` (None if absent or unreadable)."""
        digest = key.digest
        if digest in self._memo:
            return self._memo[digest]
        path = self.path(key)
        if not path.exists():
            return None
        try:
            with np.load(path, allow_pickle=False) as z:
                data = {k: z[k] for k in z.files}
        except (OSError, ValueError):
            return None
        meta = json.loads(str(data.pop("__manifest__")))
        if meta.get("digest") != digest:
            return None
        out = RegimenOutcomes(
            ok=data.pop("ok").astype(bool),
            endpoints={},
            times_week=data.pop("times_week"),
            activity=data.pop("activity"),
            notes=list(meta.get("notes", [])),
        )
        for k, v in data.items():
            kind, _, name = k.partition(":")
            (out.endpoints if kind == "ep" else out.features)[name] = v
        self._memo[digest] = out
        return out

    def put(self, key: OutcomeKey, outcomes: RegimenOutcomes) -> Path:
        """Store ``outcomes`` under ``key`` atomically; returns the file."""
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        manifest = {
            "digest": key.digest,
            "disease": key.disease,
            "population": key.population,
            "regimen": key.regimen_json(),
            "calibration_version": key.calibration_version,
            "software_version": key.software_version,
            "n": key.n,
            "seed": key.seed,
            "endpoints": list(key.endpoints),
            "notes": outcomes.notes,
        }
        arrays: dict[str, NDArray[np.generic]] = {
            "__manifest__": np.asarray(json.dumps(manifest)),
            "ok": outcomes.ok,
            "times_week": outcomes.times_week,
            "activity": outcomes.activity,
        }
        arrays |= {f"ep:{k}": v for k, v in outcomes.endpoints.items()}
        arrays |= {f"ft:{k}": v for k, v in outcomes.features.items()}
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, **arrays)  # type: ignore[arg-type]
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        self._memo[key.digest] = outcomes
        return path

    def get_or_compute(
        self, key: OutcomeKey, compute: Callable[[], RegimenOutcomes]
    ) -> tuple[RegimenOutcomes, bool]:
        """``(outcomes, was_cached)``: the stored entry, else ``compute()`` stored."""
        found = self.get(key)
        if found is not None:
            return found, True
        out = compute()
        self.put(key, out)
        return out, False


def features_of(outcomes: RegimenOutcomes) -> Mapping[str, NDArray[np.float64]]:
    """Baseline features of a baseline entry."""
    return outcomes.features
