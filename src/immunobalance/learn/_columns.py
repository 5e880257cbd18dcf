"""What a cohort column means: a biomarker of the knowledge base, a serology flag, a demographic,
or another numeric covariate; and its values converted to one number per row.

Column names follow the patient-record vocabulary so that a learned model can later read a
:class:`~immunobalance.patient.Patient`:

* ``CRP`` or ``baseline_CRP`` — an observation key of ``knowledge/data/biomarkers.yaml``, in
  its default unit;
* ``CRP[mg/dL]`` — the same key in another unit, converted with the biomarker table
  (:func:`immunobalance.patient.normalise_value`); an unknown unit is an error;
* ``RF_POSITIVE`` — a serology result read as positive (1) / negative (0), as a trial runner
  writes it; the key must be a biomarker with a positive category or a positivity threshold;
* ``AGE_YEARS`` (``AGE``), ``SEX`` (female/male), ``WEIGHT_KG``, ``HEIGHT_CM``, ``WEIGHT[lb]``,
  ``HEIGHT[in]`` — demographics of the patient record;
* anything else numeric is accepted as an *unvalidated* covariate and said so in the model card.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import numpy as np

from immunobalance.errors import Problem
from immunobalance.knowledge.schema import Biomarker
from immunobalance.patient.normalise import (
    ObservationValueError,
    canonical_category,
    normalise_value,
)
from immunobalance.units import UnitError, convert, parse_unit

__all__ = ["ColumnName", "ConvertedColumn", "FeatureKind", "convert_column", "parse_column_name"]

FeatureKind = Literal["biomarker", "serology", "demographic", "covariate"]

_NAME = re.compile(r"^\s*(?P<key>[^\[\]]+?)\s*\[(?P<unit>.+)\]\s*$")
#: Demographic columns: canonical key → (aliases, default unit, physical range).
_DEMOGRAPHICS: dict[str, tuple[tuple[str, ...], str | None, tuple[float, float] | None]] = {
    "AGE_YEARS": (("AGE_YEARS", "AGE"), "a", (0.0, 125.0)),
    "WEIGHT_KG": (("WEIGHT_KG", "WEIGHT"), "kg", (0.3, 400.0)),
    "HEIGHT_CM": (("HEIGHT_CM", "HEIGHT"), "cm", (20.0, 260.0)),
    "SEX": (("SEX",), None, None),
}
#: At most this many cell problems are listed per column (then a count), so one bad column
#: cannot bury the others' problems.
MAX_CELL_PROBLEMS = 5


@dataclass(frozen=True)
class ColumnName:
    """A column name split into its key (upper case) and the unit written in brackets."""

    raw: str
    key: str
    unit: str | None


def parse_column_name(raw: str) -> ColumnName:
    """Split ``"CRP[mg/dL]"`` into key ``CRP`` and unit ``mg/dL`` (``RF[[IU]/mL]`` works too).

    A ``baseline_`` prefix (as the trial runner writes ``baseline_CRP``) is dropped from the key.
    """
    match = _NAME.match(raw)
    key, unit = (match.group("key"), match.group("unit").strip()) if match else (raw, None)
    key = key.strip().upper()
    if key.startswith("BASELINE_") and len(key) > len("BASELINE_"):
        key = key.removeprefix("BASELINE_")
    return ColumnName(raw, key, unit)


@dataclass(frozen=True)
class ConvertedColumn:
    """A column as one float per row (NaN = missing) and what it is."""

    name: str
    kind: FeatureKind
    key: str
    unit: str | None
    source_unit: str | None
    encoding: str | None
    values: np.ndarray
    problems: tuple[Problem, ...]


def _demographic_key(key: str) -> str | None:
    for canonical, (aliases, _, _) in _DEMOGRAPHICS.items():
        if key in aliases:
            return canonical
    return None


class _Cells:
    """Collects cell problems of one column, capped at :data:`MAX_CELL_PROBLEMS`."""

    def __init__(self, column: str) -> None:
        self.column = column
        self.problems: list[Problem] = []
        self.extra = 0

    def add(self, row: int, message: str) -> None:
        if len(self.problems) < MAX_CELL_PROBLEMS:
            self.problems.append(Problem(f"{self.column}, row {row + 1}", message))
        else:
            self.extra += 1

    def add_column(self, message: str) -> None:
        self.problems.append(Problem(self.column, message))

    def done(self) -> tuple[Problem, ...]:
        if self.extra:
            more = Problem(self.column, f"… and {self.extra} more rows with problems")
            return (*self.problems, more)
        return tuple(self.problems)


def _binary_value(cell: object) -> float | None:
    """1/0 from a boolean, 0/1 number or positive/negative text; None if not binary."""
    if isinstance(cell, bool):
        return float(cell)
    if isinstance(cell, float) and cell in (0.0, 1.0):
        return cell
    if isinstance(cell, str):
        return {"positive": 1.0, "negative": 0.0}.get(canonical_category(cell))
    return None


def _biomarker(name: ColumnName, biomarker: Biomarker, cells: np.ndarray) -> ConvertedColumn:
    out = np.full(len(cells), np.nan)
    issues = _Cells(name.raw)
    present = [c for c in cells if c is not None]
    categorical = biomarker.kind in {"categorical", "boolean"} or (
        biomarker.kind == "quantity_or_categorical"
        and present
        and all(isinstance(c, str | bool) for c in present)
    )
    encoding: str | None = None
    if categorical and biomarker.kind != "boolean":
        if len(biomarker.categories) != 2:
            problem = Problem(
                name.raw,
                f"{biomarker.key} has {len(biomarker.categories)} categories "
                f"({', '.join(biomarker.categories)}); only two-level results can be a feature",
            )
            return ConvertedColumn(
                name.raw, "biomarker", biomarker.key, None, None, None, out, (problem,)
            )
        encoding = f"1 = {biomarker.categories[0]}, 0 = {biomarker.categories[1]}"
    elif biomarker.kind == "boolean":
        encoding = "1 = present, 0 = absent"
    for i, cell in enumerate(cells):
        if cell is None:
            continue
        try:
            normalised = normalise_value(biomarker, cell, name.unit)
        except ObservationValueError as exc:
            if exc.field == "unit":  # the column's unit: the same for every row, report once
                issues.add_column(f"unit in the column name: {exc.message}")
                break
            issues.add(i, exc.message)
            continue
        value = normalised.value
        if isinstance(value, bool):
            out[i] = float(value)
        elif isinstance(value, str):
            if not categorical:
                issues.add(i, f"{value!r} is a category but the column holds numbers")
            else:
                out[i] = 1.0 if value == biomarker.categories[0] else 0.0
        else:
            if categorical:
                issues.add(i, f"{value!r} is a number but the column holds categories")
            else:
                out[i] = float(value)
    unit = None if categorical else biomarker.unit
    return ConvertedColumn(
        name.raw, "biomarker", biomarker.key, unit, name.unit, encoding, out, issues.done()
    )


def _serology(name: ColumnName, biomarker: Biomarker, cells: np.ndarray) -> ConvertedColumn:
    out = np.full(len(cells), np.nan)
    issues = _Cells(name.raw)
    if name.unit is not None:
        issues.add_column("a positive/negative flag takes no unit")
    for i, cell in enumerate(cells):
        if cell is None:
            continue
        value = _binary_value(cell)
        if value is None:
            issues.add(i, f"expected true/false, 1/0 or positive/negative, got {cell!r}")
        else:
            out[i] = value
    return ConvertedColumn(
        name.raw,
        "serology",
        biomarker.key,
        None,
        None,
        f"1 = {biomarker.key} positive, 0 = negative",
        out,
        issues.done(),
    )


def _demographic(name: ColumnName, key: str, cells: np.ndarray) -> ConvertedColumn:
    _, unit, bounds = _DEMOGRAPHICS[key]
    out = np.full(len(cells), np.nan)
    issues = _Cells(name.raw)
    if key == "SEX":
        for i, cell in enumerate(cells):
            if cell is None:
                continue
            text = str(cell).strip().lower()
            if text in {"female", "f"}:
                out[i] = 1.0
            elif text in {"male", "m"}:
                out[i] = 0.0
            else:
                issues.add(i, f"expected female or male, got {cell!r}")
        return ConvertedColumn(
            name.raw, "demographic", key, None, None, "1 = female, 0 = male", out, issues.done()
        )
    assert unit is not None and bounds is not None
    factor = 1.0
    if name.unit is not None:
        try:
            factor = convert(1.0, name.unit, unit)
        except UnitError as exc:
            problem = Problem(name.raw, f"{exc} (expected a unit of {key}, e.g. {unit})")
            return ConvertedColumn(
                name.raw, "demographic", key, unit, name.unit, None, out, (problem,)
            )
    for i, cell in enumerate(cells):
        if cell is None:
            continue
        if isinstance(cell, bool) or not isinstance(cell, float):
            issues.add(i, f"{key} must be a number, got {cell!r}")
            continue
        value = cell * factor
        if not bounds[0] <= value <= bounds[1]:
            issues.add(i, f"{key} {value:g} {unit} is outside {bounds[0]:g}-{bounds[1]:g} {unit}")
            continue
        out[i] = value
    return ConvertedColumn(name.raw, "demographic", key, unit, name.unit, None, out, issues.done())


def _covariate(name: ColumnName, cells: np.ndarray) -> ConvertedColumn:
    out = np.full(len(cells), np.nan)
    issues = _Cells(name.raw)
    if name.unit is not None:
        try:
            parse_unit(name.unit)
        except UnitError as exc:
            problem = Problem(name.raw, f"unknown unit in the column name: {exc}")
            return ConvertedColumn(
                name.raw, "covariate", name.key, None, None, None, out, (problem,)
            )
    strings = [c for c in cells if isinstance(c, str)]
    if strings:
        problem = Problem(
            name.raw,
            f"holds text ({strings[0]!r}…) and is not a biomarker of the knowledge base: name it "
            "as the treatment (--treatment) or the patient id (--id-col), or leave it out "
            "(--features)",
        )
        return ConvertedColumn(name.raw, "covariate", name.key, None, None, None, out, (problem,))
    for i, cell in enumerate(cells):
        if cell is not None:
            out[i] = float(cell)
    encoding = "1 = true, 0 = false" if any(isinstance(c, bool) for c in cells) else None
    return ConvertedColumn(
        name.raw, "covariate", name.key, name.unit, name.unit, encoding, out, issues.done()
    )


def convert_column(
    raw: str, cells: np.ndarray, biomarkers: dict[str, Biomarker]
) -> ConvertedColumn:
    """Interpret one cohort column and convert its cells to floats (NaN = missing).

    Parameters
    ----------
    raw
        The column name as in the file.
    cells
        Its cells as read (:class:`~immunobalance.learn._table.CohortTable`).
    biomarkers
        The knowledge base's biomarker table (key → record).

    Returns
    -------
    ConvertedColumn
        Values in the biomarker's default unit (or 1/0 for flags and two-level results), and
        the problems found, each with its column and row.
    """
    name = parse_column_name(raw)
    if name.key in biomarkers:
        return _biomarker(name, biomarkers[name.key], cells)
    if name.key.endswith("_POSITIVE"):
        stem = name.key.removesuffix("_POSITIVE")
        marker = biomarkers.get(stem)
        if marker is not None and (
            "positive" in marker.categories or marker.positive_threshold is not None
        ):
            return _serology(name, marker, cells)
    demographic = _demographic_key(name.key)
    if demographic is not None:
        return _demographic(name, demographic, cells)
    return _covariate(name, cells)
