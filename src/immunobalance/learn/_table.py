"""Read a cohort file (CSV or Parquet) into typed columns, without guessing units or types.

A cohort is one row per patient (or per patient-course) with baseline columns, an optional
treatment column and one or more outcome columns. This module only reads: each cell becomes
``None`` (missing), a ``bool``, a ``float`` or a ``str``; what a column *means* is decided in
:mod:`immunobalance.learn._dataset`. pandas is not a dependency: CSV goes through :mod:`csv`,
Parquet through pyarrow.
"""

from __future__ import annotations

import csv
import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from immunobalance.errors import InvalidInputError, Problem

__all__ = ["MISSING_TOKENS", "CohortTable", "read_cohort"]

#: Spellings read as a missing cell (case-insensitive). Anything else is a value.
MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "."})
_TRUE = frozenset({"true", "t", "yes", "y"})
_FALSE = frozenset({"false", "f", "no", "n"})

Cell = None | bool | float | str


@dataclass(frozen=True)
class CohortTable:
    """A cohort as read: named columns of typed cells.

    Attributes
    ----------
    columns
        Column name → object array of cells (``None``, ``bool``, ``float`` or ``str``).
    n_rows
        Number of data rows.
    source
        File name the table came from (for the model card).
    sha256
        SHA-256 of the file's bytes, so a model card names exactly the data it was fitted on.
    """

    columns: dict[str, np.ndarray]
    n_rows: int
    source: str
    sha256: str

    @property
    def names(self) -> list[str]:
        """Column names in file order."""
        return list(self.columns)


def _cell(text: str) -> Cell:
    stripped = text.strip()
    low = stripped.lower()
    if low in MISSING_TOKENS:
        return None
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    try:
        number = float(stripped)
    except ValueError:
        return stripped
    return None if math.isnan(number) else number


def _read_csv(path: Path) -> tuple[dict[str, np.ndarray], int, list[Problem]]:
    problems: list[Problem] = []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise InvalidInputError(
                [Problem(path.name, "the file is empty")], what="cohort"
            ) from None
        names = [h.strip() for h in header]
        seen: set[str] = set()
        for i, name in enumerate(names):
            if not name:
                problems.append(Problem(f"{path.name}:1", f"column {i + 1} has no name"))
            elif name in seen:
                problems.append(Problem(f"{path.name}:1", f"column {name!r} appears twice"))
            seen.add(name)
        rows: list[list[Cell]] = []
        for line_no, raw in enumerate(reader, start=2):
            if not any(c.strip() for c in raw):
                continue
            if len(raw) != len(names):
                problems.append(
                    Problem(
                        f"{path.name}:{line_no}",
                        f"expected {len(names)} fields like the header, got {len(raw)}",
                    )
                )
                continue
            rows.append([_cell(c) for c in raw])
    columns = {
        name: np.array([row[j] for row in rows], dtype=object) for j, name in enumerate(names)
    }
    return columns, len(rows), problems


def _parquet_cell(value: object) -> Cell:
    if value is None:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        return None if math.isnan(number) else number
    return str(value)


def _read_parquet(path: Path) -> tuple[dict[str, np.ndarray], int, list[Problem]]:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several unrelated types for a bad file
        raise InvalidInputError(
            [Problem(path.name, f"not a readable Parquet file: {exc}")], what="cohort"
        ) from None
    columns = {
        name: np.array([_parquet_cell(v) for v in table.column(name).to_pylist()], dtype=object)
        for name in table.column_names
    }
    return columns, table.num_rows, []


def read_cohort(path: str | Path) -> CohortTable:
    """Read a cohort CSV or Parquet file.

    Parameters
    ----------
    path
        ``.csv`` (UTF-8, header row; ``""``, ``NA``, ``NaN``, ``null``, ``.`` are missing;
        ``true``/``false``/``yes``/``no`` are booleans) or ``.parquet``/``.pq``.

    Returns
    -------
    CohortTable
        Typed cells per column, the row count and the file's SHA-256.

    Raises
    ------
    InvalidInputError
        Missing file, unknown extension, duplicate or empty column names, ragged rows — every
        problem of the file at once.
    """
    file = Path(path)
    if not file.is_file():
        raise InvalidInputError([Problem(str(file), "no such file")], what="cohort")
    suffix = file.suffix.lower()
    if suffix == ".csv":
        columns, n_rows, problems = _read_csv(file)
    elif suffix in {".parquet", ".pq"}:
        columns, n_rows, problems = _read_parquet(file)
    else:
        raise InvalidInputError(
            [
                Problem(
                    str(file), f"expected a .csv or .parquet file, got {suffix or 'no suffix'!r}"
                )
            ],
            what="cohort",
        )
    if n_rows == 0 and not problems:
        problems.append(Problem(file.name, "the file has a header but no data rows"))
    if problems:
        raise InvalidInputError(problems, what=f"cohort {file.name}")
    digest = hashlib.sha256(file.read_bytes()).hexdigest()
    return CohortTable(columns=columns, n_rows=n_rows, source=file.name, sha256=digest)
