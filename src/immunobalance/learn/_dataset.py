"""From a cohort table to a learning data set: target, patient groups, treatment, features.

Everything about the input is checked here, once, and every problem is reported together
(:class:`~immunobalance.errors.InvalidInputError`, one :class:`~immunobalance.errors.Problem`
per column or cell). Below this module the learning code trusts its arrays.

Missing data are handled explicitly: rows without an outcome are left out and counted; missing
feature values stay NaN here and are imputed *inside* the cross-validation pipeline, so no
information from a test fold reaches the imputer (Hastie, Tibshirani & Friedman, *The Elements
of Statistical Learning*, 2nd ed. 2009, §7.10.2, "the wrong and the right way to do
cross-validation").
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from pydantic import BaseModel, ConfigDict

from immunobalance.errors import InvalidInputError, Problem
from immunobalance.knowledge.schema import Biomarker
from immunobalance.learn._columns import FeatureKind, convert_column
from immunobalance.learn._leakage import leakage_by_name, leakage_by_values
from immunobalance.learn._table import CohortTable

__all__ = ["ID_COLUMN_NAMES", "Exclusion", "FeatureSpec", "LearningDataset", "prepare_dataset"]

#: Column names taken as the patient id when ``id_col`` is not given (case-insensitive).
ID_COLUMN_NAMES = (
    "patient_id",
    "patient",
    "patient_index",
    "subject_id",
    "subject",
    "usubjid",
    "id",
)


class FeatureSpec(BaseModel):
    """One model feature: the column it is read from and how to read it from a patient."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    column: str
    kind: FeatureKind
    key: str
    unit: str | None = None
    source_unit: str | None = None
    encoding: str | None = None
    n_missing: int = 0


class Exclusion(BaseModel):
    """A column left out of the features, and why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    column: str
    reason: str


@dataclass(frozen=True)
class LearningDataset:
    """Arrays ready for scikit-learn, with what they mean.

    ``X`` holds the features in ``features`` order (floats, NaN = missing) and, when the cohort
    has a treatment column, the treatment's level index as the last column.
    """

    X: np.ndarray
    y: np.ndarray
    groups: np.ndarray
    features: list[FeatureSpec]
    target: str
    id_column: str
    treatment_column: str | None
    treatment_levels: list[str]
    excluded: list[Exclusion]
    n_rows_read: int
    n_rows_without_target: int
    source: str
    sha256: str
    notes: list[str] = field(default_factory=list)

    @property
    def feature_names(self) -> list[str]:
        """Model input names: the feature columns, then ``treatment`` when present."""
        names = [f.column for f in self.features]
        return [*names, "treatment"] if self.treatment_column else names

    @property
    def n_patients(self) -> int:
        return int(np.unique(self.groups).size)


def _binary_target(cells: np.ndarray, name: str) -> tuple[np.ndarray, list[Problem]]:
    """0/1/NaN per row from booleans, 0/1 numbers or yes/no/true/false text."""
    y = np.full(len(cells), np.nan)
    problems: list[Problem] = []
    bad = 0
    for i, cell in enumerate(cells):
        if cell is None:
            continue
        if isinstance(cell, bool):
            y[i] = float(cell)
        elif isinstance(cell, float) and cell in (0.0, 1.0):
            y[i] = cell
        elif isinstance(cell, str) and cell.strip().lower() in {"responder", "response"}:
            y[i] = 1.0
        elif isinstance(cell, str) and cell.strip().lower() in {"non-responder", "no response"}:
            y[i] = 0.0
        else:
            bad += 1
            if bad <= 5:
                problems.append(
                    Problem(
                        f"{name}, row {i + 1}",
                        f"the target must be true/false or 1/0, got {cell!r}",
                    )
                )
    if bad > 5:
        problems.append(Problem(name, f"… and {bad - 5} more rows that are not true/false"))
    return y, problems


def _find_column(names: Sequence[str], wanted: str, role: str) -> tuple[str | None, Problem | None]:
    if wanted in names:
        return wanted, None
    folded = {n.lower(): n for n in names}
    if wanted.lower() in folded:
        return folded[wanted.lower()], None
    close = difflib.get_close_matches(wanted, list(names), n=3, cutoff=0.5)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return None, Problem(role, f"no column {wanted!r} in the cohort{hint}")


def _infer_id(names: Sequence[str]) -> str | None:
    folded = {n.lower(): n for n in names}
    for candidate in ID_COLUMN_NAMES:
        if candidate in folded:
            return folded[candidate]
    return None


def _group_labels(cells: np.ndarray, name: str) -> tuple[np.ndarray, list[Problem]]:
    problems = [
        Problem(f"{name}, row {i + 1}", "the patient id is missing")
        for i, c in enumerate(cells)
        if c is None
    ][:5]
    labels = np.array([f"{c:g}" if isinstance(c, float) else str(c) for c in cells], dtype=object)
    return labels, problems


def _treatment_codes(cells: np.ndarray, name: str) -> tuple[np.ndarray, list[str], list[Problem]]:
    texts = [None if c is None else (f"{c:g}" if isinstance(c, float) else str(c)) for c in cells]
    problems = [
        Problem(f"{name}, row {i + 1}", "the treatment is missing (every row needs one)")
        for i, t in enumerate(texts)
        if t is None
    ][:5]
    levels = sorted({t for t in texts if t is not None})
    index = {level: k for k, level in enumerate(levels)}
    codes = np.array([np.nan if t is None else float(index[t]) for t in texts])
    return codes, levels, problems


def prepare_dataset(
    table: CohortTable,
    *,
    target: str,
    biomarkers: dict[str, Biomarker],
    treatment: str | None = None,
    id_col: str | None = None,
    features: Sequence[str] | None = None,
    min_per_class: int = 2,
) -> LearningDataset:
    """Validate a cohort and turn it into arrays for learning.

    Parameters
    ----------
    table
        The cohort as read by :func:`~immunobalance.learn.read_cohort`.
    target
        Binary outcome column (e.g. ``ACR20@24``).
    biomarkers
        Knowledge-base biomarker table, for column types, units and ranges.
    treatment
        Treatment (arm) column; its levels become a feature, so predicted response can be read
        off per treatment.
    id_col
        Patient id column; inferred from :data:`ID_COLUMN_NAMES` when None. Splits never put one
        patient's rows on both sides.
    features
        Feature columns. None means every other column, minus those the leakage guards and
        constancy checks exclude (each exclusion is reported); a named column that fails a guard
        is an error instead.
    min_per_class
        Fewest patients needed in each outcome class (the number of outer folds).

    Raises
    ------
    InvalidInputError
        Every problem of the cohort at once: missing columns, bad target values, unknown units,
        values out of range, text in numeric columns, requested columns that leak the outcome.
    """
    names = table.names
    problems: list[Problem] = []
    target_name, p = _find_column(names, target, "--target")
    problems += [p] if p else []
    treatment_name: str | None = None
    if treatment is not None:
        treatment_name, p = _find_column(names, treatment, "--treatment")
        problems += [p] if p else []
    if id_col is not None:
        id_name, p = _find_column(names, id_col, "--id-col")
        problems += [p] if p else []
    else:
        id_name = _infer_id(names)
        if id_name is None:
            problems.append(
                Problem(
                    "--id-col",
                    "no patient id column found (looked for "
                    f"{', '.join(ID_COLUMN_NAMES)}); name it with --id-col so that one "
                    "patient's rows never straddle a train/test split",
                )
            )
    if target_name is None:
        raise InvalidInputError(problems, what=f"cohort {table.source}")

    y_all, target_problems = _binary_target(table.columns[target_name], target_name)
    problems += target_problems
    keep = ~np.isnan(y_all)
    y_known = y_all[keep]

    reserved = {target_name, treatment_name, id_name}
    explicit = features is not None
    if features is not None:
        candidates: list[str] = []
        for wanted in features:
            found, p = _find_column(names, wanted, "--features")
            if p:
                problems.append(p)
            elif found in reserved:
                problems.append(Problem("--features", f"{found!r} is the target, treatment or id"))
            elif found is not None:
                candidates.append(found)
    else:
        candidates = [n for n in names if n not in reserved]

    excluded: list[Exclusion] = []
    specs: list[FeatureSpec] = []
    columns: list[np.ndarray] = []
    for name in candidates:
        reason = leakage_by_name(name, target_name)
        if reason is not None:
            if explicit:
                problems.append(Problem(name, f"leaks the outcome: {reason}"))
            else:
                excluded.append(Exclusion(column=name, reason=f"outcome-derived: {reason}"))
            continue
        converted = convert_column(name, table.columns[name], biomarkers)
        if converted.problems:
            problems += converted.problems
            continue
        values = converted.values[keep]
        present = values[~np.isnan(values)]
        if present.size == 0 or np.unique(present).size == 1:
            why = "has no values" if present.size == 0 else "is constant"
            if explicit:
                problems.append(Problem(name, f"{why}: it cannot inform a prediction"))
            else:
                excluded.append(Exclusion(column=name, reason=why))
            continue
        if np.isfinite(y_known).all() and y_known.size:
            reason = leakage_by_values(values, y_known)
            if reason is not None:
                if explicit:
                    problems.append(Problem(name, f"leaks the outcome: {reason}"))
                else:
                    excluded.append(Exclusion(column=name, reason=f"outcome-derived: {reason}"))
                continue
        specs.append(
            FeatureSpec(
                column=name,
                kind=converted.kind,
                key=converted.key,
                unit=converted.unit,
                source_unit=converted.source_unit,
                encoding=converted.encoding,
                n_missing=int(np.isnan(values).sum()),
            )
        )
        columns.append(values)

    groups = np.array([], dtype=object)
    if id_name is not None:
        labels, id_problems = _group_labels(table.columns[id_name], id_name)
        problems += id_problems
        groups = labels[keep]
    levels: list[str] = []
    codes = np.array([])
    if treatment_name is not None:
        codes_all, levels, t_problems = _treatment_codes(
            table.columns[treatment_name], treatment_name
        )
        problems += t_problems
        codes = codes_all[keep]
        if len(levels) < 2 and not t_problems:
            problems.append(
                Problem(treatment_name, f"has a single treatment ({levels[0]!r}); leave it out")
            )
    if not specs and not problems and treatment_name is None:
        problems.append(Problem("--features", "no usable feature column is left"))
    if not target_problems and y_known.size:
        for cls in (0, 1):
            n_cls = (
                np.unique(groups[y_known == cls]).size
                if groups.size
                else int((y_known == cls).sum())
            )
            if n_cls < min_per_class:
                word = "responders" if cls else "non-responders"
                problems.append(
                    Problem(
                        target_name,
                        f"{n_cls} patients are {word}; cross-validation needs at least "
                        f"{min_per_class} in each class",
                    )
                )
    if problems:
        raise InvalidInputError(problems, what=f"cohort {table.source}")

    parts = [*columns, codes] if treatment_name is not None else columns
    X = np.column_stack(parts) if parts else np.empty((int(keep.sum()), 0))
    return LearningDataset(
        X=X.astype(float),
        y=y_known.astype(int),
        groups=groups,
        features=specs,
        target=target_name,
        id_column=str(id_name),
        treatment_column=treatment_name,
        treatment_levels=levels,
        excluded=excluded,
        n_rows_read=table.n_rows,
        n_rows_without_target=int((~keep).sum()),
        source=table.source,
        sha256=table.sha256,
    )
